"""Tags, the slug rule and the argument merge every component shares.

Physical names are left to Pulumi: every resource AWS lets Pulumi name is auto-named
(`<logical name>-<random suffix>`), so a replacement never collides with the resource it
replaces and two stacks in one account never collide with each other. Logical names are the
component's name plus a fragment (`f"{name}-logs"`), so two components of one type never clash.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi


def tags(**extra: str) -> dict[str, str]:
    """Tags for cost allocation and for finding a stack's resources by hand."""
    return {
        "project": pulumi.get_project(),
        "environment": pulumi.get_stack(),
        "managed-by": "pulumi",
        **extra,
    }


def slug(method: str, path: str) -> str:
    """The one name fragment for a route or a path, REST or HTTP:
    ("POST", "/ai/{proxy+}") -> "post-ai-proxy", ("", "/ai-service") -> "ai-service"."""
    words = [method.lower(), *path.replace("{", "").replace("}", "").split("/")]
    return "-".join(w.rstrip("+") for w in words if w.rstrip("+")) or "root"


def merged(
    resource: str,
    defaults: Mapping[str, Any],
    extra: Mapping[str, Any] | None,
    insisted: Mapping[str, Any],
    *,
    auto_named: tuple[str, ...] = ("name",),
    refused: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Keyword arguments for one resource: the component's defaults, overridden by the caller's
    `extra` arguments, overridden by what the component insists on. A caller who sets an
    insisted argument, a physical name (`auto_named`) or an argument the component refuses is
    told so, rather than silently overridden; tags are merged, ours last."""
    extra = dict(extra or {})
    problems = [
        f"{key} cannot be set by the caller; the component sets it (see its 'Default settings')"
        for key in sorted(extra)
        if key in insisted and key != "tags"
    ]
    problems += [
        f"{key}: the resource is auto-named, so a replacement never collides with the old one"
        for key in sorted(extra)
        if key in auto_named
    ]
    problems += [f"{key}: {why}" for key, why in sorted((refused or {}).items()) if key in extra]
    if problems:
        raise ValueError(f"{resource}: " + "; ".join(problems) + ".")
    args = {**defaults, **extra, **{k: v for k, v in insisted.items() if k != "tags"}}
    if "tags" in insisted or "tags" in defaults or "tags" in extra:
        args["tags"] = {
            **(defaults.get("tags") or {}),
            **(extra.get("tags") or {}),
            **(insisted.get("tags") or {}),
        }
    return args


def child(parent: pulumi.Resource, **options: Any) -> pulumi.ResourceOptions:
    """Options for a component's child: parented to it (so it inherits provider and protect)."""
    return pulumi.ResourceOptions(parent=parent, **options)
