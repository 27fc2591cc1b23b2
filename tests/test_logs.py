"""`invoke logs` (shared/ops/logs.py, shared/ops/log_sources.py): which groups a stack's logs are
in, how an event is shown, --since and --function, --follow's polling and how it stops; locally
against a deployed stack on the session's emulator, and on AWS through the fake `pulumi` with
CloudWatch Logs answered by that emulator."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
import uuid
from typing import Any

import pytest

from shared import catalog
from shared.errors import UserError
from shared.ops import local, log_sources, logs
from shared.ops.log_sources import LogSource, Resource
from tests.e2e import callers

REPO = catalog.REPO_ROOT
STACK = "workflows"


def quiet(line: str) -> None:
    pass


# --- --since -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "seconds"), [("30s", 30), ("10m", 600), ("2h", 7200), ("1d", 86400), (" 5m", 300)]
)
def test_since_takes_a_number_and_a_unit(given, seconds):
    assert logs.parse_since(given) == seconds


@pytest.mark.parametrize("given", ["abc", "10", "m", "0m", "-5m", "1.5h", "10min", "2w", ""])
def test_any_other_since_is_a_usage_error_naming_the_valid_forms(given):
    with pytest.raises(UserError) as raised:
        logs.parse_since(given)
    assert raised.value.exit_code == 2
    assert "30s, 10m, 2h or 1d" in str(raised.value)


def test_a_since_older_than_any_log_group_keeps_is_a_usage_error():
    # CloudWatch Logs keeps events 10 years at the most (a log group's longest retention), and
    # FilterLogEvents refuses a startTime before the epoch.
    assert logs.parse_since("3653d") == 3653 * 86400
    for given in ["3654d", "30000d", "999999d", "9999999999s"]:
        with pytest.raises(UserError) as raised:
            logs.parse_since(given)
        assert raised.value.exit_code == 2
        assert str(raised.value).startswith(f"--since={given} reaches back further than")
        assert "3653d at most" in str(raised.value)


# --- how an event is shown ---------------------------------------------------------------------


def test_a_handler_json_line_shows_its_level_then_its_fields():
    line = json.dumps(
        {
            "level": "INFO",
            "requestId": "r-1",
            "method": "GET",
            "path": "/ai-service",
            "route": None,
            "status": 200,
            "durationMs": 0.1,
            "error": "bad input: x",
        }
    )
    assert logs.render(line) == (
        "INFO requestId=r-1 method=GET path=/ai-service status=200 durationMs=0.1 "
        'error="bad input: x"'
    )


def test_a_message_field_leads_and_a_traceback_stays_on_one_line():
    line = json.dumps({"message": "boom", "level": "ERROR", "traceback": "Trace\n  line 1\n"})
    assert logs.render(line) == r'boom level=ERROR traceback="Trace\n  line 1\n"'


def test_a_line_that_is_not_json_shows_as_written_on_one_line():
    assert logs.render("REPORT RequestId: 1\tDuration: 3 ms\n") == (
        "REPORT RequestId: 1  Duration: 3 ms"
    )
    assert logs.render("{not json") == "{not json"
    assert logs.render("two\nlines") == r"two\nlines"


# --- which groups --------------------------------------------------------------------------


def test_groups_are_the_functions_the_stages_access_logs_and_declared_groups():
    arn = "arn:aws:logs:eu-west-1:1:log-group:"
    resources = [
        Resource("aws:cloudwatch/logGroup:LogGroup", "api-access", "acc", {"arn": arn + "acc"}),
        Resource(
            "aws:lambda/function:Function",
            "orchestrator",
            "orch-1",
            {"name": "orch-1", "arn": "arn:aws:lambda:eu-west-1:1:function:orch-1"},
        ),
        Resource(
            "aws:lambda/function:Function",
            "shared",
            "shared-2",
            {"name": "shared-2", "loggingConfig": {"logGroup": "one-group"}, "region": "us-east-2"},
        ),
        Resource(
            "aws:cloudwatch/logGroup:LogGroup",
            "orchestrator-logs",
            "/aws/lambda/orch-1",
            {"name": "/aws/lambda/orch-1", "arn": arn + "/aws/lambda/orch-1"},
        ),
        Resource(
            "aws:apigatewayv2/stage:Stage",
            "api-prod",
            "s",
            {"accessLogSettings": {"destinationArn": arn + "acc"}},
        ),
        Resource(
            "aws:cloudwatch/logGroup:LogGroup",
            "api-prod-execution-logs",
            "API-Gateway-Execution-Logs_abc/prod",
            {"name": "API-Gateway-Execution-Logs_abc/prod"},
        ),
    ]
    found = log_sources.sources(resources, "us-west-2")
    assert found == [
        LogSource("orchestrator", "/aws/lambda/orch-1", "eu-west-1", function=True),
        LogSource("shared", "one-group", "us-east-2", function=True),
        LogSource("access", "acc", "eu-west-1", function=False),
        LogSource(
            "api-prod-execution-logs", "API-Gateway-Execution-Logs_abc/prod", "us-west-2", False
        ),
    ]


def test_several_stages_name_their_stage_in_the_access_source():
    arn = "arn:aws:logs:us-east-1:1:log-group:"
    stages = [
        Resource(
            "aws:apigateway/stage:Stage",
            f"api-{name}",
            name,
            {"stageName": name, "accessLogSettings": {"destinationArn": f"{arn}{name}-logs:*"}},
        )
        for name in ("v1", "live")
    ]
    found = log_sources.sources(stages, "eu-west-1")
    assert [(s.label, s.group, s.region) for s in found] == [
        ("access:v1", "v1-logs", "us-east-1"),
        ("access:live", "live-logs", "us-east-1"),
    ]
    assert logs.LOCAL_ACCESS_NOTE in logs.header("versions", "local", found, 0, follow=False)


SOURCES = [
    LogSource("orchestrator", "/aws/lambda/orchestrator-18ecb44", "us-east-1", function=True),
    LogSource("access", "api-access-1", "us-east-1", function=False),
]


def test_function_chooses_by_the_stack_name_or_the_physical_name():
    chosen = logs.choose("workflows", "local", SOURCES, "orchestrator")
    assert chosen == SOURCES[:1]
    assert logs.choose("workflows", "local", SOURCES, "orchestrator-18ecb44") == SOURCES[:1]
    assert logs.choose("workflows", "local", SOURCES, None) == SOURCES


def test_an_unknown_function_is_a_usage_error_listing_the_stack_functions():
    with pytest.raises(UserError) as raised:
        logs.choose("workflows", "local", SOURCES, "nope")
    assert raised.value.exit_code == 2
    assert str(raised.value) == (
        "Unknown function 'nope' in workflows. Valid functions: orchestrator."
    )


def test_a_stack_without_functions_says_so_and_still_reads_its_access_logs():
    only_access = SOURCES[1:]
    with pytest.raises(UserError) as raised:
        logs.choose("proxy", "local", only_access, "x")
    assert raised.value.exit_code == 2
    assert "proxy has no Lambda functions in local" in str(raised.value)
    line = logs.header("proxy", "local", only_access, 0, follow=False)
    assert "proxy has no Lambda functions in local: only its access logs can show." in line
    assert logs.LOCAL_ACCESS_NOTE in line
    assert logs.LOCAL_ACCESS_NOTE not in logs.header("proxy", "dev", only_access, 0, False)


def test_a_stack_not_deployed_locally_says_so_in_one_sentence(tmp_path, monkeypatch):
    monkeypatch.setenv("AIGW_STATE_DIR", str(tmp_path))
    with pytest.raises(UserError) as raised:
        logs.command("proxy", "local", out=quiet, note=quiet)
    assert str(raised.value) == (
        "proxy is not deployed to local: it has no logs yet; deploy it with "
        "`invoke deploy --stack=proxy`."
    )


# --- --follow, against a CloudWatch Logs of our own ------------------------------------------


class FakeLogs:
    """FilterLogEvents over events added while the test runs, `page` events a page."""

    def __init__(self, page: int = 2) -> None:
        self.groups: dict[str, list[dict[str, Any]]] = {}
        self.page = page
        self.calls = 0

    def add(self, group: str, timestamp: int, message: str, event_id: str | None = None) -> None:
        event = {"timestamp": timestamp, "message": message, "logStreamName": "s"}
        if event_id:
            event["eventId"] = event_id
        self.groups.setdefault(group, []).append(event)

    def filter_log_events(self, logGroupName, startTime, nextToken=None):  # noqa: N803
        self.calls += 1
        if logGroupName not in self.groups:
            from botocore.exceptions import ClientError

            raise ClientError(
                {"Error": {"Code": "ResourceNotFoundException", "Message": "no group"}}, "Filter"
            )
        found = [e for e in self.groups[logGroupName] if e["timestamp"] >= startTime]
        offset = int(nextToken or 0)
        answer: dict[str, Any] = {"events": found[offset : offset + self.page]}
        if offset + self.page < len(found):
            answer["nextToken"] = str(offset + self.page)
        return answer


def test_follow_prints_each_event_once_in_time_order_and_stops_when_told():
    fake = FakeLogs()
    now = int(time.time() * 1000)
    fake.add("/aws/lambda/orchestrator-18ecb44", now - 5000, "first")
    fake.add("/aws/lambda/orchestrator-18ecb44", now - 5000, "first")  # the same line twice
    fake.add("/aws/lambda/orchestrator-18ecb44", now - 1000, "third")
    fake.add("api-access-1", now - 3000, '{"requestId":"a","status":"200"}')
    printed: list[str] = []
    polls = []
    arriving = [
        # an event stored late, older than the newest already printed (within the lookback)
        ("api-access-1", now - 2000, "late"),
        ("/aws/lambda/orchestrator-18ecb44", now + 10, "fourth"),
    ]

    def next_poll(seconds: float) -> None:
        polls.append(seconds)
        if arriving:
            fake.add(*arriving.pop(0))

    logs.tail(
        SOURCES,
        lambda region: fake,
        now - 60_000,
        printed.append,
        stop=lambda: len(polls) >= 3,
        sleep=next_poll,
    )
    messages = [line.split("  ")[-1] for line in printed]
    assert messages == ["first", "first", "requestId=a status=200", "third", "late", "fourth"]
    sources = [line.split()[1] for line in printed]
    assert sources == ["orchestrator", "orchestrator", "access", "orchestrator", "access"] + [
        "orchestrator"
    ]
    assert polls == [logs.POLL_S] * 3


def test_follow_tells_events_apart_by_their_id_when_they_have_one():
    fake = FakeLogs(page=10)
    now = int(time.time() * 1000)
    fake.add("api-access-1", now, "same", event_id="1")
    printed: list[str] = []
    polls: list[float] = []

    def next_poll(seconds: float) -> None:
        polls.append(seconds)
        fake.add("api-access-1", now, "same", event_id=str(len(polls) + 1))

    logs.tail(
        SOURCES[1:], lambda r: fake, now - 1, printed.append, stop=lambda: len(polls) >= 2,
        sleep=next_poll,
    )  # fmt: skip
    assert len(printed) == 3


def test_a_missing_group_has_no_events_and_other_errors_are_one_sentence(closed_url):
    from botocore.exceptions import NoCredentialsError, ProfileNotFound, ReadTimeoutError

    fake = FakeLogs()  # knows no group: ResourceNotFoundException, as before a first write
    assert logs.read(SOURCES, lambda region: fake, 0) == []

    class NoCredentials(FakeLogs):
        def filter_log_events(self, **request):
            raise NoCredentialsError()

    with pytest.raises(UserError) as raised:
        logs.read(SOURCES, lambda region: NoCredentials(), 0)
    assert str(raised.value).startswith("No AWS credentials to read CloudWatch Logs with")

    class TimingOut(FakeLogs):
        def filter_log_events(self, **request):
            raise ReadTimeoutError(endpoint_url="http://127.0.0.1:9/")

    def no_such_profile(region: str) -> FakeLogs:  # what making the client raises
        raise ProfileNotFound(profile="nope")

    for client_for in (lambda region: TimingOut(), no_such_profile):
        with pytest.raises(UserError) as raised:
            logs.read(SOURCES, client_for, 0)
        assert str(raised.value).startswith(f"Cannot read the log group {SOURCES[0].group}: ")
    assert "The config profile (nope) could not be found" in str(raised.value)

    with pytest.MonkeyPatch.context() as patch:  # the emulator's address, nothing listening
        patch.setenv("AIGW_EMULATOR_PORT", closed_url.rsplit(":", 1)[1])
        nothing_there = logs.clients("local")
        with pytest.raises(UserError) as raised:
            logs.read(SOURCES, nothing_there, 0)
    assert str(raised.value) == (
        f"Nothing answers at {closed_url}: is the emulator running? `invoke emulator.status` tells."
    )


# --- locally, end to end -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def deployed(emulator_server, model_server, http):
    """workflows deployed once for the module and called once (GET lists its workflows)."""
    model = {"type": "http", "url": f"{model_server.url}/invocations"}
    outputs = local.deploy(STACK, out=quiet, overrides={"workflows:model": json.dumps(model)})
    try:
        caller = callers.for_stack(STACK, outputs, http)
        reply = caller("GET", outputs["url"].value)
        assert reply.status == 200
        yield {"outputs": outputs, "caller": caller, "request_id": reply.headers["X-Request-Id"]}
    finally:
        local.destroy(STACK, out=quiet)


def read_local(**options: Any) -> tuple[list[str], list[str]]:
    lines: list[str] = []
    notes: list[str] = []
    options = {"since": "1h", **options}
    logs.command(STACK, "local", out=lines.append, note=notes.append, **options)
    return lines, notes


def until_logged(text: str, **options: Any) -> tuple[list[str], list[str]]:
    """The logs once a line holds `text`: the emulator stores an invocation's log as it ends,
    which may be a moment after the API answered."""
    deadline = time.monotonic() + 10
    while True:
        lines, notes = read_local(**options)
        if any(text in line for line in lines) or time.monotonic() > deadline:
            return lines, notes
        time.sleep(0.05)


@pytest.mark.emulator
def test_the_handler_log_line_shows_with_its_source_and_fields(deployed):
    lines, notes = until_logged(f"requestId={deployed['request_id']}")
    [line] = [line for line in lines if f"requestId={deployed['request_id']}" in line]
    stamp, source, message = line.split(None, 2)
    assert source == "orchestrator"
    assert stamp.endswith("Z") and stamp[:4].isdigit()
    assert message.startswith("INFO ")
    for field in ("method=GET", "path=/ai-service", "route=/ai-service", "status=200"):
        assert field in message.split(), message
    assert any("START RequestId:" in other for other in lines)
    [note] = notes
    assert note.startswith(f"Logs of {STACK} in local since ")
    assert "orchestrator (/aws/lambda/orchestrator-" in note
    assert logs.LOCAL_ACCESS_NOTE in note  # the REST stage has access log settings, none written


@pytest.mark.emulator
def test_function_reads_that_function_only_and_an_unknown_one_lists_them(deployed):
    lines, notes = until_logged(deployed["request_id"], function="orchestrator")
    assert lines and all(line.split()[1] == "orchestrator" for line in lines)
    assert "access (" not in notes[0]
    with pytest.raises(UserError) as raised:
        read_local(function="classifier")
    assert raised.value.exit_code == 2
    assert "Valid functions: orchestrator." in str(raised.value)


@pytest.mark.emulator
def test_since_leaves_out_older_events(deployed, monkeypatch):
    until_logged(deployed["request_id"])
    two_hours_on = time.time() + 7200
    monkeypatch.setattr(logs, "_now_s", lambda: two_hours_on)
    lines, notes = read_local()  # --since=1h, two hours after the call
    assert not any(deployed["request_id"] in line for line in lines)
    assert notes[-1].startswith("No log events since ")
    lines, notes = read_local(since="3h")
    assert any(deployed["request_id"] in line for line in lines)


@pytest.mark.emulator
def test_follow_in_process_shows_a_new_call_and_stops(deployed, monkeypatch):
    monkeypatch.setattr(logs, "POLL_S", 0.05)
    lines: list[str] = []
    called: list[str] = []
    deadline = time.monotonic() + 15

    def stop() -> bool:
        if not called:  # after the first read: one more call, whose line must show
            reply = deployed["caller"]("GET", deployed["outputs"]["url"].value)
            called.append(reply.headers["X-Request-Id"])
            return False
        return any(called[0] in line for line in lines) or time.monotonic() > deadline

    logs.command(STACK, "local", since="1h", follow=True, out=lines.append, note=quiet, stop=stop)
    # Each request's line once: the first call's from the first read, the new one's from a poll.
    for request_id in (deployed["request_id"], called[0]):
        assert sum(f"requestId={request_id}" in line for line in lines) == 1, lines


def invoke_logs(*args: str, **popen: Any) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "invoke", "logs", f"--stack={STACK}", "--since=1h", *args],
        cwd=REPO,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def _as_a_terminal_starts_it() -> None:
    """A command typed at a terminal starts with SIGINT at its default; one started by a
    background job (`cmd &` in a script, how a CI runner may start the suite) inherits SIGINT
    ignored, and no Ctrl-C could reach it. Python turns the default into KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.emulator
