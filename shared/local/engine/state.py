"""The engine's record of what it applied: per project and environment, a snapshot and a journal.

Pulumi's own snapshot journaling, in small:
- `<env>.json`, the snapshot: every record as of the last compaction, written atomically (a
  temporary file, fsync, rename).
- `<env>.journal`, one JSON line per change since then, appended as it happens. A change costs
  one short append whatever the size of the stack, where rewriting the snapshot after every
  resource cost more the bigger the stack (26 ms a resource at 300 resources).
Loading replays the journal over the snapshot; `compact` folds it in at the end of a run. A
process killed at any moment leaves a snapshot and whole journal lines (the kernel keeps what
was written; a torn last line, from a power cut, is ignored), so the next run knows everything
that was recorded.

A create is journaled as pending before the emulator is asked, with the physical name it will
carry; the record that follows clears it. A pending operation found by the next run is a
resource that may exist without a record: the engine looks it up and removes it (engine.py).

Both files hold stack outputs, API keys among them, and are readable by their owner only. A lock
file held with `flock` keeps two runs off the same state; the kernel releases it when a process
dies, so a crash never leaves a stale lock behind.
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

# Records say whether the resource is protected (`protect`, Pulumi's flag in its state); a
# record written before they did loads as unprotected, so the version stays.
# 3: a journal next to the snapshot, pending creates and the emulator the state describes.
# 2: records list the inputs the engine filled in (`defaults`); a version 1 record has none and
# its auto-name among its outputs only (see naming.adopt_legacy_name).
FORMAT_VERSION = 3

# Owner read and write only: outputs hold secrets.
PRIVATE = 0o600


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
    # ResourceOptions(protect=True) as last applied: the engine refuses to delete or replace
    # the resource until a deploy records it unprotected (engine.py), as Pulumi does.
    protect: bool = False


@dataclass
class PendingCreate:
    """A create asked of the emulator and not yet recorded: what it was to make."""

    type: str
    name: str
    inputs: dict[str, Any]


@dataclass
class Emulator:
    """The emulator a state was applied to: where it was and which instance it was (an id the
    engine keeps on the emulator itself, so a wiped or other emulator is told apart)."""

    url: str
    instance: str


class StateFileError(UserError):
    """A state file that cannot be read: reported by path with the ways out."""


class StateStore:
    """Resources by state key ('type::name'), replaced ones awaiting deletion, pending creates,
    the stack outputs and the emulator they live on."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.journal_path = path.with_suffix(".journal")
        self._write_lock = threading.Lock()  # the mock runtime registers from worker threads
        self.resources: dict[str, ResourceRecord] = {}
        # Old copies of resources replaced create-before-delete, deleted at the end of a run.
        self.retired: dict[str, ResourceRecord] = {}
        self.pending: dict[str, PendingCreate] = {}
        self.outputs: dict[str, dict[str, Any]] = {}
        self.emulator: Emulator | None = None
        self._journal: Any = None  # opened on the first change
        self._journaled = 0
        if path.exists():
            self._load(self._read_snapshot())
        if self.journal_path.exists():
            self._replay()

    @property
    def exists(self) -> bool:
        """Whether this stack has any state at all (a snapshot or a journal)."""
        return self.path.exists() or self.journal_path.exists()

    @property
    def holds_a_deployment(self) -> bool:
        """Whether anything is recorded as applied, or half-applied, on the emulator."""
        return bool(self.resources or self.retired or self.pending)

    # -- reading ------------------------------------------------------------------------------

    def _read_snapshot(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text())
            if not isinstance(data, dict) or not isinstance(data.get("resources", {}), dict):
                raise ValueError("not an engine state object")
            return data
        except (OSError, ValueError, UnicodeDecodeError) as error:  # OSError: e.g. a folder
            raise self._unreadable(self.path, error) from None

    def _load(self, data: dict[str, Any]) -> None:
        try:
            self.resources = {k: ResourceRecord(**v) for k, v in data["resources"].items()}
            self.retired = {k: ResourceRecord(**v) for k, v in data.get("retired", {}).items()}
            self.pending = {k: PendingCreate(**v) for k, v in data.get("pending", {}).items()}
            self.outputs = dict(data.get("outputs", {}))
            emulator = data.get("emulator")
            self.emulator = Emulator(**emulator) if emulator else None
        except (KeyError, TypeError, AttributeError) as error:
            raise self._unreadable(self.path, error) from None

    def _replay(self) -> None:
        try:
            content = self.journal_path.read_bytes()
        except OSError as error:
            raise self._unreadable(self.journal_path, error) from None
        lines = content.split(b"\n")
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                self._apply(json.loads(line))
            except (ValueError, KeyError, TypeError) as error:
                if number == len(lines):  # a torn last line: its change was never made whole
                    self._cut_torn_tail(len(content) - len(line))
                    break
                raise self._unreadable(self.journal_path, error, line=number) from None
            self._journaled += 1

    def _cut_torn_tail(self, length: int) -> None:
        """Drop the torn line, so the next change starts a line of its own instead of being
        appended to the fragment (which would make a bad line in the middle)."""
        with open(self.journal_path, "r+b") as journal:
            journal.truncate(length)

    def _unreadable(self, path: Path, error: Exception, line: int | None = None) -> StateFileError:
        where = f"{path}" + (f", line {line}" if line else "")
        return StateFileError(
            f"The engine state file {where} cannot be read ({error}). Nothing was changed. "
            "Restore it if you have a copy; otherwise run `invoke reset` to wipe the emulator "
            "and every local state, then deploy again (`invoke refresh` cannot rebuild it: "
            "it reads back the resources a state records)."
        )

    # -- changing -----------------------------------------------------------------------------

    def begin_create(self, key: str, pending: PendingCreate) -> None:
        self._change({"op": "pending", "key": key, "value": asdict(pending)})

    def end_create(self, key: str) -> None:
        """A pending create that made nothing to record (it failed, or was cleaned up)."""
        self._change({"op": "settled", "key": key})

    def put(self, key: str, record: ResourceRecord) -> None:
        self._change({"op": "put", "key": key, "value": asdict(record)})

    def remove(self, key: str) -> None:
        self._change({"op": "remove", "key": key})

    def retire(self, key: str, record: ResourceRecord) -> None:
        self._change({"op": "retire", "key": f"{key}#{record.id}", "value": asdict(record)})

    def forget_retired(self, retired_key: str) -> None:
        self._change({"op": "forget-retired", "key": retired_key})

    def set_outputs(self, outputs: dict[str, dict[str, Any]]) -> None:
        self._change({"op": "outputs", "value": outputs})

    def set_emulator(self, emulator: Emulator) -> None:
        self._change({"op": "emulator", "value": asdict(emulator)})

    def _apply(self, change: dict[str, Any]) -> None:
        op, key = change["op"], change.get("key", "")
        value: Any = change.get("value")
        if op == "put":
            self.resources[key] = ResourceRecord(**value)
            self.pending.pop(key, None)
        elif op == "remove":
            self.resources.pop(key, None)
        elif op == "pending":
            self.pending[key] = PendingCreate(**value)
        elif op == "settled":
            self.pending.pop(key, None)
        elif op == "retire":
            self.retired[key] = ResourceRecord(**value)
        elif op == "forget-retired":
            self.retired.pop(key, None)
        elif op == "outputs":
            self.outputs = dict(value)
        elif op == "emulator":
            self.emulator = Emulator(**value)
        else:
            raise KeyError(f"unknown journal operation {op!r}")

    def _change(self, change: dict[str, Any]) -> None:
        line = json.dumps(change, sort_keys=True, default=str) + "\n"
        with self._write_lock:
            self._apply(json.loads(line))  # what is replayed later is what is applied now
            if self._journal is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE)
                self._journal = os.fdopen(fd, "a")
            self._journal.write(line)
            self._journal.flush()  # in the kernel: survives the process being killed
            self._journaled += 1

    def compact(self) -> None:
        """Fold the journal into a new snapshot (fsynced), then empty the journal."""
        with self._write_lock:
            if not self._journaled and self.path.exists():
                return
            data = {
                "version": FORMAT_VERSION,
                "emulator": asdict(self.emulator) if self.emulator else None,
                "resources": {k: asdict(v) for k, v in self.resources.items()},
                "retired": {k: asdict(v) for k, v in self.retired.items()},
                "pending": {k: asdict(v) for k, v in self.pending.items()},
                "outputs": self.outputs,
            }
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
            try:
                with os.fdopen(fd, "w") as f:  # mkstemp makes it owner-only
                    json.dump(data, f, indent=1, sort_keys=True, default=str)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            # Only once the snapshot holds every change may the journal go.
            if self._journal is not None:
                self._journal.close()
                self._journal = None
            self.journal_path.unlink(missing_ok=True)
            self._journaled = 0

    def close(self) -> None:
        self.compact()


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
