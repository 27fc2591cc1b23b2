"""`invoke test`: the whole suite, spread over worker processes (pytest-xdist).

Most of the suite's time is not a core computing but a test waiting: on the emulator's answers,
a fake `pulumi` process, a Lambda worker, a server starting. So it runs in more processes than
the machine has cores (two per core), each with its own emulator and state folder
(tests/conftest.py), and tests are handed out as workers free up (`worksteal`), so one slow
module does not hold the end of the run.
"""

from __future__ import annotations

import os
import subprocess
import sys

from shared.errors import UserError

WORKERS_PER_CORE = 2


def default_workers() -> int:
    return WORKERS_PER_CORE * (os.cpu_count() or 1)


def run(k: str | None = None, quick: bool = False, workers: str | None = None) -> int:
    """Run pytest; returns its exit code. `workers`: a number of processes, or 0 to run the
    suite in this one process (what a debugger or `--pdb` needs)."""
    count = _workers(workers)
    args = [sys.executable, "-m", "pytest"]
    if count:
        args += ["-n", str(count), "--dist", "worksteal"]
    if k:
        args += ["-k", k]
    if quick:
        args += ["-m", "not emulator"]
    # Every test that runs a task, a fake `pulumi` or a crash child starts a Python that imports
    # the engine again: with PYTHONDONTWRITEBYTECODE set (some shells and images set it), each
    # would compile this project's modules anew. Their bytecode goes to __pycache__ (ignored).
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    return subprocess.run(args, env=env).returncode


def _workers(given: str | None) -> int:
    if given is None:
        return default_workers()
    try:
        count = int(given)
    except ValueError:
        count = -1
    if count < 0:
        raise UserError(
            f"--workers must be a whole number of processes (0: none, run in this process), "
            f"not {given!r}.",
            exit_code=2,
        )
    return count
