"""Documentation placeholders left in an AWS environment's stack file.

The `dev`, `staging` and `prod` files ship with values that keep each program valid under the
tests' mocks but name nothing a team owns: hosts under the domains reserved for documentation
(RFC 2606: example.com, example.net, example.org, and the `.example` top-level domain), the
`EXAMPLE` ids of AWS's documentation (`Z0000000EXAMPLE`, `AKIAIOSFODNN7EXAMPLE`), the accounts
AWS's documentation uses (123456789012, 111122223333, 444455556666) and `<your-...>` markers.
Deployed, they would only fail at run time (a model URL that resolves nowhere, a zone that is
not yours), so `invoke deploy|preview` refuses them before the Pulumi CLI runs, naming every key
a team must set. The local environment is exempt: it runs on the emulator, where such values
are never called.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

# A host under a reserved documentation domain, alone or inside a URL or an address.
_RESERVED_HOST = re.compile(
    r"(?:^|[/@.\s])(?:example\.(?:com|net|org)|[a-z0-9-]+\.example)(?=$|[/:?#\s.])",
    re.IGNORECASE,
)
# An identifier with AWS's documentation marker in capitals (zone, key or account ids).
_EXAMPLE_ID = re.compile(r"^\S*EXAMPLE\S*$")
_DOCUMENTATION_ACCOUNT = re.compile(r"(?<!\d)(?:123456789012|111122223333|444455556666)(?!\d)")
_FILL_IN = re.compile(r"<[^<>\s][^<>]*>")


def is_placeholder(value: Any) -> bool:
    """Whether a plain config value is a documentation placeholder."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return False
    return bool(
        _RESERVED_HOST.search(value)
        or _EXAMPLE_ID.match(value)
        or _DOCUMENTATION_ACCOUNT.search(value)
        or _FILL_IN.search(value)
    )


def found(program_dir: Path, env: str) -> list[tuple[str, str]]:
    """(key, value) of every placeholder in `Pulumi.<env>.yaml`, in file order; a nested value
    is named by its path (`versions:modelVersions.v1`, `aws:allowedAccountIds[0]`)."""
    stack_file = program_dir / f"Pulumi.{env}.yaml"
    if not stack_file.is_file():
        return []
    data = YAML(typ="safe", pure=True).load(stack_file.read_text(encoding="utf-8")) or {}
    config = data.get("config") if isinstance(data, dict) else None
    if not isinstance(config, dict):
        return []
    hits = []
    for key, value in config.items():
        if isinstance(value, dict) and set(value) == {"secure"}:
            continue  # encrypted: a team set it
        hits += [(path, str(v)) for path, v in _leaves(str(key), value) if is_placeholder(v)]
    return hits


def refusal(stack: str, env: str, hits: list[tuple[str, str]]) -> str:
    """One sentence naming each key to set (and the placeholder it holds)."""
    keys = ", ".join(f"{key} ({value})" for key, value in hits)
    return (
        f"{stack}'s Pulumi.{env}.yaml still holds documentation placeholders, so nothing would "
        f"work once deployed: set {keys} to your own values before deploying to {env}."
    )


def _leaves(path: str, value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(f"{path}.{key}", item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(f"{path}[{index}]", item)
    else:
        yield path, value
