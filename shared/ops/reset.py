"""`invoke reset`: start the `local` environment over, with nothing on the emulator and no state.

The way out when the emulator and the engine's state no longer describe each other and the
resources themselves are not worth keeping. It deletes every resource on the emulator at hand
(whoever made it) and the local state of every stack, so it asks first.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from shared import catalog
from shared.errors import UserError
from shared.local import emulator
from shared.local.engine.state import exclusive

Out = Callable[[str], None]
Ask = Callable[[str], str]


def engine_dir() -> Path:
    """Every project's local engine state: snapshots, journals, locks, release records."""
    return catalog.state_dir() / "engine"


def stacks_with_state() -> list[str]:
    """The projects that have local state (deployed, destroyed or half-way), sorted."""
    root = engine_dir()
    return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.exists() else []


def command(confirmed: bool, *, out: Out = print, ask: Ask | None = None) -> None:
    """Ask (unless `confirmed`), then wipe the emulator and the local state of every stack.

    `ask` shows the prompt and returns the answer; by default it reads the terminal, and with
    no terminal to ask on (CI) the reset is refused rather than assumed."""
    server = emulator.server()
    stacks = stacks_with_state()
    if not confirmed:
        if ask is None:
            if sys.stdin is None or not sys.stdin.isatty():
                raise UserError(
                    "Refusing to reset without confirmation: there is no terminal to ask on, "
                    "so run `invoke reset --yes` to delete everything on the emulator and all "
                    "local state."
                )
            ask = input
        listed = f": {', '.join(stacks)}" if stacks else ""
        try:
            answer = ask(
                f"This deletes every resource on the emulator at {server.url} and the local "
                f"state of {len(stacks)} stack{'' if len(stacks) == 1 else 's'}{listed}. Type "
                "'yes' to continue: "
            )
        except (EOFError, KeyboardInterrupt):  # Ctrl-D or Ctrl-C at the prompt
            answer = ""
        if answer.strip() != "yes":
            raise UserError("Reset cancelled; nothing was changed.")
    with _every_stack_locked(stacks):
        was_running = emulator.reset(server)
        shutil.rmtree(engine_dir(), ignore_errors=True)
    where = "emptied" if was_running else "was not running; its saved state was deleted"
    out(f"The emulator at {server.url} {where}.")
    out(f"Deleted the local state of {len(stacks)} stack{'' if len(stacks) == 1 else 's'}.")


@contextmanager
def _every_stack_locked(stacks: list[str]) -> Iterator[None]:
    """The engine's lock of every stack, so no deploy or destroy runs while its state goes."""
    with ExitStack() as locks:
        for project in stacks:
            lock = engine_dir() / project / f"{catalog.LOCAL}.lock"
            locks.enter_context(exclusive(lock, f"{project}/{catalog.LOCAL}"))
        yield
