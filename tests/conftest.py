"""Fixtures shared by the suite.

Tests never touch a user's state or servers: AIGW_STATE_DIR points at a temporary folder for the
whole session, and the emulator and model endpoint run on free ports of their own.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import gc
import json
import os
import socket
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pulumi.runtime
import pytest

from shared import catalog
from shared.local import emulator, model_endpoint
from shared.local.engine import program
from shared.local.processes import Server, free_port
from shared.ops import stack_usage
from shared.ops.stack_files import project_name, stack_config

_SESSION_STATE = tempfile.mkdtemp(prefix="aigw-test-state-")
os.environ["AIGW_STATE_DIR"] = _SESSION_STATE
os.environ.pop(emulator.PORT_VARIABLE, None)
# The fake `pulumi` evaluates the policy pack once per program, config and pack (it is the same
# answer each time): one folder for the session, which every xdist worker inherits.
if "FAKE_PULUMI_POLICY_CACHE" not in os.environ:
    os.environ["FAKE_PULUMI_POLICY_CACHE"] = tempfile.mkdtemp(prefix="aigw-fake-policy-")


def pytest_collection_finish(session: pytest.Session) -> None:
    """Move what collection imported (the Pulumi SDK, pulumi-aws, botocore's models: millions
    of objects that live as long as the session) out of the collector's sight. A full
    collection walks everything it tracks; the engine runs one after each failed program (to
    silence its unawaited coroutines, program.py), and hundreds of tests run one: each was
    0.1-0.3 s of walking objects that are never garbage."""
    gc.freeze()


@dataclass
class ProgramRun:
    """Every custom resource a program declared under mocks, the id and outputs the mocks gave
    each (by resource name), and the stack outputs."""

    env: str
    resources: list[program.Registration] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)
    resolved: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, program.ProgramOutput] = field(default_factory=dict)

    def of_type(self, type_token: str) -> list[program.Registration]:
        return [r for r in self.resources if r.type == type_token]

    def one(self, type_token: str) -> program.Registration:
        found = self.of_type(type_token)
        assert len(found) == 1, f"expected one {type_token}, found {len(found)}"
        return found[0]

    def named(self, name: str) -> program.Registration:
        [found] = [r for r in self.resources if r.name == name]
        return found

    def key(self, name: str) -> str:
        """The 'type::name' key dependencies are recorded with."""
        return f"{self.named(name).type}::{name}"


def fake_outputs(reg: program.Registration) -> dict[str, Any]:
    """Plausible computed outputs so programs can chain resources under mocks."""
    rid = f"{reg.name}-id"
    return {
        "arn": f"arn:aws:mock:us-east-1:123456789012:{reg.name}",
        "rootResourceId": f"{reg.name}-root",
        "executionArn": f"arn:aws:execute-api:us-east-1:123456789012:{rid}",
        "invokeUrl": f"https://{rid}.execute-api.us-east-1.amazonaws.com/stage",
        "invokeArn": f"arn:aws:apigateway:us-east-1:lambda:path/functions/{rid}/invocations",
        "apiEndpoint": f"https://{rid}.execute-api.us-east-1.amazonaws.com",
        "value": "mock-api-key-value",
        "name": reg.inputs.get("name", reg.name),
        # ACM certificates, API Gateway domain names and Route 53 records.
        "domainValidationOptions": [
            {
                "domainName": reg.inputs.get("domainName", ""),
                "resourceRecordName": f"_{reg.name}.{reg.inputs.get('domainName', '')}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{reg.name}.acm-validations.aws.",
            }
        ],
        "cloudfrontDomainName": f"{rid}.cloudfront.net",
        "cloudfrontZoneId": "Z2FDTNDATAQYW2",
        "regionalDomainName": f"d-{rid}.execute-api.us-east-1.amazonaws.com",
        "regionalZoneId": "Z1UJRXOUMOOFQ8",
        "fqdn": str(reg.inputs.get("name", reg.name)).rstrip("."),
        # Cognito user pools and app clients.
        "endpoint": f"cognito-idp.us-east-1.amazonaws.com/us-east-1_{rid}",
        "clientSecret": f"{reg.name}-mock-secret",
    }


# Each AWS environment's regions as its bootstrap covers them (shared/ops/stack_usage.py, what the
# bootstrap program reads), taken once from the repository's stack files: tests that point
# catalog.STACKS_DIR at copies of them, broken on purpose, still get the real answer.
BOOTSTRAP_REGIONS = {env: stack_usage.logging_regions(env) for env in catalog.ENVIRONMENTS}


def bootstrapped(project: str, stack: str) -> dict[str, tuple[Any, bool]] | None:
    """Stack references under mocks: the bootstrap stack of each environment, set up in every
    region that environment's stacks use; no other project is deployed."""
    if project != "aigw-bootstrap":
        return None
    return {"apiGatewayLoggingRegions": (BOOTSTRAP_REGIONS[stack], False)}


