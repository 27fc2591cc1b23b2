"""`invoke logs`: a deployed stack's function logs (and its gateway's access logs), one line an
event, oldest first across every group.

    invoke logs --stack=workflows --since=1h
    2026-12-02T06:27:35.742Z  orchestrator  START RequestId: 083b5057-... Version: $LATEST
    2026-12-02T06:27:35.742Z  orchestrator  INFO requestId=d0a1... method=GET path=/ai-service ...

An event our handlers wrote as JSON (shared/runtime/app.py: one line per request) shows its
`message` (or `msg`, else its `level`) and then every other field as `key=value`; any other
event shows as written. Where the groups come from: log_sources.py. Locally they are read from
the emulator's CloudWatch Logs; on AWS from CloudWatch Logs with the caller's credentials
(botocore's default chain, so AWS_PROFILE, AWS_ENDPOINT_URL... apply), in each group's region.

`--follow` polls every POLL_S: each poll asks again for what is at most LOOKBACK_MS older than
the newest event seen (CloudWatch may store an event a little after later ones), and drops
what it already printed. Ctrl-C and a closed pipe (`| head -1`) end it quietly.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from shared import catalog, errors
from shared.errors import UserError
from shared.local.processes import HOST
from shared.ops import log_sources
from shared.ops.log_sources import ACCESS, LogSource

Out = Callable[[str], None]
Client = Any  # a botocore `logs` client
ClientFor = Callable[[str], Client]  # region -> client

DEFAULT_SINCE = "10m"
POLL_S = 1.0
LOOKBACK_MS = 10_000
_SINCE = re.compile(r"^(\d+)([smhd])$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_SINCE_S = 3653 * 86400  # a log group's longest retention, 10 years
# MiniStack 1.5.33 stores a stage's access log settings but writes no access log.
LOCAL_ACCESS_NOTE = (
    "No access logs locally: MiniStack accepts the stages' access log settings but writes none."
)


@dataclass(frozen=True)
class Event:
    timestamp: int  # ms since the epoch
    source: str
    message: str
    key: tuple[Any, ...]  # what tells two events apart (for --follow)


def parse_since(since: str) -> int:
    """`30s`, `10m`, `2h`, `1d` as seconds, or a usage error naming the valid forms."""
    found = _SINCE.match(str(since).strip())
    if not found or int(found.group(1)) == 0:
        raise UserError(
            f"--since={since} is not a duration: give a whole number of seconds, minutes, hours "
            "or days, e.g. 30s, 10m, 2h or 1d.",
            exit_code=2,
        )
    seconds = int(found.group(1)) * _UNIT_S[found.group(2)]
    if seconds > MAX_SINCE_S:
        raise UserError(
            f"--since={since} reaches back further than CloudWatch Logs keeps events (10 years: "
            f"{MAX_SINCE_S // 86400}d at most); give a shorter window, e.g. 10m, 2h or 7d.",
            exit_code=2,
        )
    return seconds


def command(
    stack: str,
    env: str,
    *,
    function: str | None = None,
    since: str = DEFAULT_SINCE,
    follow: bool = False,
    out: Out | None = None,
    note: Out | None = None,
    client_for: ClientFor | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Print the stack's log events since `since` ago, then (with `follow`) new ones as they
    come until `stop()` is true or Ctrl-C. Events go to `out`, the one header or footer line
    to `note` (stderr by default, so a pipe gets the events only)."""
    window_s = parse_since(since)
    emit = out or _print_flushed
    say = note or _to_stderr
    try:
        sources = choose(stack, env, log_sources.for_stack(stack, env), function)
        start_ms = int((_now_s() - window_s) * 1000)
        say(header(stack, env, sources, start_ms, follow))
        client_for = client_for or clients(env)
        if follow:
            # Printing to stdout: a reader that left (`| head -1` got its line) ends it too,
            # without waiting for the next event to fail writing.
            until = stop if out else (lambda: stop() or errors.stdout_closed())
            tail(sources, client_for, start_ms, emit, stop=until)
        elif not show(read(sources, client_for, start_ms), emit):
            say(f"No log events since {_time(start_ms)}.")
    except KeyboardInterrupt:
        return  # Ctrl-C is how --follow ends (nothing is changed here, whenever it comes)
    except BrokenPipeError:
        errors.silence_stdout()  # the reader left (`| head -1`): nothing more to say


