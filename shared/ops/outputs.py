"""Stack outputs as both apply paths report them, and how they are shown to people and scripts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from shared.errors import UserError

MASK = "[secret]"


@dataclass(frozen=True)
class StackOutput:
    value: Any
    secret: bool = False


def as_plain(outputs: dict[str, StackOutput], show_secrets: bool = False) -> dict[str, Any]:
    """Values by name, secrets masked unless asked for."""
    return {
        name: (out.value if show_secrets or not out.secret else MASK)
        for name, out in sorted(outputs.items())
    }


def render_text(outputs: dict[str, StackOutput], show_secrets: bool = False) -> str:
    plain = as_plain(outputs, show_secrets)
    if not plain:
        return "Outputs: (none)"
    width = max(len(name) for name in plain)
    lines = ["Outputs:"]
    for name, value in plain.items():
        shown = value if isinstance(value, str) else json.dumps(value)
        lines.append(f"    {name:<{width}}  {shown}")
    return "\n".join(lines)


def render_json(outputs: dict[str, StackOutput], show_secrets: bool = False) -> str:
    return json.dumps(as_plain(outputs, show_secrets), indent=2, sort_keys=True)


def render_one(
    outputs: dict[str, StackOutput],
    key: str,
    *,
    stack: str,
    show_secrets: bool = False,
    as_json: bool = False,
) -> str:
    """One output's value as a script reads it from `$(...)`: a string as is, anything else
    (or anything, with `as_json`) as compact JSON. An unknown key, or a secret one without
    `show_secrets`, is a usage error: printing the mask would pass for the value."""
    if key not in outputs:
        raise UserError(
            f"{stack} has no output {key!r}. Its outputs: {', '.join(sorted(outputs))}.",
            exit_code=2,
        )
    output = outputs[key]
    if output.secret and not show_secrets:
        raise UserError(
            f"Output {key!r} of {stack} is secret: add --show-secrets to print it.", exit_code=2
        )
    if isinstance(output.value, str) and not as_json:
        return output.value
    return json.dumps(output.value, separators=(",", ":"), sort_keys=True)


def secret_forms(outputs: dict[str, StackOutput], more: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Every way a secret can appear in printed text: each secret output (and each string
    inside a secret object, such as one API key of `credentials`) and each of `more`, as is and
    as Python or JSON would quote it; longest first, so masking never leaves a piece of one."""
    values: list[str] = list(more)
    for output in outputs.values():
        if output.secret:
            value = output.value
            values += [value if isinstance(value, str) else json.dumps(value), str(value)]
            values += _strings_in(value) if isinstance(value, dict | list) else []
    forms: set[str] = set()
    for text in values:
        forms |= {text, repr(text)[1:-1], json.dumps(text)[1:-1]}
    return tuple(sorted((f for f in forms if f), key=len, reverse=True))


def mask(text: str, secrets: tuple[str, ...] | list[str]) -> str:
    """`text` with every form of `secret_forms` replaced by MASK."""
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


def _strings_in(value: Any) -> list[str]:
    items = value.values() if isinstance(value, dict) else value
    found: list[str] = []
    for item in items:
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict | list):
            found += _strings_in(item)
    return found