def bootstrapped_for_the_fake_cli() -> str:
    """FAKE_PULUMI_STACK_OUTPUTS: the fake CLI answers each AWS environment's bootstrap stack
    reference as if `invoke bootstrap --env=<env>` had run (the pattern stacks need it)."""
    return json.dumps(
        {
            f"aigw-bootstrap/{env}": {"apiGatewayLoggingRegions": BOOTSTRAP_REGIONS[env]}
            for env in catalog.ENVIRONMENTS
            if env != catalog.LOCAL
        }
    )


# (registration, fake_outputs' outputs) -> (id, outputs): what a mocked resource is given instead.
OutputsHook = Callable[[program.Registration, dict[str, Any]], tuple[str, dict[str, Any]]]


def run_stack_program(
    stack: str,
    env: str,
    overrides: dict[str, str] | None = None,
    outputs: OutputsHook | None = None,
) -> ProgramRun:
    """Run stacks/<stack>/__main__.py on Pulumi's mock runtime with `env`'s config. Each resource
    gets the id '<name>-id' and `fake_outputs`, or what the `outputs` hook makes of them.

    A run without an `outputs` hook is a function of the program's files, the config and the
    state folder (where the Lambda zips are packaged): the same run asked again, by another
    module of the same worker, is a copy of the first one instead of the SDK's work again
    (the mock runs were a third of a worker's time, and half of them repeats)."""
    program_dir = catalog.stack_dir(stack)
    config = {**stack_config(program_dir, env), **(overrides or {})}
    if outputs is not None or pulumi.runtime.is_config_secret is not _IS_CONFIG_SECRET:
        # A hook, or config secrets a test made up (monkeypatched): a run of its own.
        return _run_stack_program(program_dir, env, config, outputs)
    key = (
        str(program_dir.resolve()),
        env,
        json.dumps(config, sort_keys=True),
        os.environ.get("AIGW_STATE_DIR", ""),
        _files_fingerprint(program_dir),
    )
    if key not in _PLAIN_RUNS:
        _PLAIN_RUNS[key] = _run_stack_program(program_dir, env, config, None)
    return copy.deepcopy(_PLAIN_RUNS[key])  # a test may change what it got: never the kept one


_PLAIN_RUNS: dict[tuple[str, ...], ProgramRun] = {}
_IS_CONFIG_SECRET = pulumi.runtime.is_config_secret


def _files_fingerprint(folder: Path) -> str:
    """Each file's place, size and modification time: a test's edit of a program shows."""
    entries = []
    for path in sorted(folder.rglob("*")):
        if "__pycache__" not in path.parts and path.is_file():
            info = path.stat()
            entries.append(f"{path.relative_to(folder)}:{info.st_size}:{info.st_mtime_ns}")
    return "\n".join(entries)


def _run_stack_program(
    program_dir: Path, env: str, config: dict[str, Any], outputs: OutputsHook | None
) -> ProgramRun:
    run = ProgramRun(env)

    def record(reg: program.Registration) -> program.Resolution:
        run.resources.append(reg)
        rid, given = f"{reg.name}-id", fake_outputs(reg)
        if outputs is not None:
            rid, given = outputs(reg, given)
        run.ids[reg.name], run.resolved[reg.name] = rid, given
        return rid, {**reg.inputs, **given}

    run.outputs = program.run(
        program_dir,
        project_name(program_dir),
        env,
        config,
        record,
        preview=False,
        region=config.get("aws:region", program.DEFAULT_REGION),
        stack_outputs=bootstrapped,
    )
    return run


def deployed_ids(stack: str) -> dict[str, str]:
    """Logical name -> physical id (a function's or role's name, an API's id) of every resource
    the local engine recorded for `stack`: resources are auto-named, so tests look them up."""
    from shared.local.engine.state import StateStore
    from shared.ops import local

    state = StateStore(local.engine(stack).state_path)
    return {record.name: record.id for record in state.resources.values()}


@pytest.fixture(scope="session")
def physical_ids():
    """`physical_ids(stack)`: see `deployed_ids`."""
    return deployed_ids


@pytest.fixture(scope="session")
def emulator_server(model_server: Server) -> Iterator[Server]:
    """A MiniStack of the test session's own, on a free port, stopped at the end; its Bedrock
    and SageMaker runtime calls go to the session's model endpoint."""
    server, _ = emulator.start(free_port(), model_url=model_server.url)
    os.environ[emulator.PORT_VARIABLE] = str(server.port)
    try:
        yield server
    finally:
        server.stop()
        os.environ.pop(emulator.PORT_VARIABLE, None)


