"""`invoke dev --stack=<name>`: deploy a stack locally, then redeploy it on each saved change.

Watched is what a deploy of the stack reads and people edit: the stack's folder (program,
settings, config, handlers, smoke checks), the shared code (`shared/`: the components the
program imports, the handler runtime every Lambda zip packages, the engine), and the policy
pack every plan is checked against (`policy/`). Not watched: `shared/ops`, the tasks' own code
(`invoke dev` included), which a running watcher cannot take in (restart it), and what tools
write next to sources (`__pycache__`, `.pyc`, editor swap and lock files, `.state`).

Each deploy runs in a fresh interpreter (`python -m shared.ops.dev <stack>`): the engine runs
the program in its own process, and Python keeps every module it imported (`shared.components`,
`shared.runtime`), so a second run in the watcher's process would not see a changed component.
The fresh interpreter costs about 0.8 s of imports per redeploy (measured on 2 cores: a no-op
redeploy of proxy takes 1.9 s, of which the deploy 1.1 s), and nothing of one run (a
half-registered program, a module that failed to import) can leak into the next.

After each deploy the stack's smoke checks (`shared.ops.smoke`) run: one summary line, plus a
line per failed check. A failing deploy (bad config, a syntax error, a program that raises)
prints its error and the watcher waits for the next save. What no save can fix (an unusable
AIGW_STATE_DIR, an unreadable engine state, an emulator port taken by another program) ends
`invoke dev` before it watches, with the error `invoke deploy` gives.
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path

import watchfiles

from shared import catalog
from shared.errors import UserError
from shared.local.engine.state import StateStore

Out = Callable[[str], None]

SHARED_DIR = catalog.REPO_ROOT / "shared"
TASKS_CODE = SHARED_DIR / "ops"
# How often the watcher looks up from waiting for changes (the first time: it watches now).
_WAKE_MS = 200


def watched_paths(stack: str) -> list[Path]:
    return [catalog.stack_dir(stack), SHARED_DIR, catalog.POLICY_PACK_DIR]


class SourceChanges(watchfiles.DefaultFilter):
    """Saved sources only: watchfiles' default filter (`__pycache__`, `.pyc`, `.swp`, `~`,
    `.#lock`) plus `.state`, Emacs autosaves (`#file#`), vim's write test (`4913`), and
    anything under the folders given."""

    ignore_dirs = (*watchfiles.DefaultFilter.ignore_dirs, ".state", ".ruff_cache")
    ignore_entity_patterns = (
        *watchfiles.DefaultFilter.ignore_entity_patterns,
        r"^#.*#$",
        r"^4913$",
    )

    def __init__(self, skipped: Iterable[Path] = ()) -> None:
        super().__init__()
        self.skipped = tuple(skipped)

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        if any(Path(path).is_relative_to(folder) for folder in self.skipped):
            return False
        return super().__call__(change, path)


def run(
    stack: str | None,
    env: str,
    *,
    out: Out = print,
    stop: threading.Event | None = None,
) -> None:
    """Deploy `stack` to local, then redeploy it after each batch of saved changes until
    Ctrl-C, or until `stop` is set (how a test ends it)."""
    from shared.ops import local
    from shared.ops.commands import one_stack

    [name], env = one_stack(stack, env)
    if env != catalog.LOCAL:
        raise UserError(
            f"Dev mode is local only: it redeploys to the emulator on each save. Deploy to {env} "
            f"with `invoke deploy --stack={name} --env={env}`.",
            exit_code=2,
        )
    paths = watched_paths(name)
    refuse_what_no_save_fixes(name, out)
    try:
        redeploy(name, out=out, first=True)
        changes_seen = watchfiles.watch(
            *paths,
            watch_filter=SourceChanges(skipped=[TASKS_CODE]),
            stop_event=stop,
            rust_timeout=_WAKE_MS,
            yield_on_timeout=True,
        )
        watching = False
        for changes in changes_seen:
            if not watching:
                shown = ", ".join(_relative(p) for p in paths)
                out(f"Watching {shown} (Ctrl-C stops).")
                watching = True
            if changed := saved(changes):
                out(f"Changed {_listed(changed)}: redeploying {name}.")
                redeploy(name, out=out)
    except KeyboardInterrupt:
        pass
    if local.is_deployed(name):
        out(f"Stopped watching; {name} stays deployed (invoke destroy --stack={name} removes it).")
    else:  # its first deploy failed, or was interrupted before anything was applied
        out(f"Stopped watching; {name} is not deployed.")


def refuse_what_no_save_fixes(stack: str, out: Out) -> None:
    """Fail before watching, as `invoke deploy` would, on what no saved change can repair (a
    redeploy would only repeat it): an unusable AIGW_STATE_DIR (an OSError naming it), an
    unreadable engine state, an emulator that cannot start (UserErrors saying how to recover)."""
    from shared.ops import local

    state_dir = catalog.state_dir()
    state_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=state_dir):
        pass  # it can be written to
    StateStore(local.state_path(stack))  # reading it raises StateFileError when it is corrupt
    local.start_dependencies({}, out)


def redeploy(stack: str, *, out: Out = print, first: bool = False) -> bool:
    """One deploy and smoke run of `stack`, in a fresh interpreter; its lines go to `out`.
    True when the deploy and every check passed."""
    command = [sys.executable, "-m", "shared.ops.dev", stack, "--stacks", str(catalog.STACKS_DIR)]
    command += ["--first"] if first else []
    with subprocess.Popen(
        command,
        cwd=catalog.REPO_ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},  # each line as it is printed
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as child:
        assert child.stdout is not None
        try:
            for line in child.stdout:
                out(line.rstrip("\n"))
        except KeyboardInterrupt:
            # It had the same Ctrl-C: it records what it applied and says so, then ends.
            for line in child.stdout:
                out(line.rstrip("\n"))
            raise
    if child.returncode not in (0, 1):
        out(f"The deploy ended with exit code {child.returncode}.")
    return child.returncode == 0


def deploy_and_check(stack: str, *, out: Out = print, first: bool = False) -> bool:
    """What one redeploy does, in the fresh interpreter: `invoke deploy`'s deploy (its plan,
    each applied resource, the outputs the first time), then the smoke checks, summed up."""
    from shared.ops import commands

    def shown(text: str) -> None:
        if first or not text.startswith("Outputs:"):
            out(text)

    try:
        commands.deploy(stack, catalog.LOCAL, out=shown)
    except UserError as error:
        out(f"Error: {error}")
        return False
    except Exception as error:  # the program's own: a syntax error, an exception it raised
        out(f"Error: {_described(error, catalog.stack_dir(stack))}")
        return False
    return _smoke(stack, out)


def _smoke(stack: str, out: Out) -> bool:
    from shared.ops import credentials, smoke

    try:
        checks = smoke.load(stack)
        outputs = credentials.stack_outputs(stack, catalog.LOCAL)
        caller = smoke.caller_of(stack, catalog.LOCAL, outputs)
    except UserError as error:
        out(f"Smoke checks not run: {error}")
        return False
    result = smoke.run_checks(
        checks, outputs, stack=stack, env=catalog.LOCAL, caller=caller, out=lambda line: None
    )
    out(result.summary())
    for failure in result.failures:
        out(f"  {failure.line()}")
    return result.passed


def _described(error: BaseException, program_dir: Path) -> str:
    """The error in one line, with where in the stack's own code it was raised."""
    text = f"{type(error).__name__}: {error}"
    if isinstance(error, SyntaxError):
        return text  # its message already says the file and line
    folder = str(program_dir.resolve())
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith(folder)]
    if frames:
        where = frames[-1]
        text += f" ({_relative(Path(where.filename))}, line {where.lineno})"
    return text


