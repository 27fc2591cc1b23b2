"""Where things live and which names are valid: stacks, environments, state folders."""

from __future__ import annotations

import os
from pathlib import Path

from shared.errors import UserError

REPO_ROOT = Path(__file__).resolve().parent.parent
STACKS_DIR = REPO_ROOT / "stacks"
# The account's one-time set-up: a Pulumi project of its own, outside stacks/ because it is not a
# pattern (`--stack=all` never touches it).
BOOTSTRAP = "bootstrap"
BOOTSTRAP_DIR = REPO_ROOT / "bootstrap"
# The one CrossGuard policy pack: the Pulumi CLI runs it on every AWS preview and update
# (`--policy-pack`), the local engine calls the same validate functions at plan time.
POLICY_PACK_DIR = REPO_ROOT / "policy"

LOCAL = "local"
# Promotion order: a change flows left to right.
ENVIRONMENTS = (LOCAL, "dev", "staging", "prod")
ALL_STACKS = "all"


def state_dir() -> Path:
    """Root of everything the tools write (engine state, emulator state, logs).

    Tests point AIGW_STATE_DIR at a temporary folder so they never touch a user's state.
    """
    # Empty is unset: `AIGW_STATE_DIR= invoke ...` must not write the state into the cwd.
    return Path(os.environ.get("AIGW_STATE_DIR") or REPO_ROOT / ".state")


def stack_names() -> list[str]:
    """Every project under stacks/, in a stable order."""
    return sorted(p.parent.name for p in STACKS_DIR.glob("*/Pulumi.yaml"))


def stack_dir(name: str) -> Path:
    return STACKS_DIR / name


def project_dir(name: str) -> Path:
    """The folder of a pattern stack, or of the bootstrap project."""
    return BOOTSTRAP_DIR if name == BOOTSTRAP else stack_dir(name)


def stack_choices(*, one: bool = False) -> str:
    """The valid --stack values, for a message: `all` too, unless the task takes `one` stack."""
    names = stack_names()
    return ", ".join(names if one else [*names, ALL_STACKS])


def resolve_stacks(name: str, *, one: bool = False) -> list[str]:
    """Turn a --stack argument into project names, or fail with the valid choices; with `one`,
    the task takes exactly one stack, and `all` is neither taken nor offered."""
    names = stack_names()
    choices = stack_choices(one=one)
    if name == ALL_STACKS:
        if one:
            raise UserError(
                f"Choose one stack with --stack, not all. Valid stacks: {choices}.", exit_code=2
            )
        return names
    if name == BOOTSTRAP and name not in names:
        raise UserError(
            "bootstrap is the account's one-time set-up, not a pattern stack: deploy it with "
            "`invoke bootstrap --env=<env>`; no task destroys it (see the README's one-time "
            f"set-up). Valid stacks: {choices}.",
            exit_code=2,
        )
    if name not in names:
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
