"""The engine's record of what it applied: one JSON file per project and environment.

Every change is written at once and atomically (write a temporary file, fsync, rename), so a crash
or Ctrl-C between two resources leaves a file describing exactly what exists, and the next run
converges from there. A lock file held with `flock` keeps two runs off the same state; the kernel
releases it when a process dies, so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from shared.errors import UserError

# 2: records list the inputs the engine filled in (`defaults`); a version 1 record has none and
# its auto-name among its outputs only (see naming.adopt_legacy_name).
FORMAT_VERSION = 2


@dataclass
class ResourceRecord:
    type: str
    name: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    dependencies: list[str] = field(default_factory=list)
    # Inputs the engine filled in, not the program: the auto-name (Pulumi's `__defaults`).
    defaults: list[str] = field(default_factory=list)


class StateStore:
    """Resources by state key ('type::name'), replaced ones awaiting deletion, and stack outputs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._write_lock = threading.Lock()  # the mock runtime registers from worker threads
        self.resources: dict[str, ResourceRecord] = {}
        # Old copies of resources replaced create-before-delete, deleted at the end of a run.
        self.retired: dict[str, ResourceRecord] = {}
        self.outputs: dict[str, dict[str, Any]] = {}
        if path.exists():
            self._load(json.loads(path.read_text()))

    def _load(self, data: dict[str, Any]) -> None:
        self.resources = {k: ResourceRecord(**v) for k, v in data.get("resources", {}).items()}
        self.retired = {k: ResourceRecord(**v) for k, v in data.get("retired", {}).items()}
        self.outputs = data.get("outputs", {})

    def put(self, key: str, record: ResourceRecord) -> None:
        with self._write_lock:
            self.resources[key] = record
            self._save()

    def remove(self, key: str) -> None:
        with self._write_lock:
            self.resources.pop(key, None)
            self._save()

    def retire(self, key: str, record: ResourceRecord) -> None:
        with self._write_lock:
            self.retired[f"{key}#{record.id}"] = record
            self._save()

    def forget_retired(self, retired_key: str) -> None:
        with self._write_lock:
            self.retired.pop(retired_key, None)
            self._save()

    def set_outputs(self, outputs: dict[str, dict[str, Any]]) -> None:
        with self._write_lock:
            self.outputs = outputs
            self._save()

    def _save(self) -> None:
        data = {
            "version": FORMAT_VERSION,
            "resources": {k: asdict(v) for k, v in self.resources.items()},
            "retired": {k: asdict(v) for k, v in self.retired.items()},
            "outputs": self.outputs,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(data, f, indent=1, sort_keys=True, default=str)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


@contextmanager
def exclusive(lock_path: Path, what: str) -> Iterator[None]:
    """Hold the lock for `what` (e.g. 'myproject/local') or fail at once if another run holds it."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise UserError(
                f"Another deploy or destroy of {what} is running (pid {holder}); "
                "wait for it to finish, then try again."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