def saved(changes: set[tuple[watchfiles.Change, str]]) -> list[Path]:
    """The files a batch of changes touched, but for those it created and deleted again (an
    editor's or `sed -i`'s temporary file): nothing to redeploy when only those changed."""
    kinds: dict[str, set[watchfiles.Change]] = {}
    for kind, path in changes:
        kinds.setdefault(path, set()).add(kind)
    temporary = {watchfiles.Change.added, watchfiles.Change.deleted}
    return sorted(
        Path(path)
        for path, seen in kinds.items()
        if not (temporary <= seen and not os.path.lexists(path))
    )


def _listed(paths: list[Path]) -> str:
    shown = [_relative(path) for path in paths]
    return ", ".join(shown[:3]) + (f" and {len(shown) - 3} more" if len(shown) > 3 else "")


def _relative(path: Path) -> str:
    for root in (catalog.STACKS_DIR.parent, catalog.REPO_ROOT):
        if path.is_relative_to(root):
            return str(path.relative_to(root))
    return str(path)


def main(argv: list[str] | None = None) -> int:
    """The fresh interpreter's entry point (not a task): one deploy and smoke run."""
    parser = argparse.ArgumentParser(prog="python -m shared.ops.dev")
    parser.add_argument("stack")
    parser.add_argument("--stacks", help="the folder of stacks (a test's copy)")
    parser.add_argument("--first", action="store_true", help="the first deploy: show outputs")
    args = parser.parse_args(argv)
    if args.stacks:
        catalog.STACKS_DIR = Path(args.stacks)
    gc.disable()  # as in tasks.py: a short-lived process, its garbage goes with it
    try:
        return 0 if deploy_and_check(args.stack, first=args.first) else 1
    except KeyboardInterrupt:
        print("Interrupted. What was applied is recorded; the next save deploys again.")
        return 130


if __name__ == "__main__":
    code = main()
    # The state is written and closed by now: the interpreter's teardown (the SDK's threads,
    # every module's objects) would only keep the watcher waiting, 0.7-2 s here.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
