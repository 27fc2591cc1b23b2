"""Benchmarks of the local path: how long a user waits, and what the emulator serves.

Figures, not assertions: speed is watched by reading these, never by timed tests.
- `local_cycle`: first deploy, no-op redeploy and destroy of a stack (or of all of them),
  timed two ways: `command` is `invoke deploy|destroy` as a user types it, interpreter start-up
  included; `in-process` is the same calls made again in one process (the engine and the
  emulator only).
- `route_sweep`: the same three steps as commands for one REST API of N routes built with the
  project's own components, a program generated in a temporary folder; shows whether the cost
  per resource stays flat as a stack grows.
- `lambda_load`: requests per second and latency percentiles of one Lambda route under 1, 8, 100
  concurrent clients, with the emulator's peak memory (its whole process tree, Lambda workers
  included).
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from shared import catalog
from shared.errors import UserError
from shared.local import emulator
from shared.local.processes import process_tree, resident_bytes
from shared.ops import local

Out = Callable[[str], None]
STEPS = ("first deploy", "no-op redeploy", "destroy")


def _quiet(line: str) -> None:
    pass


# -- deploy, redeploy, destroy ------------------------------------------------------------------


def local_cycle(stack: str, runs: int, out: Out = print) -> dict[str, dict[str, list[float]]]:
    """Time each step `runs` times both ways, the emulator already up; prints a table.

    `stack` may be `all`: one step is then `invoke deploy --stack=all` (every stack in turn)."""
    names = catalog.resolve_stacks(stack)
    was_deployed = [name for name in names if local.is_deployed(name)]
    for name in names:  # start from nothing (this also starts the emulator)
        local.destroy(name, out=_quiet)
        local.start_dependencies(local.engine(name).config, _quiet)

    def in_process(step: Callable[..., object]) -> Callable[[], None]:
        def each_stack() -> None:
            for name in names:
                step(name, out=_quiet)

        return each_stack

    commands = ("deploy", "deploy", "destroy")
    views = {
        "command": tuple(_invoke(command, f"--stack={stack}") for command in commands),
        "in-process": tuple(in_process(getattr(local, command)) for command in commands),
    }
    timings = {view: _timed(actions, runs) for view, actions in views.items()}
    for name in was_deployed:  # leave the user's stacks as they were
        local.deploy(name, out=_quiet)

    out(f"{stack}: {runs} runs each, emulator already running (seconds)")
    out(f"  {'view':<12}{'step':<16}{'median':>8}{'min':>8}{'max':>8}")
    for view, steps in timings.items():
        for step, values in steps.items():
            out(
                f"  {view:<12}{step:<16}{statistics.median(values):>8.3f}"
                f"{min(values):>8.3f}{max(values):>8.3f}"
            )
    return timings


def route_sweep(
    route_counts: Sequence[int], runs: int, out: Out = print
) -> dict[int, dict[str, float]]:
    """`invoke deploy`, no-op `invoke deploy` and `invoke destroy` of one REST API with N routes
    (medians of `runs`), and the marginal cost per resource between consecutive sizes."""
    medians: dict[int, dict[str, float]] = {}
    resources: dict[int, int] = {}
    out(f"REST API with N routes: median of {runs} runs, as `invoke` commands (seconds)")
    out(f"  {'routes':>6}{'resources':>11}{'deploy':>9}{'no-op':>9}{'destroy':>9}{'ms/res':>9}")
    previous: int | None = None
    for count in route_counts:
        name = f"bench-routes-{count}"
        with _generated_stacks({name: _routes_program(count)}) as stacks_dir:
            local.destroy(name, out=_quiet)  # a leftover of an interrupted run
            local.start_dependencies({}, _quiet)
            actions = tuple(
                _invoke(step, f"--stack={name}", stacks_dir=stacks_dir)
                for step in ("deploy", "deploy", "destroy")
            )
            counted = functools.partial(_count, name, count, resources)
            timings = _timed(actions, runs, after_deploy=counted)
            _forget_state(name)
        medians[count] = {step: statistics.median(values) for step, values in timings.items()}
        marginal = ""
        if previous is not None and resources[count] != resources[previous]:
            added = medians[count]["first deploy"] - medians[previous]["first deploy"]
            marginal = f"{1000 * added / (resources[count] - resources[previous]):>9.1f}"
        out(
            f"  {count:>6}{resources[count]:>11}"
            + "".join(f"{medians[count][step]:>9.3f}" for step in STEPS)
            + marginal
        )
        previous = count
    return medians


def _timed(
    actions: Sequence[Callable[[], object]],
    runs: int,
    after_deploy: Callable[[], None] | None = None,
) -> dict[str, list[float]]:
    """Each of STEPS' actions `runs` times, in turn; `after_deploy` runs untimed after each
    first deploy."""
    timings: dict[str, list[float]] = {step: [] for step in STEPS}
    for _ in range(runs):
        for step, action in zip(STEPS, actions, strict=True):
            started = time.perf_counter()
            action()
            timings[step].append(time.perf_counter() - started)
            if step == STEPS[0] and after_deploy is not None:
                after_deploy()
    return timings


# The `invoke` command line, run with catalog.STACKS_DIR pointing at a folder of generated
# programs: the same tasks, imports and interpreter start-up as `invoke deploy`.
_INVOKE_WITH_STACKS = (
    "import sys; from pathlib import Path; from shared import catalog; "
    "catalog.STACKS_DIR = Path(sys.argv.pop(1)); "
    "from invoke.main import program; program.run(['invoke', *sys.argv[1:]])"
)


def _invoke(*args: str, stacks_dir: Path | None = None) -> Callable[[], object]:
    if stacks_dir is None:
        argv = [sys.executable, "-m", "invoke", *args]
    else:
        argv = [sys.executable, "-c", _INVOKE_WITH_STACKS, str(stacks_dir), *args]
    return lambda: _run(argv)


def _run(argv: list[str]) -> None:
    done = subprocess.run(argv, cwd=catalog.REPO_ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[-2:])} failed:\n{done.stderr or done.stdout}")


@contextlib.contextmanager
def _generated_stacks(programs: dict[str, str]) -> Iterator[Path]:
    """A temporary stacks folder holding `programs` (name -> __main__.py), made the catalog's
    while inside, so `local` deploys them like any stack; deleted after."""
    stacks_dir = Path(tempfile.mkdtemp(prefix="aigw-bench-"))
    for name, source in programs.items():
        program_dir = stacks_dir / name
        program_dir.mkdir()
        (program_dir / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n")
        (program_dir / "Pulumi.local.yaml").write_text("config:\n  aws:region: us-east-1\n")
        (program_dir / "__main__.py").write_text(source)
    saved = catalog.STACKS_DIR
    catalog.STACKS_DIR = stacks_dir
    try:
        yield stacks_dir
    finally:
        catalog.STACKS_DIR = saved
        shutil.rmtree(stacks_dir, ignore_errors=True)


# Nothing listens there: a deploy never calls an integration's backend.
_UNUSED_BACKEND = "http://127.0.0.1:9/invocations"
# High enough that the stage never throttles a benchmark's clients.
_NO_THROTTLE = "Throttle(rate_limit=10000, burst_limit=5000)"


def _routes_program(count: int) -> str:
    return textwrap.dedent(
        f"""\
        import pulumi

        from shared.components import (
            Access,
            HttpTarget,
            RestApi,
            RestApiArgs,
            Route,
            Stage,
            Throttle,
        )

        target = HttpTarget({_UNUSED_BACKEND!r})
        api = RestApi(
            "api",
            RestApiArgs(
                routes=[Route("POST", f"/route{{i}}", target) for i in range({count})],
                stage=Stage("local", {_NO_THROTTLE}, log_retention_days=1),
                access=Access("none"),  # what the routes cost, without a caller's check
            ),
        )
        pulumi.export("url", api.url)
        """
    )


def _count(stack: str, key: int, into: dict[int, int]) -> None:
    """Record in `into[key]` how many resources the deployed stack's state holds."""
    from shared.local.engine.state import StateStore

    into[key] = len(StateStore(local.state_path(stack)).resources)


