"""Benchmarks of the local path: how long a user waits for deploy, redeploy and destroy.

Figures, not assertions: speed is watched by reading these, never by timed tests. Two views:
- command: `invoke deploy|destroy` as a user types it, interpreter start-up included;
- in-process: the same calls made again in one process, i.e. the engine and the emulator only.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from shared import catalog
from shared.ops import local

Out = Callable[[str], None]
STEPS = ("first deploy", "no-op redeploy", "destroy")


def local_cycle(stack: str, runs: int, out: Out = print) -> dict[str, dict[str, list[float]]]:
    """Time each step `runs` times both ways, the emulator already up; prints a table."""
    quiet: Out = lambda line: None  # noqa: E731
    was_deployed = local.is_deployed(stack)
    local.destroy(stack, out=quiet)  # start from nothing (this also starts the emulator)
    local.start_dependencies(local.engine(stack).config, quiet)

    def command(*args: str) -> Callable[[], object]:
        argv = [sys.executable, "-m", "invoke", *args, f"--stack={stack}"]
        return lambda: subprocess.run(argv, cwd=catalog.REPO_ROOT, check=True, capture_output=True)

    views = {
        "command": (command("deploy"), command("deploy"), command("destroy")),
        "in-process": (
            lambda: local.deploy(stack, out=quiet),
            lambda: local.deploy(stack, out=quiet),
            lambda: local.destroy(stack, out=quiet),
        ),
    }
    timings: dict[str, dict[str, list[float]]] = {
        view: {step: [] for step in STEPS} for view in views
    }
    for view, actions in views.items():
        for _ in range(runs):
            for step, action in zip(STEPS, actions, strict=True):
                started = time.perf_counter()
                action()
                timings[view][step].append(time.perf_counter() - started)
    if was_deployed:  # leave the user's stack as it was
        local.deploy(stack, out=quiet)

    out(f"{stack}: {runs} runs each, emulator already running (seconds)")
    out(f"  {'view':<12}{'step':<16}{'median':>8}{'min':>8}{'max':>8}")
    for view, steps in timings.items():
        for step, values in steps.items():
            out(
                f"  {view:<12}{step:<16}{statistics.median(values):>8.3f}"
                f"{min(values):>8.3f}{max(values):>8.3f}"
            )
    return timings