def choose(stack: str, env: str, sources: list[LogSource], function: str | None) -> list[LogSource]:
    """All the stack's groups, or with `function` that function's group only."""
    if not function:
        return sources
    functions = [s for s in sources if s.function]
    if not functions:
        raise UserError(
            f"{stack} has no Lambda functions in {env}, so --function={function} names none of "
            "them; leave --function out to see its access logs.",
            exit_code=2,
        )
    chosen = [s for s in functions if function in (s.label, _physical(s))]
    if not chosen:
        names = ", ".join(s.label for s in functions)
        raise UserError(
            f"Unknown function {function!r} in {stack}. Valid functions: {names}.", exit_code=2
        )
    return chosen


def header(stack: str, env: str, sources: list[LogSource], start_ms: int, follow: bool) -> str:
    """One line: which groups are read since when, and what is missing and why."""
    functions = [s for s in sources if s.function]
    listed = ", ".join(f"{s.label} ({s.group})" for s in sources)
    line = f"Logs of {stack} in {env} since {_time(start_ms)}: {listed or 'no log groups'}."
    if not functions:
        line += f" {stack} has no Lambda functions in {env}: only its access logs can show."
    if env == catalog.LOCAL and any(s.label.split(":")[0] == ACCESS for s in sources):
        line += " " + LOCAL_ACCESS_NOTE
    if follow:
        line += " Following (Ctrl-C to stop)."
    return line


def clients(env: str) -> ClientFor:
    """Per region, a CloudWatch Logs client: the emulator's locally, else the caller's AWS."""
    import botocore.session
    from botocore.config import Config

    # A fresh session per command (the caller's profile and credentials as they are now), with
    # the service models parsed once per process: each session would load them again.
    session = botocore.session.get_session()
    session.register_component("data_loader", _models(session.get_config_variable("data_path")))
    # AWS throttles FilterLogEvents (a few calls a second per account): its standard retries
    # wait that out. The emulator does not throttle, and one not running should say so now.
    attempts = 1 if env == catalog.LOCAL else 5
    config = Config(
        retries={"mode": "standard", "total_max_attempts": attempts},
        connect_timeout=5,
        read_timeout=30,
    )
    made: dict[str, Client] = {}
    endpoint: dict[str, Any] = {}
    if env == catalog.LOCAL:
        from shared.local import emulator

        endpoint = {
            "endpoint_url": emulator.server().url,
            "aws_access_key_id": "test",
            "aws_secret_access_key": "test",
        }

    def client_for(region: str) -> Client:
        if region not in made:
            made[region] = session.create_client(
                "logs", region_name=region, config=config, **endpoint
            )
        return made[region]

    return client_for


@functools.cache
def _models(data_path: str | None) -> Any:
    """botocore's loader of service models (JSON files it parses on first use, then keeps)."""
    from botocore.loaders import create_loader

    return create_loader(data_path)


def read(sources: list[LogSource], client_for: ClientFor, start_ms: int) -> list[Event]:
    """Every event of every group from `start_ms` on, oldest first (a stable sort: one group's
    events of the same millisecond stay in the order it stored them)."""
    events: list[Event] = []
    for source in sources:
        events += _group_events(source, client_for, start_ms)
    return sorted(events, key=lambda event: event.timestamp)


def show(events: Iterable[Event], emit: Out) -> int:
    """Print each event as one line; how many were printed."""
    events = list(events)
    width = max((len(e.source) for e in events), default=0)
    for event in events:
        emit(f"{_time(event.timestamp)}  {event.source:<{width}}  {event.message}")
    return len(events)


