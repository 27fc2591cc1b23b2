"""Every task fed the mistakes a new user makes: one line naming the problem and the valid
choices, exit 2 for a usage error (1 for a file the tasks cannot use or a corrupt state), no
traceback, and nothing changed (the state folder as it was, no emulator started).

The tasks run in this process through invoke's own Program (a subprocess per case would cost
1-2 s of imports each); only the closed-pipe cases need a real process and a real pipe.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from invoke import Program

from shared import catalog
from shared.local import emulator
from shared.ops import commands

_collecting = gc.isenabled()
import tasks  # noqa: E402  (it turns the collector off for its short-lived process)

if _collecting:
    gc.enable()

# Nothing listens here: a case that started an emulator would show on it.
EMULATOR_PORT = 4739
TRUNCATED_STATE = '{"version": 3, "resources": {"aws:s3/bucket:Bucket::b'
# A state with outputs only: what `outputs` reads, no emulator needed.
OUTPUTS_STATE = {
    "version": 3,
    "emulator": None,
    "resources": {},
    "retired": {},
    "pending": {},
    "outputs": {
        "url": {"value": "http://127.0.0.1:4739/predict", "secret": False},
        "baseUrl": {"value": "http://127.0.0.1:4739", "secret": False},
        "apiKey": {"value": "the-secret-api-key", "secret": True},
    },
}

# A deployed api_key stack, as its state records it.
API_KEY_STATE = {
    **OUTPUTS_STATE,
    "outputs": {
        **OUTPUTS_STATE["outputs"],
        "access": {"value": {"mode": "api_key", "clients": {"web": {}}}, "secret": False},
    },
}


@dataclass
class Ran:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


@dataclass
class World:
    """A private state folder (and, for a case that needs it, a copy of stacks/ to break)."""

    state: Path
    stacks: Path | None = None
    env: dict[str, str] = field(default_factory=dict)

    def stack_file(self, name: str) -> Path:
        assert self.stacks is not None
        return self.stacks / "proxy" / name

    def engine_file(self, name: str) -> Path:
        path = self.state / "engine" / "proxy" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path


def run_task(argv: list[str], capsys: pytest.CaptureFixture[str]) -> Ran:
    capsys.readouterr()
    try:
        Program(namespace=tasks.ns, name="invoke", binary="invoke").run(["invoke", *argv])
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    captured = capsys.readouterr()
    return Ran(code, captured.out, captured.err)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` with its bytes; lock files (empty, the engine's flock) and the
    Lambda zips a program run builds (a cache) are not state."""
    if root.is_file():
        return {".": root.read_bytes()}
    return {
        str(path.relative_to(root)): path.read_bytes() if path.is_file() else b"<folder>"
        for path in sorted(root.rglob("*"))
        if path.suffix != ".lock" and "build" not in path.relative_to(root).parts
    }


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    state = tmp_path / "state"
    state.mkdir()
    monkeypatch.setenv("AIGW_STATE_DIR", str(state))
    monkeypatch.setenv("AIGW_EMULATOR_PORT", str(EMULATOR_PORT))
    return World(state=state)


