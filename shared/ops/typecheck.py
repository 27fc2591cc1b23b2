"""The type checker's runs, for `invoke lint`: the package and the tasks, then each stack.

Each stack folder is checked on its own, as the Pulumi CLI runs it (the folder first on the
path, so `settings` and `functions.*` are that stack's), and its function code once more from
inside `functions/`, as Lambda imports it (the zip's root on the path).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from shared import catalog


def runs() -> list[tuple[Path, list[str]]]:
    """(working folder, mypy arguments) for every run."""
    config = str(catalog.REPO_ROOT / "pyproject.toml")
    found: list[tuple[Path, list[str]]] = [(catalog.REPO_ROOT, ["shared", "tasks.py"])]
    # Each Pulumi program (every stack, and the bootstrap) by itself: each has its own
    # `settings` and `__main__` modules.
    for folder in [*map(catalog.stack_dir, catalog.stack_names()), catalog.BOOTSTRAP_DIR]:
        programs = sorted(p.name for p in folder.glob("*.py"))
        found.append((folder, ["--config-file", config, "--explicit-package-bases", *programs]))
        functions = sorted(p.name for p in (folder / "functions").glob("*.py"))
        if functions:
            found.append((folder / "functions", ["--config-file", config, *functions]))
    # The policy pack: its rules package, imported by the pack's __main__ from its own folder.
    found.append((catalog.POLICY_PACK_DIR, ["--config-file", config, "__main__.py", "aigw_policy"]))
    return found


def check() -> bool:
    """Run every check, printing mypy's findings; True when all pass."""
    ok = True
    # One cache for every run: pulumi-aws is analysed once, not once per stack.
    cache = str(catalog.REPO_ROOT / ".mypy_cache")
    env = {**os.environ, "MYPYPATH": str(catalog.REPO_ROOT), "MYPY_CACHE_DIR": cache}
    for folder, args in runs():
        done = subprocess.run([sys.executable, "-m", "mypy", *args], cwd=folder, env=env)
        ok = ok and done.returncode == 0
    return ok
