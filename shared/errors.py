"""The one exception type the tasks turn into a plain message instead of a traceback, and the
other ways a command ends without one (a file it cannot use, its output's reader gone)."""

from __future__ import annotations

import atexit
import os
import select
import sys
from pathlib import Path
from typing import Any

# What a shell reports for a command killed by SIGPIPE (128 + 13): `| head -1` closed the pipe.
CLOSED_PIPE_EXIT = 141


class UserError(Exception):
    """A problem the user can fix: a wrong name, an invalid config value, a busy port.

    `tasks.py` prints the message alone and exits with `exit_code`; nothing was changed.
    Exit code 2 follows the command-line convention for a usage error.
    """

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def os_error_message(error: OSError, state_dir: Path) -> str:
    """One sentence for a file the tasks could not read or write, e.g. AIGW_STATE_DIR naming a
    file or a folder without write permission: the path and the system's reason."""
    where = f" {error.filename}" if error.filename else ""
    reason = error.strerror or str(error)
    message = f"Cannot use{where}: {reason}."
    if error.filename and Path(str(error.filename)).is_relative_to(state_dir):
        message += (
            f" The tasks keep their state in {state_dir} (AIGW_STATE_DIR): it must be a folder "
            "you can write to."
        )
    return message


def stdout_closed() -> bool:
    """Whether whoever read our output has gone (`invoke outputs | head -1`): the write end of
    a pipe without a reader polls as an error. A BrokenPipeError with stdout still open is a
    connection's, a real failure."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):  # replaced by a non-file (tests' capture)
        return False
    poller = select.poll()
    poller.register(descriptor, select.POLLOUT)
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))


def silence_stdout() -> None:
    """Send the rest of our output to /dev/null once its reader has gone, so that neither what
    is still buffered nor the interpreter's last flush fails again (with a second traceback)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, ValueError, OSError):
        pass


def end_quietly_when_output_closes() -> None:
    """A closed pipe ends the command without a traceback, wherever the write happens:
    - in a task: tasks.py's wrapper (exit 141, as a shell reports a command killed by SIGPIPE);
    - in invoke's own printing (`--list`, `--help`), outside any task: this hook (same code);
    - in the last flush, after the command finished: this atexit handler (its exit code kept).
    (Restoring SIGPIPE's default action would also do, but it would kill the process on any
    socket whose peer has gone, in the middle of a deploy.)"""
    previous = sys.excepthook
    if getattr(previous, "ends_quietly", False):
        return  # installed already

    def hook(kind: type[BaseException], value: BaseException, trace: Any) -> None:
        if issubclass(kind, BrokenPipeError) and stdout_closed():
            silence_stdout()
            sys.stderr.flush()
            os._exit(CLOSED_PIPE_EXIT)  # the command is over: only the interpreter's exit is left
        previous(kind, value, trace)

    def flush_or_silence() -> None:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            silence_stdout()
        except (AttributeError, ValueError, OSError):
            pass

    hook.ends_quietly = True  # type: ignore[attr-defined]
    sys.excepthook = hook
    atexit.register(flush_or_silence)