def broken_stacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    stacks = tmp_path / "stacks"
    shutil.copytree(catalog.STACKS_DIR, stacks, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(catalog, "STACKS_DIR", stacks)
    return stacks


# -- the cases ---------------------------------------------------------------------------------

Setup = Callable[[World], None]


def env(**variables: str) -> Setup:
    def setup(world: World) -> None:
        world.env.update(variables)

    return setup


def stack_file(name: str, text: str) -> Setup:
    def setup(world: World) -> None:
        world.stack_file(name).write_text(text)

    return setup


def stack_file_edit(name: str, old: str, new: str) -> Setup:
    def setup(world: World) -> None:
        path = world.stack_file(name)
        assert old in path.read_text()
        path.write_text(path.read_text().replace(old, new))

    return setup


def engine_file(name: str, text: str) -> Setup:
    def setup(world: World) -> None:
        world.engine_file(name).write_text(text)

    return setup


def state_dir_is_a_file(world: World) -> None:
    world.state.rmdir()
    world.state.write_text("not a folder\n")


def state_file_is_a_folder(world: World) -> None:
    world.engine_file("local.json").mkdir()


@dataclass
class Case:
    argv: list[str]
    code: int
    fragment: str
    setup: Setup | None = None
    stacks: bool = False  # the case breaks a copy of stacks/


USAGE = 2
RUNTIME = 1
CORRUPT = "cannot be read"
CORRUPT_WAY_OUT = "run `invoke reset`"
BAD_CONFIG_LIST = "config:\n  - aws:region\n"

ONE_STACK_CHOICES = "global, orchestration, proxy, versions, workflows"

CASES = {
    # The emulator's port, from the flag or the variable, for every task that reads it.
    "port-flag-not-a-number": Case(
        ["emulator.start", "--port=abc"], USAGE, "--port=abc is not a port: use a number from 1"
    ),
    "port-flag-too-big": Case(["emulator.start", "--port=99999"], USAGE, "1 to 65535"),
    "port-flag-zero": Case(["emulator.start", "--port=0"], USAGE, "--port=0 is not a port"),
    "port-flag-negative": Case(["emulator.status", "--port=-5"], USAGE, "--port=-5 is not"),
    "port-flag-on-stop": Case(["emulator.stop", "--port=http"], USAGE, "--port=http is not"),
    "port-variable-not-a-number": Case(
        ["emulator.status"],
        USAGE,
        "AIGW_EMULATOR_PORT=abc is not a port: use a number from 1 to 65535",
        env(AIGW_EMULATOR_PORT="abc"),
    ),
    "port-variable-too-big-deploy": Case(
        ["deploy", "--stack=proxy"],
        USAGE,
        "AIGW_EMULATOR_PORT=99999 is not a port",
        env(AIGW_EMULATOR_PORT="99999"),
    ),
    "port-variable-outputs": Case(
        ["outputs", "--stack=proxy"],
        USAGE,
        "AIGW_EMULATOR_PORT=abc",
        env(AIGW_EMULATOR_PORT="abc"),
    ),
    "port-variable-call": Case(
        ["call", "--stack=proxy"],
        USAGE,
        "AIGW_EMULATOR_PORT=4566x",
        env(AIGW_EMULATOR_PORT="4566x"),
    ),
    "port-variable-reset": Case(
        ["reset", "--yes"], USAGE, "AIGW_EMULATOR_PORT=-1", env(AIGW_EMULATOR_PORT="-1")
    ),
    # Benchmark numbers, read before anything starts.
    "bench-runs-zero": Case(["bench", "--runs=0"], USAGE, "--runs=0 is not valid"),
    "bench-runs-negative": Case(["bench", "--runs=-1"], USAGE, "--runs=-1 is not valid"),
    "bench-runs-not-a-number": Case(["bench", "--runs=abc"], USAGE, "a whole number above 0"),
    "bench-seconds-not-a-number": Case(
        ["bench", "--clients=1", "--seconds=abc"], USAGE, "--seconds=abc is not valid"
    ),
    "bench-seconds-zero": Case(["bench", "--seconds=0"], USAGE, "a number of seconds above 0"),
    "bench-calls-zero": Case(["bench", "--access", "--calls=0"], USAGE, "--calls=0 is not valid"),
    "bench-clients-zero": Case(["bench", "--clients=0"], USAGE, "--clients=0 is not valid"),
    "bench-routes-words": Case(["bench", "--routes=1,ten"], USAGE, "separated by commas"),
    # Names of stacks, environments, methods, files.
    "env-capitalised": Case(
        ["deploy", "--stack=proxy", "--env=Prod"], USAGE, "Valid environments: local, dev"
    ),
    "env-empty": Case(["preview", "--stack=proxy", "--env="], USAGE, "Unknown environment ''"),
    "stack-empty": Case(["deploy", "--stack="], USAGE, "Choose a stack with --stack"),
    "stack-two-names": Case(
        ["destroy", "--stack=proxy,versions"], USAGE, "Unknown stack 'proxy,versions'"
    ),
    "stack-bootstrap": Case(["preview", "--stack=bootstrap"], USAGE, "invoke bootstrap --env"),
    "config-schema-unknown-stack": Case(
        ["config-schema", "--stack=nope"], USAGE, "Unknown stack 'nope'. Valid stacks:"
    ),
    "token-all": Case(["token", "--stack=all"], USAGE, "Choose one stack with --stack, not all"),
    "call-all": Case(["call", "--stack=all"], USAGE, "Choose one stack with --stack, not all"),
    "call-data-missing-file": Case(
        ["call", "--stack=proxy", "--data=@missing.json"], USAGE, "cannot read missing.json"
    ),
    "call-data-not-json": Case(
        ["call", "--stack=proxy", "--data={oops"], USAGE, "--data is not JSON"
    ),
    "logs-since-not-a-duration": Case(
        ["logs", "--stack=proxy", "--since=abc"], USAGE, "--since=abc is not a duration"
    ),
    "logs-all": Case(["logs", "--stack=all"], USAGE, "Choose one stack with --stack, not all"),
    # A task of one stack offers the stacks only: `all` is not one of its choices.
    "logs-no-stack": Case(["logs"], USAGE, f"Valid stacks: {ONE_STACK_CHOICES}."),
    "call-unknown-stack": Case(
        ["call", "--stack=nope"], USAGE, f"Valid stacks: {ONE_STACK_CHOICES}."
    ),
    "graph-all": Case(
        ["graph", "--stack=all"], USAGE, f"not all. Valid stacks: {ONE_STACK_CHOICES}."
    ),
    "dev-no-stack": Case(["dev"], USAGE, f"Valid stacks: {ONE_STACK_CHOICES}."),
    "graph-unknown-format": Case(
        ["graph", "--stack=proxy", "--format=png"], USAGE, "Valid formats: mermaid, dot, svg"
    ),
    "graph-write-readme-with-a-stack": Case(
        ["graph", "--write-readme", "--stack=proxy"], USAGE, "leave out --stack, --env and --format"
    ),
    "dev-on-aws": Case(["dev", "--stack=proxy", "--env=dev"], USAGE, "Dev mode is local only"),
    "call-unknown-method": Case(
        ["call", "--stack=proxy", "--method=FOO"], USAGE, "Valid methods: GET, POST"
    ),
    "promote-backwards": Case(
        ["promote", "--stack=proxy", "--from=prod", "--to=dev"], USAGE, "one step at a time"
    ),
    "promote-skipping-staging": Case(
        ["promote", "--stack=proxy", "--from=dev", "--to=prod"],
        USAGE,
        "dev promotes to staging only",
    ),
    "unexpected-flag": Case(["deploy", "--stak=proxy"], RUNTIME, "No idea what '--stak' is!"),
    "unknown-task": Case(["deplyo", "--stack=proxy"], RUNTIME, "No idea what 'deplyo' is!"),
    "flag-without-value": Case(["deploy", "--stack"], RUNTIME, "needed value"),
    "reset-without-a-terminal": Case(["reset"], RUNTIME, "invoke reset --yes"),
    # Stack files of the wrong shape, and YAML that is not YAML.
    "stack-file-config-a-list": Case(
        ["preview", "--stack=proxy"],
        USAGE,
        "Pulumi.local.yaml: `config:` must be a mapping of keys to values, not a list.",
        stack_file("Pulumi.local.yaml", BAD_CONFIG_LIST),
        stacks=True,
    ),
    "stack-file-config-a-list-on-aws": Case(
        ["deploy", "--stack=proxy", "--env=dev"],
        USAGE,
        "Pulumi.dev.yaml: `config:` must be a mapping of keys to values, not a list.",
        stack_file("Pulumi.dev.yaml", BAD_CONFIG_LIST),
        stacks=True,
    ),
    "stack-file-a-number-on-aws": Case(
        ["preview", "--stack=proxy", "--env=staging"],
        USAGE,
        "Pulumi.staging.yaml must be a YAML mapping (keys such as `config:`), not the value 42",
        stack_file("Pulumi.staging.yaml", "42\n"),
        stacks=True,
    ),
    "stack-file-a-string": Case(
        ["deploy", "--stack=proxy"],
        USAGE,
        "Pulumi.local.yaml must be a YAML mapping (keys such as `config:`), not the text",
        stack_file("Pulumi.local.yaml", "just some words\n"),
        stacks=True,
    ),
    "stack-file-a-list": Case(
        ["preview", "--stack=proxy"],
        USAGE,
        "must be a YAML mapping (keys such as `config:`), not a list",
        stack_file("Pulumi.local.yaml", "- config\n"),
        stacks=True,
    ),
    "stack-file-empty": Case(
        ["preview", "--stack=proxy"],
        USAGE,
        "proxy:model: required but not set",
        stack_file("Pulumi.local.yaml", ""),
        stacks=True,
    ),
    "stack-file-region-a-mapping": Case(
        ["preview", "--stack=proxy"],
        USAGE,
        "aws:region: expected one plain value (e.g. aws:region: us-east-1), not a mapping",
        stack_file("Pulumi.local.yaml", "config:\n  aws:region: {name: us-east-1}\n"),
        stacks=True,
    ),
    "stack-file-setting-a-mapping": Case(
        ["preview", "--stack=proxy"],
        USAGE,
        "proxy:logRetentionDays: expected a whole number",
        stack_file_edit("Pulumi.local.yaml", "logRetentionDays: 1", "logRetentionDays: {d: 1}"),
        stacks=True,
    ),
    "stack-file-invalid-yaml": Case(
        ["preview", "--stack=proxy"],
        USAGE,
        "Pulumi.local.yaml is not valid YAML at line 3",
        stack_file("Pulumi.local.yaml", "config:\n  aws:region: [us-east-1\n"),
        stacks=True,
    ),
    "project-file-config-a-list": Case(
        ["deploy", "--stack=proxy"],
        USAGE,
        "Pulumi.yaml: `config:` must be a mapping of setting names to declarations or values, "
        "not a list",
        stack_file("Pulumi.yaml", "name: proxy\nruntime: python\n" + BAD_CONFIG_LIST),
        stacks=True,
    ),
    "project-file-invalid-yaml": Case(
        ["preview", "--stack=proxy"],
        USAGE,
        "Pulumi.yaml is not valid YAML at line 3: expected ',' or '}', but got '<stream end>' "
        "(while parsing a flow mapping at line 2)",
        stack_file("Pulumi.yaml", "name: proxy\nruntime: {python\n"),
        stacks=True,
    ),
    "project-file-empty": Case(
        ["preview", "--stack=proxy"],
        USAGE,
        "Pulumi.yaml has no project `name:`",
        stack_file("Pulumi.yaml", ""),
        stacks=True,
    ),
    "smoke-file-invalid-yaml": Case(
        ["smoke", "--stack=proxy"],
        USAGE,
        "smoke.yaml is not valid YAML at line 3",
        stack_file("smoke.yaml", "checks:\n  - name: [\n"),
        stacks=True,
    ),
    # A corrupt engine state: which file, and the way out; the file left as it was.
    **{
        f"corrupt-state-{task}": Case(
            [task, "--stack=proxy"], RUNTIME, CORRUPT, engine_file("local.json", TRUNCATED_STATE)
        )
        for task in ("deploy", "preview", "destroy", "outputs", "refresh", "smoke", "call", "token")
    },
    "corrupt-state-not-an-object": Case(
        ["outputs", "--stack=proxy"],
        RUNTIME,
        "not an engine state object",
        engine_file("local.json", "[1, 2]"),
    ),
    "corrupt-journal-middle-line": Case(
        ["deploy", "--stack=proxy"],
        RUNTIME,
        "local.journal, line 1 cannot be read",
        engine_file("local.journal", '{"op": "put", "key"\n{"op": "remove", "key": "k"}\n'),
    ),
    "state-file-a-folder": Case(
        ["destroy", "--stack=proxy"], RUNTIME, "Is a directory", state_file_is_a_folder
    ),
    "deploy-all-with-a-corrupt-state": Case(
        ["deploy", "--stack=all"],
        RUNTIME,
        CORRUPT_WAY_OUT,
        engine_file("local.json", TRUNCATED_STATE),
    ),
    "destroy-all-with-a-corrupt-state": Case(
        ["destroy", "--stack=all"],
        RUNTIME,
        CORRUPT_WAY_OUT,
        engine_file("local.json", TRUNCATED_STATE),
    ),
    "refresh-all-with-a-corrupt-state": Case(
        ["refresh", "--stack=all"],
        RUNTIME,
        CORRUPT_WAY_OUT,
        engine_file("local.json", TRUNCATED_STATE),
    ),
    # A task that does not fit the deployed stack, and a stack whose emulator is not running.
    "token-for-an-api-key-stack": Case(
        ["token", "--stack=proxy"],
        RUNTIME,
        "proxy does not use tokens: its callers send an API key",
        engine_file("local.json", json.dumps(API_KEY_STATE)),
    ),
    "call-with-the-emulator-stopped": Case(
        ["call", "--stack=proxy", "--no-credentials"],
        RUNTIME,
        "Connection refused (is the emulator running? `invoke emulator.status` tells)",
        engine_file("local.json", json.dumps(API_KEY_STATE)),
    ),
    # AIGW_STATE_DIR that is not a folder.
    "state-dir-a-file-deploy": Case(
        ["deploy", "--stack=proxy"],
        RUNTIME,
        "(AIGW_STATE_DIR): it must be a folder you can write to",
        state_dir_is_a_file,
    ),
    "state-dir-a-file-emulator": Case(
        ["emulator.start"], RUNTIME, "Not a directory", state_dir_is_a_file
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_mistake_ends_in_one_line_and_changes_nothing(case, world, tmp_path, capsys, monkeypatch):
    if case.stacks:
        world.stacks = broken_stacks(tmp_path, monkeypatch)
    if case.setup:
        case.setup(world)
    for name, value in world.env.items():
        monkeypatch.setenv(name, value)
    before = snapshot(world.state)
    stacks_before = snapshot(world.stacks) if world.stacks else None

    ran = run_task(case.argv, capsys)

    assert ran.code == case.code, ran.text
    assert "Traceback" not in ran.text
    assert case.fragment in ran.err, ran.text
    # One line (a check of every stack may put "Nothing was changed." on a line of its own); a
    # configuration's problems are listed one a line under the line saying so.
    lines = [line for line in ran.err.strip().splitlines() if line != "Nothing was changed."]
    assert len(lines) == 1 or lines[0].startswith("Error: Invalid configuration"), ran.text
    assert snapshot(world.state) == before
    if stacks_before is not None:
        assert snapshot(world.stacks) == stacks_before
    assert not listening(EMULATOR_PORT)


def test_a_corrupt_state_says_which_file_and_how_to_recover(world, capsys):
    state = world.engine_file("local.json")
    state.write_text(TRUNCATED_STATE)

    ran = run_task(["deploy", "--stack=proxy"], capsys)

    assert ran.code == 1
    assert f"The engine state file {state} cannot be read" in ran.err
    assert "Nothing was changed." in ran.err
    assert CORRUPT_WAY_OUT in ran.err
    assert "`invoke refresh` cannot rebuild it" in ran.err
    assert state.read_text() == TRUNCATED_STATE


def test_invalid_yaml_is_one_sentence_with_the_line_then_nothing_changed(
    world, tmp_path, capsys, monkeypatch
):
    world.stacks = broken_stacks(tmp_path, monkeypatch)
    world.stack_file("Pulumi.local.yaml").write_text("config:\n  aws:region: [us-east-1\n")

    ran = run_task(["deploy", "--stack=proxy"], capsys)

    [line] = ran.err.strip().splitlines()
    assert line.startswith(f"Error: {world.stack_file('Pulumi.local.yaml')} is not valid YAML")
    assert line.endswith(". Nothing was changed.")


def test_empty_variables_are_unset(monkeypatch):
    """`AIGW_STATE_DIR= invoke ...` keeps the state where it always is, not in the current
    folder; an empty AIGW_EMULATOR_PORT is the default port."""
    monkeypatch.setenv("AIGW_STATE_DIR", "")
    monkeypatch.setenv("AIGW_EMULATOR_PORT", "")

    assert catalog.state_dir() == catalog.REPO_ROOT / ".state"
    assert emulator.server().port == emulator.DEFAULT_PORT


def test_changed_since_an_option_is_not_a_commit(world, capsys):
    """`--since=--all` reached git as an option, and `git diff --all HEAD` listed nothing: the
    pipeline would have deployed no stack. Not a commit of this repository: every stack."""
    ran = run_task(["changed", "--since=--all"], capsys)

    assert ran.code == 0
    assert json.loads(ran.out) == catalog.stack_names()


def test_an_interrupted_deploy_says_what_happened(world, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "deploy", interrupted)

    ran = run_task(["deploy", "--stack=proxy"], capsys)

    assert ran.code == 130
    assert "Interrupted. What was applied is recorded" in ran.err
    assert "Traceback" not in ran.text


# -- help, and short flags ---------------------------------------------------------------------

TASK_NAMES = sorted(tasks.ns.task_names)


@pytest.mark.parametrize("name", TASK_NAMES)
def test_dash_h_after_any_task_is_its_help(name, world, capsys):
    world.engine_file("local.json").write_text(json.dumps(OUTPUTS_STATE))
    before = snapshot(world.state)

    ran = run_task([name, "--stack=proxy", "-h"] if _takes_stack(name) else [name, "-h"], capsys)

    assert ran.code == 0, ran.text
    assert ran.out.startswith(f"Usage: invoke [--core-opts] {name} ")
    assert "the-secret-api-key" not in ran.text
    assert snapshot(world.state) == before
    assert not listening(EMULATOR_PORT)


def test_no_short_flag_but_the_deliberate_ones():
    """Invoke's automatic short flags made `-h` mean `--show-secrets`; only a one-letter
    parameter is a short flag now (`invoke test -k expr`, in the README)."""
    short = {
        name: sorted(flag for flag in _flags(name) if len(flag) == 2 and flag != "-h")
        for name in TASK_NAMES
    }
    assert {name: flags for name, flags in short.items() if flags} == {"test": ["-k"]}


def test_outputs_dash_h_with_a_deployed_stack_prints_no_secret(world, capsys):
    world.engine_file("local.json").write_text(json.dumps(OUTPUTS_STATE))

    shown = run_task(["outputs", "--stack=proxy", "-h"], capsys)
    outputs = run_task(["outputs", "--stack=proxy"], capsys)

    assert "--show-secrets" in shown.out and "Outputs:" not in shown.out
    assert "apiKey" in outputs.out and "the-secret-api-key" not in outputs.out


def _takes_stack(name: str) -> bool:
    return "--stack" in _flags(name)


def _flags(name: str) -> set[str]:
    task = tasks.ns[name]
    return {
        (f"-{n}" if len(n) == 1 else f"--{n}").replace("_", "-")
        for argument in task.get_arguments()
        for n in argument.names
    }


# -- a closed output pipe (`| head -1`): real processes ---------------------------------------


@pytest.mark.parametrize(
    ("argv", "unbuffered", "code"),
    [
        # Each print writes at once: the write in the middle of the command fails (141).
        (["--list"], True, 141),
        (["deploy", "--help"], True, 141),
        (["outputs", "--stack=proxy"], True, 141),
        (["changed"], True, 141),
        # Buffered (a pipe's default): the one write is the interpreter's last flush, after
        # the command succeeded; its exit code stays.
        (["outputs", "--stack=proxy"], False, 0),
    ],
    ids=["list", "help", "outputs", "changed", "outputs-buffered"],
)
def test_a_closed_output_pipe_ends_quietly(argv, unbuffered, code, tmp_path):
    state = tmp_path / "state"
    (state / "engine" / "proxy").mkdir(parents=True)
    (state / "engine" / "proxy" / "local.json").write_text(json.dumps(OUTPUTS_STATE))
    environment = {
        **{name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"},
        "AIGW_STATE_DIR": str(state),
        "AIGW_EMULATOR_PORT": str(EMULATOR_PORT),
        **({"PYTHONUNBUFFERED": "1"} if unbuffered else {}),
    }
    reader, writer = os.pipe()
    os.close(reader)  # the reader has gone before the first line: every write fails
    try:
        ran = subprocess.run(
            [sys.executable, "-m", "invoke", *argv],
            cwd=catalog.REPO_ROOT,
            env=environment,
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(writer)

    assert ran.returncode == code, ran.stderr
    assert ran.stderr == ""
