"""Reading resource properties the same way under the Pulumi CLI and under the local engine.

A property a preview cannot know yet arrives as one of pulumi_policy's sentinel strings, inside
proxies that raise `UnknownValueError` on access. The rules read `plain(props)` instead: the
same data as dicts and lists, each unknown value replaced by `UNKNOWN`, so a rule decides what
an unknown means (always: "cannot tell yet", never a violation) and one unknown property does
not abort a stack validation that looks at every resource.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    _DictProxy,
    _ListProxy,
)

LOCAL = "local"
# The bootstrap project (bootstrap/Pulumi.yaml): its stack per environment sets the account up.
BOOTSTRAP_PROJECT = "aigw-bootstrap"

_SENTINELS = frozenset(
    {
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_OBJECT_VALUE,
        UNKNOWN_STRING_VALUE,
    }
)


class _Unknown:
    """A value the preview cannot know yet."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


def plain(value: Any) -> Any:
    """`value` without proxies, each unknown replaced by UNKNOWN."""
    if isinstance(value, _DictProxy | _ListProxy):
        value = value["__target"]
    if isinstance(value, str) and value in _SENTINELS:
        return UNKNOWN
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def unknown(value: Any) -> bool:
    """Whether `value`, or anything inside it, cannot be known yet."""
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(unknown(item) for item in value.values())
    if isinstance(value, list):
        return any(unknown(item) for item in value)
    return False


def dig(data: Any, *path: str | int) -> Any:
    """data[path[0]][path[1]]..., None where a step is missing, UNKNOWN where it is unknown."""
    for step in path:
        if data is UNKNOWN:
            return UNKNOWN
        if isinstance(step, int):
            if not isinstance(data, list) or step >= len(data):
                return None
        elif not isinstance(data, dict) or step not in data:
            return None
        data = data[step]
    return data


def as_list(value: Any) -> list[Any]:
    """One value or a list of them (the shape of IAM's Action/Resource and of list inputs)."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def environment(urn: str) -> str:
    """The stack (= environment) of a URN, `urn:pulumi:<stack>::<project>::<type>::<name>`."""
    return urn.split("::", 1)[0].rsplit(":", 1)[-1]


def project(urn: str) -> str:
    """The project of a URN, `urn:pulumi:<stack>::<project>::<type>::<name>`."""
    parts = urn.split("::")
    return parts[1] if len(parts) > 1 else ""


def region_of(resource: PolicyResource) -> Any:
    """The region a resource lives in: its own `region` input (pulumi-aws 7), else its
    provider's; None when neither says."""
    own = dig(plain(resource.props), "region")
    if own is not None:
        return own
    if resource.provider is not None:
        return dig(plain(resource.provider.props), "region")
    return None


def describe(resource: PolicyResource) -> str:
    return f"{resource.resource_type} {resource.name!r}"


def of_type(resources: Iterable[PolicyResource], *types: str) -> list[PolicyResource]:
    return [r for r in resources if r.resource_type in types]


def linked(
    resource: PolicyResource,
    candidates: Sequence[PolicyResource],
    *,
    matches: Any = None,
) -> list[PolicyResource]:
    """The candidates `resource` depends on, or that depend on it, or for which
    `matches(resource, candidate)` holds (a known property naming the other)."""
    found = []
    for candidate in candidates:
        if (
            candidate in resource.dependencies
            or resource in candidate.dependencies
            or (matches is not None and matches(resource, candidate))
        ):
            found.append(candidate)
    return found


def json_document(value: Any) -> Any:
    """An IAM policy document given as a JSON string or as data; None when it is not one,
    UNKNOWN when the preview cannot know it."""
    if unknown(value):
        return UNKNOWN
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def auto_named(value: Any, logical_name: str, *, lower_cased: bool = False) -> bool:
    """Whether a physical name is the one Pulumi's autonaming made: `<logical name>-<7 hex>`,
    with the logical name lower-cased where the provider's autoname transform does so
    (`lower_cased`: pulumi-aws's S3 buckets, whose names AWS allows in lower case only)."""
    prefix = logical_name.lower() if lower_cased else logical_name
    return (
        isinstance(value, str)
        and re.fullmatch(re.escape(prefix) + r"-[0-9a-f]{7}", value) is not None
    )
