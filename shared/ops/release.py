"""Which commit each environment runs: recorded on every deploy, read back by promotion.

- `local`: a small JSON file beside the engine state,
  `<state dir>/engine/<project>/<env>.release.json` = `{"commit": "<sha>", "dirty": false}`,
  written atomically.
- dev/staging/prod: Pulumi stack tags set through the Automation API, `aigw:commit` (the sha,
  or `unknown` outside a git checkout) and `aigw:dirty` (`true`/`false`). Self-managed
  backends (s3://, file://) keep stack tags from Pulumi CLI 3.211 on.

The commit is that of the working tree the deploy ran from (`git rev-parse HEAD`); `dirty`
says `git status --porcelain` listed anything, untracked files included. The repository is
`AIGW_REPO_DIR` when set (tests point it at a temporary repository), else this checkout.

Also here: which stacks a range of commits touched (`changed_stacks`), for the pipeline.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shared import catalog
from shared.errors import UserError
from shared.ops.stack_files import project_name

Out = Callable[[str], None]

COMMIT_TAG = "aigw:commit"
DIRTY_TAG = "aigw:dirty"
UNKNOWN = "unknown"
REPO_DIR_VARIABLE = "AIGW_REPO_DIR"
# A change to any of these can change what every stack deploys: the components the programs
# import (and the package modules they import), the runtime packaged into every Lambda zip, and
# the dependency pins. What only runs locally or in the tasks (shared/local/, shared/ops/,
# tasks.py) changes nothing deployed, so it delivers nothing.
SHARED_PATHS = (
    "shared/components/",
    "shared/runtime/",
    "shared/__init__.py",
    "shared/catalog.py",
    "shared/errors.py",
)
# pyproject.toml counts only where it pins what the programs run with; its tool settings
# (ruff, mypy, pytest) and the dev extra deliver nothing.
PINS = "pyproject.toml"
# A stack's own folder delivers it, except its local environment's file, which no pipeline reads.
LOCAL_ONLY = (f"Pulumi.{catalog.LOCAL}.yaml",)


@dataclass(frozen=True)
class Release:
    """The source of a deploy. `commit` is None when it did not come from a git checkout."""

    commit: str | None
    dirty: bool

    @property
    def short(self) -> str:
        return self.commit[:12] if self.commit else UNKNOWN

    def describe(self) -> str:
        if self.commit is None:
            return "an unknown commit (not a git checkout)"
        return f"{self.short}" + (" with uncommitted changes" if self.dirty else "")


def repo_dir() -> Path:
    return Path(os.environ.get(REPO_DIR_VARIABLE) or catalog.REPO_ROOT)


def _git(*args: str, repo: Path | None = None) -> str | None:
    """The output of a git command in the repository, or None when git or the repo is missing."""
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=repo or repo_dir(),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def current(repo: Path | None = None) -> Release:
    """The working tree now: HEAD and whether anything differs from it. Never raises."""
    head = _git("rev-parse", "--verify", "HEAD", repo=repo)
    if head is None:
        return Release(None, True)
    status = _git("status", "--porcelain", repo=repo)
    return Release(head.strip(), status is None or bool(status.strip()))


# --- recording -----------------------------------------------------------------------------


def release_file(stack: str, env: str) -> Path:
    project = project_name(catalog.stack_dir(stack))
    return catalog.state_dir() / "engine" / project / f"{env}.release.json"


def record(stack: str, env: str, release: Release, *, out: Out = print) -> None:
    """Remember that `stack` in `env` now runs `release` (after a successful deploy)."""
    if env == catalog.LOCAL:
        _write_json(release_file(stack, env), {"commit": release.commit, "dirty": release.dirty})
    else:
        from shared.ops import cloud
        from shared.ops.cloud_errors import cli_errors

        with cli_errors(stack, env, "record the deployed commit of"):
            target = cloud._open(stack, env, create=False)
            target.set_tag(COMMIT_TAG, release.commit or UNKNOWN)
            target.set_tag(DIRTY_TAG, "true" if release.dirty else "false")
            kept = target.list_tags().get(COMMIT_TAG)
        if kept != (release.commit or UNKNOWN):
            # Self-managed backends ignored stack tags before CLI 3.211.
            raise UserError(
                f"{stack}/{env} was deployed, but the Pulumi CLI did not keep the stack tag "
                f"{COMMIT_TAG}, so it cannot be promoted; use Pulumi CLI 3.211 or newer."
            )
    out(f"Recorded {stack}/{env} as deployed from {release.describe()}.")


def recorded(stack: str, env: str) -> Release | None:
    """What `record` last wrote for `stack` in `env`, or None if nothing was recorded."""
    if env == catalog.LOCAL:
        path = release_file(stack, env)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            raise UserError(f"{path} is unreadable; deploy {stack} again to rewrite it.") from None
        return Release(data.get("commit") or None, bool(data.get("dirty", True)))
    from shared.ops import cloud
    from shared.ops.cloud_errors import cli_errors

    with cli_errors(stack, env, "read the deployed commit of"):
        target = cloud._open_existing(stack, env)
        tags = target.list_tags() if target is not None else {}
    commit = tags.get(COMMIT_TAG)
    if not commit:
        return None
    return Release(None if commit == UNKNOWN else commit, tags.get(DIRTY_TAG, "true") != "false")


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, sort_keys=True)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- what changed --------------------------------------------------------------------------


def changed_stacks(since: str | None, repo: Path | None = None) -> list[str]:
    """Stacks whose files, or whose shared code (`SHARED_PATHS`), changed between `since` and
    HEAD. Every stack when `since` is empty, all zeros, or not a commit of this repository."""
    names = catalog.stack_names()
    if not since or set(since) == {"0"} or since.startswith("-"):
        return names  # `-...` is no commit, and git would read it as an option (`--all`)
    diff = _git("diff", "--name-only", f"{since}...HEAD", repo=repo)
    if diff is None:
        diff = _git("diff", "--name-only", since, "HEAD", repo=repo)
    if diff is None:
        return names
    paths = [line.strip() for line in diff.splitlines() if line.strip()]
    if any(p.startswith(SHARED_PATHS) for p in paths):
        return names
    if PINS in paths and _pins(since, repo) != _pins("HEAD", repo):
        return names
    touched = {
        p.split("/")[1]
        for p in paths
        if p.startswith("stacks/") and p.count("/") >= 2 and p.split("/")[-1] not in LOCAL_ONLY
    }
    return [name for name in names if name in touched]


def _pins(commit: str, repo: Path | None) -> object:
    """What pyproject.toml at `commit` pins for the programs: Python and the dependencies."""
    text = _git("show", f"{commit}:{PINS}", repo=repo)
    try:
        project = tomllib.loads(text or "").get("project", {})
    except tomllib.TOMLDecodeError:
        return text  # unreadable: compared as text, so any change counts
    return (project.get("requires-python"), sorted(project.get("dependencies", [])))
