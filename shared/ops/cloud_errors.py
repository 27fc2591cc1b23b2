"""Turn what the Pulumi CLI and the Automation API raise into one plain sentence (`UserError`).

The Automation API reports a failed CLI command as `auto.CommandError`, whose text is
`"\\n code: N\\n stdout: ...\\n stderr: ..."`; the CLI result itself is not kept on the
exception, so the streams are recovered from that text. A missing `pulumi` binary surfaces
as a plain `FileNotFoundError` (from `pulumi version` or from starting any command).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pulumi import automation as auto

from shared import catalog
from shared.errors import UserError

INSTALL_URL = "https://www.pulumi.com/docs/install/"
NOT_INSTALLED = (
    "The Pulumi CLI is not installed: it is needed for the dev/staging/prod environments. "
    f"Install it ({INSTALL_URL}) or use --env=local, which needs no CLI."
)

# Texts the CLI writes to stderr (pkg/backend and pkg/secrets/passphrase in pulumi/pulumi).
_CONCURRENT_TEXTS = (
    "[409] Conflict: Another update is currently in progress",  # Pulumi Cloud
    "the stack is currently locked",  # file:// and s3:// backends
)
_PASSPHRASE_MISSING = re.compile(r"passphrase must be set with PULUMI_CONFIG_PASSPHRASE", re.I)
_PASSPHRASE_WRONG = re.compile(r"incorrect passphrase", re.I)
_NOT_LOGGED_IN = re.compile(r"PULUMI_ACCESS_TOKEN must be set for login", re.I)

_RESULT = re.compile(
    r"\A\s*code: (?P<code>-?\d+)\n stdout: (?P<stdout>.*)\n stderr: (?P<stderr>.*)\Z", re.S
)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_ERROR_PREFIX = re.compile(r"^error:\s*", re.I)
# A mandatory violation in the CLI's "Policies:" report, then the policy's description and the
# violation's message on the lines below (pkg/backend/display in pulumi/pulumi):
#         - [mandatory]  requires-credentials  (aws:apigateway/method:Method: api-get)
#           Every REST method and HTTP API route outside local requires credentials.
#           The GET method 'api-get' accepts calls without credentials: set ...
# A stack validation's violation about no resource in particular is shown on the stack.
_STACK = "pulumi:pulumi:Stack"
_MANDATORY = re.compile(r"^\s*- \[mandatory\]\s+(?P<rule>\S+)\s+\((?P<resource>[^)]*)\)\s*$")
# The CLI's closing line after a failed operation; the reason is on another line.
_GENERIC = re.compile(r"^error:\s*(update|preview|destroy|refresh)\s+(failed|canceled)\.?$", re.I)


def project_label(stack: str) -> str:
    """`stacks/<name>` relative to the repository when it lives there, else the full path."""
    path = Path(catalog.stack_dir(stack))
    try:
        return str(path.resolve().relative_to(catalog.REPO_ROOT))
    except ValueError:
        return str(path)


def command_streams(exc: auto.CommandError) -> tuple[str, str, int | None]:
    """(stdout, stderr, exit code) of the failed CLI command behind `exc`."""
    match = _RESULT.match(str(exc))
    if not match:
        return "", str(exc), None
    return match["stdout"], match["stderr"], int(match["code"])


def _clean(text: str) -> list[str]:
    return [line.strip() for line in _ANSI.sub("", text).splitlines() if line.strip()]


def meaningful_lines(stderr: str, stdout: str = "", limit: int = 2) -> list[str]:
    """The lines that say what went wrong, without the `error:` prefix.

    Prefer specific `error:` lines on stderr, then specific `error:` lines in the stdout
    diagnostics (the CLI may only write "error: update failed" to stderr), then the generic
    closing line, then the last non-empty stderr line.
    """
    err_lines = _clean(stderr)
    err_errors = [line for line in err_lines if _ERROR_PREFIX.match(line)]
    out_errors = [line for line in _clean(stdout) if _ERROR_PREFIX.match(line)]
    for candidates in (
        [line for line in err_errors if not _GENERIC.match(line)],
        [line for line in out_errors if not _GENERIC.match(line)],
        err_errors,
        err_lines[-1:],
    ):
        if candidates:
            picked = list(dict.fromkeys(candidates))[-limit:]
            return [_ERROR_PREFIX.sub("", line) for line in picked]
    return []


def policy_violations(stdout: str) -> list[tuple[str, str, str]]:
    """(rule, message, resource) of each mandatory violation the CLI reported."""
    lines = _ANSI.sub("", stdout).splitlines()
    found = []
    for i, line in enumerate(lines):
        match = _MANDATORY.match(line)
        if match is None:
            continue
        # The description, then the message until the next item or the end of the report.
        message: list[str] = []
        for following in lines[i + 2 :]:
            if not following.startswith("          ") or _MANDATORY.match(following):
                break
            message.append(following.strip())
        resource = match["resource"].replace(": ", " ", 1)
        found.append((match["rule"], " ".join(message), resource))
    return found


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."


def describe_command_error(exc: auto.CommandError, stack: str, env: str, doing: str) -> str:
    """One sentence for a failed CLI command; `doing` is e.g. "deploy" or "preview"."""
    stdout, stderr, code = command_streams(exc)
    both = f"{stderr}\n{stdout}"
    if isinstance(exc, auto.ConcurrentUpdateError) or any(t in both for t in _CONCURRENT_TEXTS):
        return (
            f"Another update of {stack}/{env} is in progress; wait for it or run "
            f"`pulumi cancel --stack {env}` in {project_label(stack)}."
        )
    if _PASSPHRASE_MISSING.search(both):
        return (
            "Set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to the passphrase "
            f"of the {env} stack's secrets."
        )
    if _PASSPHRASE_WRONG.search(both):
        return (
            "PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) does not unlock the "
            f"{env} stack's secrets; set the passphrase that stack was created with."
        )
    if _NOT_LOGGED_IN.search(both):
        return (
            "The Pulumi CLI is not logged in: set PULUMI_ACCESS_TOKEN for Pulumi Cloud, or set "
            "PULUMI_BACKEND_URL to your state backend (file://... or s3://...)."
        )
    if violations := policy_violations(stdout):
        listed = "; ".join(
            f"{rule}: {message.rstrip('.')}"
            + ("" if resource.startswith(_STACK) else f" ({resource})")
            for rule, message, resource in violations
        )
        return _sentence(f"The policy pack refused to {doing} {stack}/{env}: {listed}")
    detail = "; ".join(meaningful_lines(stderr, stdout))
    if not detail:
        detail = f"the pulumi command exited with code {code}" if code is not None else "no details"
    return _sentence(f"Pulumi could not {doing} {stack}/{env}: {detail}")


@contextmanager
def cli_errors(stack: str, env: str, doing: str) -> Iterator[None]:
    """Re-raise CLI failures inside the block as one-sentence `UserError`s."""
    try:
        yield
    except FileNotFoundError as exc:
        if shutil.which("pulumi") is None or exc.filename == "pulumi":
            raise UserError(NOT_INSTALLED) from None
        raise
    except subprocess.CalledProcessError as exc:
        # `pulumi version`, run before anything else, failed.
        raise UserError(
            f"The Pulumi CLI on PATH does not work (`pulumi version` exited with code "
            f"{exc.returncode}); reinstall it ({INSTALL_URL})."
        ) from None
    except auto.InvalidVersionError as exc:
        raise UserError(
            _sentence(f"The installed Pulumi CLI cannot be used: {exc}") + f" See {INSTALL_URL}."
        ) from None
    except auto.CommandError as exc:
        raise UserError(describe_command_error(exc, stack, env, doing)) from exc