def _forget_state(stack: str) -> None:
    """Remove the generated stack's (empty, destroyed) state folder."""
    shutil.rmtree(local.state_path(stack).parent, ignore_errors=True)


# -- one Lambda route under load ----------------------------------------------------------------

_LOAD_STACK = "bench-lambda"
_LOAD_HANDLER = textwrap.dedent(
    """\
    import json


    def handler(event, context):
        # One JSON log line per request, as the stacks' handlers write.
        print(json.dumps({"route": event.get("resource"), "status": 200}))
        return {"statusCode": 200, "body": json.dumps({"ok": True})}
    """
)
_LOAD_PROGRAM = textwrap.dedent(
    f"""\
    from pathlib import Path

    import pulumi

    from shared.components import (
        Function, FunctionArgs, LambdaTarget, RestApi, RestApiArgs, Route, Stage, Throttle,
    )

    function = Function(
        "handler",
        FunctionArgs(source_dir=Path(__file__).parent / "functions", log_retention_days=1),
    )
    api = RestApi(
        "api",
        RestApiArgs(
            routes=[Route("GET", "/ping", LambdaTarget(function))],
            stage=Stage("local", {_NO_THROTTLE}, log_retention_days=1),
        ),
    )
    pulumi.export("url", pulumi.Output.concat(api.url, "/ping"))
    """
)


