"""Auto-naming as pulumi-aws does it: a resource the program gives no name is called
`<logical name>-<7 random hex characters>` (with only a prefix: `<prefix><26 random hex
characters>`, the length of the Terraform provider's unique ids). The name is made once, when
the resource is created, and kept in the state: a redeploy keeps it, a replacement gets a new
one. So two projects with the same logical names never clash, on the emulator or on AWS.

This is the engine's half of the provider's `Check` step: `check` fills the name in, and the
record lists it in `defaults`, as Pulumi's `__defaults` does, to tell a name the engine made
(reused on the next run) from one the program set (compared like any other input).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from shared.local.engine.state import ResourceRecord

SUFFIX_LENGTH = 7
PREFIXED_SUFFIX_LENGTH = 26


@dataclass(frozen=True)
class AutoName:
    """Which input names the resource, and the rules the name must follow."""

    prop: str = "name"
    # The input that gives a prefix instead of a name (`namePrefix`, `bucketPrefix`), if any.
    prefix: str | None = None
    max_length: int | None = None
    # Makes the logical name valid for the service (S3: lowercase), if it needs that.
    transform: Callable[[str], str] | None = None

    def generate(self, logical: str, prefix: str | None = None) -> str:
        if prefix:
            name = prefix + _random_hex(PREFIXED_SUFFIX_LENGTH)
            return name[: self.max_length] if self.max_length else name
        base = logical
        if self.max_length is not None:
            base = base[: self.max_length - SUFFIX_LENGTH - 1]
        if self.transform is not None:
            base = self.transform(base)
        return f"{base}-{_random_hex(SUFFIX_LENGTH)}"


def _random_hex(length: int) -> str:
    return secrets.token_hex((length + 1) // 2)[:length]


def s3_bucket_name(logical: str) -> str:
    """A logical name made valid for a bucket: lowercase letters, digits, dots and hyphens."""
    return re.sub(r"[^a-z0-9.-]+", "-", logical.lower()).strip("-.") or "bucket"


@dataclass(frozen=True)
class Checked:
    """The inputs the provider gets, and which of them the engine filled in."""

    inputs: dict[str, Any]
    defaults: tuple[str, ...] = ()


def is_set(value: Any) -> bool:
    return value is not None and value != ""


def check(
    auto: AutoName | None,
    logical: str,
    inputs: dict[str, Any],
    have: ResourceRecord | None,
    *,
    fresh: bool = False,
    generate: bool = True,
) -> Checked:
    """Fill in the resource's name when the program sets none: the recorded auto-name unless
    `fresh` (a replacement gets a new name), else a new one. With `generate` False (a preview)
    a resource without a recorded auto-name is left unnamed: its name is unknown until applied.
    """
    if auto is None or is_set(inputs.get(auto.prop)):
        return Checked(inputs)
    if have is not None and not fresh and auto.prop in have.defaults:
        return Checked({**inputs, auto.prop: have.inputs[auto.prop]}, (auto.prop,))
    if not generate:
        return Checked(inputs)
    prefix = inputs.get(auto.prefix) if auto.prefix else None
    return Checked({**inputs, auto.prop: auto.generate(logical, prefix)}, (auto.prop,))


def adopt_legacy_name(auto: AutoName | None, have: ResourceRecord | None) -> ResourceRecord | None:
    """A record written before auto-names were kept (state format 1) has the name only among
    its outputs: take it as the recorded auto-name, so the resource keeps its name."""
    if auto is None or have is None or auto.prop in have.inputs:
        return have
    name = have.outputs.get(auto.prop)
    if not is_set(name):
        return have
    return replace(
        have,
        inputs={**have.inputs, auto.prop: name},
        defaults=sorted({*have.defaults, auto.prop}),
    )
