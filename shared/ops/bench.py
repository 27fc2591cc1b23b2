"""Benchmarks of the local path: how long a user waits for deploy, redeploy and destroy.

Figures, not assertions: speed is watched by reading these, never by timed tests.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from shared.ops import local

Out = Callable[[str], None]


def local_cycle(stack: str, runs: int, out: Out = print) -> dict[str, list[float]]:
    """Time first deploy, no-op redeploy and destroy `runs` times, the emulator already up."""
    quiet: Out = lambda line: None  # noqa: E731
    was_deployed = local.is_deployed(stack)
    local.destroy(stack, out=quiet)  # start from nothing (this also starts the emulator)
    local.start_dependencies(local.engine(stack).config, quiet)
    timings: dict[str, list[float]] = {"first deploy": [], "no-op redeploy": [], "destroy": []}
    for _ in range(runs):
        for label, action in (
            ("first deploy", lambda: local.deploy(stack, out=quiet)),
            ("no-op redeploy", lambda: local.deploy(stack, out=quiet)),
            ("destroy", lambda: local.destroy(stack, out=quiet)),
        ):
            started = time.perf_counter()
            action()
            timings[label].append(time.perf_counter() - started)
    if was_deployed:  # leave the user's stack as it was
        local.deploy(stack, out=quiet)
    out(f"{stack}: {runs} runs, emulator already running (seconds)")
    out(f"  {'step':<16}{'median':>8}{'min':>8}{'max':>8}")
    for label, values in timings.items():
        out(f"  {label:<16}{statistics.median(values):>8.3f}{min(values):>8.3f}{max(values):>8.3f}")
    return timings