def tail(
    sources: list[LogSource],
    client_for: ClientFor,
    start_ms: int,
    emit: Out,
    *,
    stop: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Print what is there, then poll for new events until `stop()`; each event once."""
    seen: dict[tuple[Any, ...], int] = {}  # key -> timestamp, of the events still in the window
    since = start_ms
    while True:
        fresh = [e for e in read(sources, client_for, since) if e.key not in seen]
        for event in fresh:
            seen[event.key] = event.timestamp
        show(fresh, emit)
        if seen:
            since = max(start_ms, max(seen.values()) - LOOKBACK_MS)
            seen = {key: stamp for key, stamp in seen.items() if stamp >= since}
        if stop():
            return
        sleep(POLL_S)


def render(message: str) -> str:
    """A JSON log line as `<message> key=value ...`; any other line as it is, on one line."""
    text = message.rstrip("\n")
    if text.lstrip().startswith("{"):
        try:
            record = json.loads(text)
        except ValueError:
            record = None
        if isinstance(record, dict):
            return _fields(record)
    return text.replace("\r", "").replace("\n", "\\n").replace("\t", "  ")


def _fields(record: dict[str, Any]) -> str:
    record = dict(record)
    lead = next((k for k in ("message", "msg", "level") if isinstance(record.get(k), str)), None)
    words = [str(record.pop(lead))] if lead else []
    words += [f"{key}={_value(value)}" for key, value in record.items() if value is not None]
    return " ".join(words)


def _value(value: Any) -> str:
    """A value as one word: plain when it is one, else JSON (quoted, newlines escaped)."""
    if isinstance(value, str) and value and not re.search(r"[\s\"=\\]", value):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _group_events(source: LogSource, client_for: ClientFor, start_ms: int) -> list[Event]:
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
    )

    events: list[Event] = []
    repeats: dict[tuple[Any, ...], int] = {}
    request: dict[str, Any] = {"logGroupName": source.group, "startTime": start_ms}
    while True:
        try:
            client = client_for(source.region)  # a missing profile fails here
            page = client.filter_log_events(**request)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                return events  # nothing logged yet: Lambda makes the group on its first write
            raise UserError(f"Cannot read the log group {source.group}: {error}.") from None
        except EndpointConnectionError:
            where = client.meta.endpoint_url
            hint = ""
            if where.startswith(f"http://{HOST}:"):  # the emulator's address
                hint = ": is the emulator running? `invoke emulator.status` tells"
            raise UserError(f"Nothing answers at {where}{hint}.") from None
        except NoCredentialsError:
            raise UserError(
                "No AWS credentials to read CloudWatch Logs with: set AWS_PROFILE, or the "
                "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY variables, or run `aws sso login`."
            ) from None
        except BotoCoreError as error:  # a timeout, a profile not found, partial credentials
            raise UserError(f"Cannot read the log group {source.group}: {error}.") from None
        for raw in page.get("events") or []:
            stamp = int(raw.get("timestamp") or 0)
            message = str(raw.get("message", ""))
            identity = raw.get("eventId")
            if not identity:  # MiniStack gives no event ids: the same line twice is two events
                same = (raw.get("logStreamName"), stamp, message)
                repeats[same] = repeats.get(same, 0) + 1
                identity = (*same, repeats[same])
            key = (source.region, source.group, identity)
            events.append(Event(stamp, source.label, render(message), key))
        token = page.get("nextToken")
        if not token or token == request.get("nextToken"):
            return events
        request["nextToken"] = token


def _physical(source: LogSource) -> str:
    return source.group.removeprefix("/aws/lambda/")


def _time(ms: int) -> str:
    stamp = dt.datetime.fromtimestamp(ms / 1000, dt.UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def _now_s() -> float:
    return time.time()


def _print_flushed(line: str) -> None:
    print(line, flush=True)  # a pipe gets each event as it comes, not at exit


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