@pytest.fixture(scope="session")
def model_server() -> Iterator[Server]:
    """The local model endpoint on a free port, stopped at the end."""
    server, _ = model_endpoint.start(free_port())
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def emulator_client(emulator_server: Server) -> Callable[..., Any]:
    """`emulator_client(service, region="us-east-1")`: a boto3 client for the session's
    emulator, with its test credentials."""

    @functools.cache  # one client per service and region: each costs 5-40 ms to make
    def make(service: str, region: str = emulator.REGION) -> Any:
        return boto3.client(
            service,
            endpoint_url=emulator_server.url,
            region_name=region,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    return make


@contextlib.contextmanager
def serving(server: ThreadingHTTPServer) -> Iterator[str]:
    """Serve `server` from a thread; its base URL while inside, shut down and closed after."""
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def serve_in_thread() -> Callable[[ThreadingHTTPServer], contextlib.AbstractContextManager[str]]:
    """`with serve_in_thread(server) as url:` serves an HTTP server from a thread while inside
    (`url` is its base URL, 'http://127.0.0.1:<port>'), then shuts it down and closes it."""
    return serving


@pytest.fixture
def closed_url() -> str:
    """A loopback base URL nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


FAKE_PULUMI = Path(__file__).parent / "cloud" / "fake_pulumi.py"
# Where `shared` is imported from by the fake: taken at start, as tests point REPO_ROOT elsewhere.
_SHARED_ROOT = str(catalog.REPO_ROOT)


@dataclass(frozen=True)
class FakePulumiCli:
    """Where the fake `pulumi` logs its calls and the environment it was set up with."""

    log: Path
    environment: dict[str, str]

    def calls(self) -> list[dict[str, Any]]:
        """Each call the fake logged (argv, cwd, env), oldest first."""
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]


def install_fake_pulumi(bin_dir: Path) -> Path:
    """`bin_dir/pulumi`: a launcher of tests/cloud/fake_pulumi.py. It imports the fake instead
    of being a copy of it (a script is compiled anew each time it runs, a module once), and
    runs without `site` (-S), given this interpreter's import path instead: `site` and the
    editable install's import hook were a third of each start, and a deploy starts the CLI a
    dozen times."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    exe = bin_dir / "pulumi"
    packages = [p for p in sys.path if "-packages" in p]
    search = [str(FAKE_PULUMI.parent), _SHARED_ROOT, *packages]
    exe.write_text(
        f"#!{sys.executable} -S\n"
        "import sys\n"
        f"sys.path[:0] = {search!r}\n"
        "from fake_pulumi import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    exe.chmod(0o755)
    return exe


def fake_pulumi_environment(tmp_path: Path, rest_of_path: str | None = None) -> dict[str, str]:
    """The variables that put the fake `pulumi` first on PATH (then `rest_of_path`, default this
    process's PATH), with its call log, its state, the tool's state and a file backend under
    tmp_path, and the bootstrap stacks answered as if bootstrapped; no failure asked."""
    bin_dir = install_fake_pulumi(tmp_path / "bin").parent
    rest = os.environ.get("PATH", "") if rest_of_path is None else rest_of_path
    return {
        "PATH": f"{bin_dir}{os.pathsep}{rest}",
        "FAKE_PULUMI_LOG": str(tmp_path / "pulumi-calls.jsonl"),
        "FAKE_PULUMI_STATE": str(tmp_path / "fake-state"),
        "AIGW_STATE_DIR": str(tmp_path / "aigw-state"),
        "PULUMI_BACKEND_URL": f"file://{tmp_path / 'backend'}",
        "PULUMI_CONFIG_PASSPHRASE": "correct horse battery staple",
        "FAKE_PULUMI_STACK_OUTPUTS": bootstrapped_for_the_fake_cli(),
    }


@pytest.fixture
def fake_pulumi_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakePulumiCli:
    """The fake `pulumi` (tests/cloud/fake_pulumi.py) first on PATH, logging its calls, with its
    state, the tool's state and a file backend under tmp_path; no failure or handshake asked."""
    env = fake_pulumi_environment(tmp_path)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for name in ("FAKE_PULUMI_FAIL", "FAKE_PULUMI_HANDSHAKE"):
        monkeypatch.delenv(name, raising=False)
    return FakePulumiCli(Path(env["FAKE_PULUMI_LOG"]), env)


@pytest.fixture(scope="session")
def run_program():
    """`run_stack_program` for tests (in importlib mode conftest is not importable by name)."""
    return run_stack_program


@pytest.fixture(scope="session")
def mock_outputs():
    """`fake_outputs`: the computed outputs every mocked resource gets."""
    return fake_outputs


@pytest.fixture(scope="session")
def http():
    """`call(method, url, body=None, headers=None, raw=None)` -> Reply(status, body, headers)."""
    return call


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


def call(
    method: str,
    url: str,
    body: Any = None,
    headers: dict | None = None,
    raw: bytes | None = None,
    timeout: float = 30,
) -> Reply:
    """One real HTTP request; error statuses are answers too. JSON bodies are decoded."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, payload, got = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        status, payload, got = error.code, error.read(), dict(error.headers)
    try:
        decoded = json.loads(payload) if payload else None
    except ValueError:
        decoded = payload.decode(errors="replace")
    return Reply(status, decoded, got)
