"""What the pattern stacks of one environment use in its account, read from their stack files
(`stacks/*/Pulumi.<env>.yaml`) as the Pulumi CLI merges them: the regions they deploy to (each
one's `aws:region` and any `<project>:extraRegions`, and us-east-1 for an edge-optimized custom
domain, whose certificate AWS requires there), whether any has such a domain, and the Route 53
zones of their custom domains (`<project>:hostedZoneId`). A documentation placeholder
(`Z0000000EXAMPLE`, `ai.example.com`) is none of the team's: it is left out until the stack
file names a real one (run the bootstrap again then).

The bootstrap program reads it to know where to set the account up; the tests read it to answer
the pattern stacks' bootstrap references as that program would."""

from __future__ import annotations

import json

from shared import catalog
from shared.ops import placeholders
from shared.ops.stack_files import stack_config

BOOTSTRAP_PROJECT = "aigw-bootstrap"
# An EDGE custom domain is served by CloudFront, which reads certificates from this region only.
EDGE_CERTIFICATE_REGION = "us-east-1"


def _configs(env: str) -> list[dict[str, str]]:
    return [stack_config(catalog.stack_dir(name), env) for name in catalog.stack_names()]


def _list(value: str) -> list[str]:
    parsed = json.loads(value) if value.startswith("[") else value
    return [str(v) for v in (parsed if isinstance(parsed, list) else [parsed]) if v]


def _edge_domain(config: dict[str, str]) -> bool:
    """Whether a stack's config has a custom domain (`<project>:domainName`) on an EDGE
    endpoint (`<project>:endpointType`)."""
    return any(
        key.endswith(":domainName")
        and value
        and not placeholders.is_placeholder(value)
        and config.get(f"{key.rsplit(':', 1)[0]}:endpointType") == "EDGE"
        for key, value in config.items()
    )


def regions(env: str) -> list[str]:
    """Sorted regions the stacks of `env` deploy to (their certificates' included)."""
    found: set[str] = set()
    for config in _configs(env):
        found.update(_list(config.get("aws:region", "")))
        for key, value in config.items():
            if key.endswith(":extraRegions"):
                found.update(_list(value))
        if _edge_domain(config):
            found.add(EDGE_CERTIFICATE_REGION)
    return sorted(found)


def edge_domains(env: str) -> bool:
    """Whether a stack of `env` has an edge-optimized custom domain (its deploy sets up a
    CloudFront distribution through API Gateway)."""
    return any(_edge_domain(config) for config in _configs(env))


def hosted_zones(env: str) -> list[str]:
    """Sorted Route 53 zone ids the stacks of `env` put records in (placeholders left out)."""
    zones = {
        value
        for config in _configs(env)
        for key, value in config.items()
        if key.endswith(":hostedZoneId") and value and not placeholders.is_placeholder(value)
    }
    return sorted(zones)


def sharing(env: str) -> list[str]:
    """The environments whose bootstrap says it shares `env`'s account (`accountSharedWith`):
    this stack sets the account-wide settings for their stacks too."""
    key = f"{BOOTSTRAP_PROJECT}:accountSharedWith"
    return [
        other
        for other in catalog.ENVIRONMENTS
        if other != env
        and (catalog.BOOTSTRAP_DIR / f"Pulumi.{other}.yaml").is_file()
        and stack_config(catalog.BOOTSTRAP_DIR, other).get(key) == env
    ]


def logging_regions(env: str) -> list[str]:
    """Where `env`'s bootstrap sets API Gateway's CloudWatch role: the regions of its stacks
    and of the stacks of every environment sharing its account."""
    return sorted({r for e in [env, *sharing(env)] for r in regions(e)})
