"""Where things live and which names are valid: stacks, environments, state folders."""

from __future__ import annotations

import os
from pathlib import Path

from shared.errors import UserError

REPO_ROOT = Path(__file__).resolve().parent.parent
STACKS_DIR = REPO_ROOT / "stacks"

LOCAL = "local"
# Promotion order: a change flows left to right.
ENVIRONMENTS = (LOCAL, "dev", "staging", "prod")
ALL_STACKS = "all"


def state_dir() -> Path:
    """Root of everything the tools write (engine state, emulator state, logs).

    Tests point AIGW_STATE_DIR at a temporary folder so they never touch a user's state.
    """
    return Path(os.environ.get("AIGW_STATE_DIR", REPO_ROOT / ".state"))


def stack_names() -> list[str]:
    """Every project under stacks/, in a stable order."""
    return sorted(p.parent.name for p in STACKS_DIR.glob("*/Pulumi.yaml"))


def stack_dir(name: str) -> Path:
    return STACKS_DIR / name


def resolve_stacks(name: str) -> list[str]:
    """Turn a --stack argument into project names, or fail with the valid choices."""
    names = stack_names()
    if name == ALL_STACKS:
        return names
    if name not in names:
        choices = ", ".join([*names, ALL_STACKS])
        raise UserError(f"Unknown stack {name!r}. Valid stacks: {choices}.", exit_code=2)
    return [name]


def resolve_env(env: str) -> str:
    """Check an --env argument, or fail with the valid choices."""
    if env not in ENVIRONMENTS:
        raise UserError(
            f"Unknown environment {env!r}. Valid environments: {', '.join(ENVIRONMENTS)}.",
            exit_code=2,
        )
    return env
