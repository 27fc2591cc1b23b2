"""Background servers the tasks start and stop: one pid file each, loopback only, stopped by PID.

A pid file records the pid and port; a server counts as ours only while that pid is alive and
the port answers its readiness check, so a stale pid file (after a reboot, say) is ignored.
What they write is their owner's alone: the run folder is 0700, the pid and log files 0600, and
each server runs with umask 077, so what it saves (the emulator's state holds API key values)
is created private too.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shared.errors import UserError

HOST = "127.0.0.1"
PRIVATE_UMASK = 0o077


def make_private(path: Path) -> None:
    """Owner-only permissions for `path` and, for a folder, everything under it."""
    path.chmod(0o700 if path.is_dir() else 0o600)
    if path.is_dir():
        for child in path.rglob("*"):
            if not child.is_symlink():
                child.chmod(0o700 if child.is_dir() else 0o600)


def private_dir(path: Path) -> Path:
    """Create `path` and its missing parents readable by their owner only."""
    for missing in reversed([p for p in (path, *path.parents) if not p.exists()]):
        missing.mkdir(mode=0o700, exist_ok=True)
    path.chmod(0o700)  # an existing folder keeps the mode it had otherwise
    return path


def _private_file(path: Path, flags: int) -> int:
    fd = os.open(path, flags | os.O_CREAT, 0o600)
    os.fchmod(fd, 0o600)  # a file that existed keeps its mode otherwise
    return fd


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((HOST, port)) == 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def answers(url: str, timeout: float = 1.0) -> bool:
    """True when `url` responds 200 (the readiness check of our servers)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@dataclass(frozen=True)
class Server:
    """A server process of ours on a loopback port, tracked by a pid file under `run_dir`."""

    label: str  # "emulator", "model endpoint": used in messages
    port: int
    run_dir: Path
    ready_path: str  # GET path answering 200 once the server is ready
    port_hint: str  # how to choose another port, shown when this one is taken

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.run_dir / f"{self.port}.pid"

    @property
    def log_file(self) -> Path:
        return self.run_dir / f"{self.port}.log"

    def pid(self) -> int | None:
        """The pid of our running server on this port, or None."""
        try:
            recorded = json.loads(self.pid_file.read_text())
        except (FileNotFoundError, ValueError):
            return None
        pid = recorded.get("pid")
        if not pid or not _alive(pid) or not answers(self.url + self.ready_path):
            return None
        return pid

    def start(self, command: Sequence[str], env: dict[str, str], timeout: float = 30) -> bool:
        """Start the server unless ours already runs; False when it was already running."""
        if self.pid() is not None:
            return False
        if port_in_use(self.port):
            raise UserError(
                f"Cannot start the {self.label}: port {self.port} on {HOST} is taken by another "
                f"program. Stop that program or choose another port ({self.port_hint})."
            )
        private_dir(self.run_dir)
        with os.fdopen(_private_file(self.log_file, os.O_WRONLY | os.O_APPEND), "ab") as log:
            process = subprocess.Popen(
                list(command),
                env={**os.environ, **env},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C in a task must not kill the server
                umask=PRIVATE_UMASK,
            )
        with os.fdopen(_private_file(self.pid_file, os.O_WRONLY | os.O_TRUNC), "w") as pid_file:
            pid_file.write(json.dumps({"pid": process.pid, "port": self.port}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise UserError(
                    f"The {self.label} exited at start (code {process.returncode}); "
                    f"see {self.log_file}."
                )
            if answers(self.url + self.ready_path, timeout=0.5):
                return True
            time.sleep(0.05)
        self._terminate(process.pid)
        raise UserError(
            f"The {self.label} did not become ready in {timeout:.0f} s; see {self.log_file}."
        )

    def stop(self, timeout: float = 15) -> bool:
        """SIGTERM our server (so it can save its state) and wait; False if none was running."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)  # stale or absent
            return False
        self._terminate(pid, timeout)
        self.pid_file.unlink(missing_ok=True)
        return True

    @staticmethod
    def _terminate(pid: int, timeout: float = 15) -> None:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)  # reap it if it is our exited child
        if waited == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_tree(root: int) -> set[int]:
    """`root` and every process descended from it (Linux: read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command name (field 2) is in parentheses and may hold spaces: split after it.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo.extend(children.get(pid, []))
    return tree


def resident_bytes(pids: set[int]) -> int:
    """Sum of the resident memory (VmRSS) of `pids`; processes gone meanwhile count 0."""
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024  # kB
    return total