@dataclass(frozen=True)
class LoadResult:
    clients: int
    requests: int
    seconds: float
    statuses: Counter[int]
    latencies_s: list[float]
    peak_rss_bytes: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_s)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def lambda_load(
    client_counts: Sequence[int], seconds: float = 10.0, out: Out = print
) -> list[LoadResult]:
    """Deploy one REST route to a logging Lambda, call it with each number of concurrent
    clients for `seconds` (each client one keep-alive connection, one request at a time), and
    report req/s, p50/p99 latency, answers other than 200 and the emulator's peak RSS."""
    results = []
    with _generated_stacks({_LOAD_STACK: _LOAD_PROGRAM}) as stacks_dir:
        functions = stacks_dir / _LOAD_STACK / "functions"
        functions.mkdir()
        (functions / "app.py").write_text(_LOAD_HANDLER)
        url = str(local.deploy(_LOAD_STACK, out=_quiet)["url"].value)
        server = emulator.server()
        pid = server.pid()
        assert pid is not None, "the deploy starts the emulator"
        try:
            _call(url)  # the first call starts a worker: not part of any figure
            out(
                f"GET one REST route -> logging Lambda, {seconds:.0f} s per level, emulator "
                f"Lambda concurrency {emulator.lambda_concurrency()}"
            )
            out(
                f"  {'clients':>7}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'non-200':>9}"
                f"{'peak RSS MB':>13}"
            )
            for clients in client_counts:
                result = _load(url, clients, seconds, pid)
                results.append(result)
                failed = sum(n for status, n in result.statuses.items() if status != 200)
                out(
                    f"  {clients:>7}{result.per_second:>9.1f}"
                    f"{1000 * result.percentile(0.50):>9.1f}"
                    f"{1000 * result.percentile(0.99):>9.1f}{failed:>9}"
                    f"{result.peak_rss_bytes / 2**20:>13.0f}"
                )
        finally:
            local.destroy(_LOAD_STACK, out=_quiet)
            _forget_state(_LOAD_STACK)
    return results


def _call(url: str, connection: http.client.HTTPConnection | None = None) -> int:
    parts = urllib.parse.urlsplit(url)
    own = connection is None
    connection = connection or http.client.HTTPConnection(parts.netloc, timeout=120)
    try:
        connection.request("GET", parts.path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        if own:
            connection.close()


def _load(url: str, clients: int, seconds: float, emulator_pid: int) -> LoadResult:
    netloc = urllib.parse.urlsplit(url).netloc
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at: list[float] = []

    def client() -> None:
        connection = http.client.HTTPConnection(netloc, timeout=120)
        start.wait()
        try:
            while time.perf_counter() < stop_at[0]:
                began = time.perf_counter()
                try:
                    status = _call(url, connection)
                except (OSError, http.client.HTTPException):
                    status, connection = 0, http.client.HTTPConnection(netloc, timeout=120)
                took = time.perf_counter() - began
                with lock:
                    latencies.append(took)
                    statuses[status] += 1
        finally:
            connection.close()

    peak = [0]
    sampling = threading.Event()

    def sample_memory() -> None:
        while not sampling.wait(0.1):
            peak[0] = max(peak[0], resident_bytes(process_tree(emulator_pid)))

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    sampler = threading.Thread(target=sample_memory, daemon=True)
    for thread in threads:
        thread.start()
    sampler.start()
    began = time.perf_counter()
    stop_at.append(began + seconds)
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    sampling.set()
    sampler.join()
    peak[0] = max(peak[0], resident_bytes(process_tree(emulator_pid)))
    return LoadResult(clients, len(latencies), elapsed, statuses, latencies, peak[0])


def positive_count(value: object, flag: str) -> int:
    """`--runs=5`, `--calls=200`: a whole number above zero, or a usage error naming the flag.
    Read before anything runs, so a bad one changes nothing."""
    text = str(value).strip()
    if not text.isdecimal() or int(text) < 1:
        raise UserError(f"{flag}={value} is not valid: expected a whole number above 0.", 2)
    return int(text)


def positive_seconds(value: object, flag: str) -> float:
    """`--seconds=2.5`: a finite number of seconds above zero, or a usage error naming the flag."""
    try:
        seconds = float(str(value).strip())
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):  # also refuses nan
        raise UserError(f"{flag}={value} is not valid: expected a number of seconds above 0.", 2)
    return seconds


def parse_counts(text: str, flag: str = "--clients") -> list[int]:
    """`"1,8,100"` -> [1, 8, 100]; a usage error names the flag and what is wrong."""
    parts = [part.strip() for part in str(text).split(",")]
    if not all(part.isdecimal() and int(part) > 0 for part in parts):
        raise UserError(
            f"{flag}={text} is not valid. Expected positive numbers separated by commas, "
            "e.g. 1,8,100.",
            2,
        )
    return [int(part) for part in parts]
