"""Physical names and tags: every resource says which project and environment it belongs to."""

from __future__ import annotations

import pulumi


def name(part: str) -> str:
    """`<project>-<env>-<part>`: unique per stack, readable in the AWS console."""
    return f"{pulumi.get_project()}-{pulumi.get_stack()}-{part}"


def tags(**extra: str) -> dict[str, str]:
    """Tags for cost allocation and for finding a stack's resources by hand."""
    return {
        "project": pulumi.get_project(),
        "environment": pulumi.get_stack(),
        "managed-by": "pulumi",
        **extra,
    }


def placed(region: str | None) -> dict[str, str]:
    """The per-resource `region` argument (pulumi-aws 7), or nothing for the stack's region."""
    return {"region": region} if region else {}
