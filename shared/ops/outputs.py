"""Stack outputs as both apply paths report them, and how they are shown to people and scripts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

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