def test_follow_ends_quietly_on_ctrl_c(deployed):
    until_logged(deployed["request_id"])
    process = invoke_logs("--follow", preexec_fn=_as_a_terminal_starts_it)
    try:
        ready, _, _ = select.select([process.stdout], [], [], 30)
        assert ready, "no event was printed"
        assert process.stdout.readline().strip()
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr  # the README's promise: Ctrl-C ends it with exit 0
    assert "Traceback" not in stderr


@pytest.mark.emulator
def test_follow_into_a_closed_pipe_ends_quietly(deployed):
    until_logged(deployed["request_id"])
    process = invoke_logs("--follow")
    try:
        assert process.stdout.readline().strip()
        process.stdout.close()  # what `| head -1` does after its line
        process.wait(timeout=30)
        stderr = process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


# --- on AWS: the fake `pulumi` and the emulator's CloudWatch Logs ------------------------------


@pytest.fixture
def aws_project(fake_pulumi_cli, tmp_path, monkeypatch, emulator_server):
    """A project `demo` in dev (eu-west-1) whose resources, as `pulumi stack export` reports
    them, are one function and a stage logging to an access log group; AWS_ENDPOINT_URL sends
    the caller's CloudWatch Logs calls to the session's emulator."""
    stacks = tmp_path / "stacks"
    project = stacks / "demo"
    project.mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    (project / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    monkeypatch.setattr(catalog, "STACKS_DIR", stacks)
    suffix = uuid.uuid4().hex[:8]
    function, access = f"handler-{suffix}", f"api-dev-access-{suffix}"
    region_arn = "arn:aws:logs:eu-west-1:123456789012"
    monkeypatch.setenv(
        "FAKE_PULUMI_RESOURCES",
        json.dumps(
            [
                {
                    "type": "aws:lambda/function:Function",
                    "name": "handler",
                    "id": function,
                    "outputs": {
                        "name": function,
                        "arn": f"arn:aws:lambda:eu-west-1:123456789012:function:{function}",
                    },
                },
                {
                    "type": "aws:apigateway/stage:Stage",
                    "name": "api-dev",
                    "id": "ags-x-dev",
                    "outputs": {
                        "accessLogSettings": {
                            "destinationArn": f"{region_arn}:log-group:{access}",
                            "format": "{}",
                        }
                    },
                },
            ]
        ),
    )
    for key, value in {
        "AWS_ENDPOINT_URL": emulator_server.url,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return {"function_group": f"/aws/lambda/{function}", "access_group": access}


def put(client, group: str, events: list[tuple[int, str]]) -> None:
    client.create_log_group(logGroupName=group)
    client.create_log_stream(logGroupName=group, logStreamName="s")
    client.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[{"timestamp": t, "message": m} for t, m in events],
    )


@pytest.mark.emulator
def test_on_aws_the_groups_come_from_the_stack_export_and_merge_by_time(
    aws_project, emulator_client, fake_pulumi_cli
):
    from shared.ops import cloud

    cloud.deploy("demo", "dev", on_output=quiet)
    client = emulator_client("logs", "eu-west-1")
    now = int(time.time() * 1000)
    put(
        client,
        aws_project["function_group"],
        [(now - 3000, '{"level":"INFO","status":200}'), (now - 1000, "END RequestId: 1")],
    )
    put(client, aws_project["access_group"], [(now - 2000, '{"requestId":"a","status":"200"}')])
    lines: list[str] = []
    notes: list[str] = []
    logs.command("demo", "dev", since="1m", out=lines.append, note=notes.append)
    assert [line.split(None, 2)[1:] for line in lines] == [
        ["handler", "INFO status=200"],
        ["access", "requestId=a status=200"],
        ["handler", "END RequestId: 1"],
    ]
    assert aws_project["function_group"] in notes[0] and aws_project["access_group"] in notes[0]
    assert logs.LOCAL_ACCESS_NOTE not in notes[0]
    exports = [c for c in fake_pulumi_cli.calls() if "export" in c["argv"]]
    assert exports and "--show-secrets" in exports[0]["argv"]


def test_on_aws_a_stack_never_deployed_says_so(fake_pulumi_cli, tmp_path, monkeypatch):
    stacks = tmp_path / "stacks"
    (stacks / "demo").mkdir(parents=True)
    (stacks / "demo" / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    (stacks / "demo" / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    monkeypatch.setattr(catalog, "STACKS_DIR", stacks)
    with pytest.raises(UserError) as raised:
        logs.command("demo", "dev", out=quiet, note=quiet)
    assert str(raised.value) == (
        "demo is not deployed to dev: it has no logs yet; deploy it with "
        "`invoke deploy --stack=demo --env=dev`."
    )
