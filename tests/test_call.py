"""`invoke call` and `invoke token` as users type them: against the stacks deployed to the test
session's emulator (each with its own access mode: proxy api_key, global cognito, orchestration
jwt, workflows iam), and against a server of the test's own for what the answer looks like."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from shared import catalog
from shared.errors import UserError
from shared.ops import call, credentials, local
from shared.ops.outputs import StackOutput
from tests.conftest import fake_pulumi_environment


def invoke(*args: str, **env: str) -> subprocess.CompletedProcess:
    """`invoke ...` as a user runs it, on the test session's emulator and state."""
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=catalog.REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=180,
    )


def answer_of(done: subprocess.CompletedProcess) -> tuple[str, Any]:
    """(the `HTTP <status>` line, the JSON answer after it)."""
    first, _, rest = done.stdout.partition("\n")
    return first, json.loads(rest)


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


# --- usage (nothing is deployed or called) -----------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["call", "--stack=all"], "Choose one stack with --stack, not all."),
        (["token", "--stack=all"], "Choose one stack with --stack, not all."),
        (["call", "--stack=nope"], "Unknown stack 'nope'"),
        (["call", "--stack=proxy", "--data={inputs: 1}"], "--data is not JSON: Expecting"),
        (["call", "--stack=proxy", "--data=@/no/such/file.json"], "cannot read /no/such/file.json"),
        (["call", "--stack=proxy", "--method=FETCH"], "Unknown method 'FETCH'. Valid methods:"),
        (
            ["call", "--stack=proxy", "--client=web", "--no-credentials"],
            "Give --client or --no-credentials, not both.",
        ),
    ],
)
def test_usage_mistakes_exit_2_in_one_sentence(args, expected, tmp_path):
    done = invoke(*args, AIGW_STATE_DIR=str(tmp_path))

    assert done.returncode == 2, done.stderr
    assert expected in done.stderr
    assert "Traceback" not in done.stderr
    assert not any(tmp_path.iterdir())  # nothing was read into being or started


def test_a_stack_that_is_not_deployed_says_how_to_deploy_it(tmp_path):
    for command in ("call", "token"):
        done = invoke(command, "--stack=global", AIGW_STATE_DIR=str(tmp_path))

        assert done.returncode == 1
        assert done.stderr.strip() == (
            "Error: global is not deployed to local: it has no outputs; deploy it with "
            "`invoke deploy --stack=global`."
        )


# --- what is printed (a server of the test's own) ----------------------------------------------


class _Echo(BaseHTTPRequestHandler):
    """Answers with what it received; `/text` in plain text; `/missing` 404."""

    protocol_version = "HTTP/1.1"
    received: list[dict[str, str]] = []  # the headers of each request, as the server saw them

    def log_message(self, *args: Any) -> None:
        pass

    def _reply(self, status: int, body: bytes, kind: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        type(self).received.append({k.lower(): v for k, v in self.headers.items()})
        if self.path.endswith("/text"):
            self._reply(200, b"plain words\n", "text/plain")
        elif self.path.endswith("/missing"):
            self._reply(404, b'{"message": "Not Found"}')
        else:
            seen = {"method": self.command, "path": self.path, "body": body}
            seen["headers"] = {k.lower(): v for k, v in self.headers.items()}
            self._reply(200, json.dumps(seen).encode())

    do_GET = do_POST = do_PUT = do_DELETE = _handle


@pytest.fixture
def echo(serve_in_thread, monkeypatch):
    """A keyed stack whose url and baseUrl are the echo server; its outputs are those read."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    with serve_in_thread(server) as url:
        found = {
            "url": StackOutput(f"{url}/stage/predict"),
            "baseUrl": StackOutput(f"{url}/stage"),
            "access": StackOutput({"mode": "api_key", "clients": {"web": {"tier": "basic"}}}),
            "credentials": StackOutput({"apiKeys": {"web": "key-of-web"}}, secret=True),
        }
        monkeypatch.setattr(credentials, "stack_outputs", lambda stack, env: found)
        yield url


def printed(**options: Any) -> tuple[bool, list[str]]:
    lines: list[str] = []
    ok = call.call("demo", "dev", out=lines.append, **options)
    return ok, lines


def test_the_answer_follows_its_status_indented_and_the_key_is_masked(echo):
    ok, lines = printed(data='{"inputs": "hi"}')

    assert ok
    assert lines[0] == "HTTP 200"
    seen = json.loads(lines[1])
    assert lines[1].startswith('{\n  "method": "POST"')  # indented JSON
    assert (seen["path"], seen["body"]) == ("/stage/predict", '{"inputs": "hi"}')
    assert seen["headers"]["content-type"] == "application/json"
    assert seen["headers"]["x-api-key"] == "[secret]"  # sent, and never printed
    assert "key-of-web" not in "\n".join(lines)


def test_path_goes_to_base_url_and_the_method_defaults_to_get(echo, tmp_path):
    body = tmp_path / "body.json"
    body.write_text('{"inputs": ["a", "b"]}')

    _, got = printed(path="/v2/predict")
    _, posted = printed(path="v2/predict", data=f"@{body}", method="put")

    seen = json.loads(got[1])
    assert (seen["method"], seen["path"]) == ("GET", "/stage/v2/predict")
    assert json.loads(posted[1])["method"] == "PUT"
    assert json.loads(posted[1])["body"] == '{"inputs": ["a", "b"]}'


def test_no_credentials_sends_none_and_a_non_2xx_answer_is_false(echo):
    _, lines = printed(send_credentials=False)
    missing, missed = printed(path="/missing")

    assert "x-api-key" not in json.loads(lines[1])["headers"]
    assert not missing and missed == ["HTTP 404", '{\n  "message": "Not Found"\n}']


def test_a_text_answer_is_printed_as_it_is(echo):
    assert printed(path="/text") == (True, ["HTTP 200", "plain words"])


def test_no_answer_is_one_sentence(monkeypatch, closed_url):
    found = {"url": StackOutput(closed_url), "access": StackOutput({"mode": "none"})}
    monkeypatch.setattr(credentials, "stack_outputs", lambda stack, env: found)

    with pytest.raises(UserError, match=r"^no answer from http://127\.0\.0\.1:\d+"):
        call.call("demo", "dev", out=lambda line: None)


def test_on_an_aws_environment_the_outputs_come_through_the_pulumi_cli(serve_in_thread, tmp_path):
    """`invoke call --env=dev` reads the stack's outputs with the Automation API (here the fake
    `pulumi` of tests/cloud, whose `up` reports the outputs it is given) and sends the key of
    the first client the stack file declares, though the outputs list the clients sorted."""
    env = fake_pulumi_environment(tmp_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    with serve_in_thread(server) as url:
        _Echo.received = []
        env["FAKE_PULUMI_OUTPUTS"] = json.dumps(
            {
                "url": f"{url}/dev/predict",
                "access": {
                    "mode": "api_key",
                    "region": "eu-west-1",
                    "clients": {"partner": {"tier": "partner"}, "web": {"tier": "standard"}},
                },
                "credentials": {"apiKeys": {"partner": "key-partner", "web": "key-web"}},
            }
        )
        deployed = invoke("deploy", "--stack=proxy", "--env=dev", **env)
        assert deployed.returncode == 0, deployed.stderr

        done = invoke("call", "--stack=proxy", "--env=dev", '--data={"inputs": "hi"}', **env)

    assert done.returncode == 0, done.stderr
    assert [seen["x-api-key"] for seen in _Echo.received] == ["key-web"]
    assert "key-web" not in done.stdout  # echoed back, masked
    assert answer_of(done)[1]["headers"]["x-api-key"] == "[secret]"


# --- the deployed stacks ---------------------------------------------------------------------

STACKS = ("proxy", "global", "orchestration", "workflows")


@pytest.fixture(scope="module")
def deployed(emulator_server, model_server):
    """The four REST/HTTP stacks with one access mode each, their model the session's."""
    model = json.dumps({"type": "http", "url": f"{model_server.url}/invocations"})
    for stack in STACKS:
        local.deploy(stack, out=lambda line: None, overrides={f"{stack}:model": model})
    yield {stack: local.outputs(stack) for stack in STACKS}
    for stack in STACKS:
        local.destroy(stack, out=lambda line: None)


@pytest.mark.emulator
def test_an_api_key_stack_is_called_with_its_first_clients_key(deployed):
    done = invoke("call", "--stack=proxy", '--data={"inputs": "I love this product"}')

    assert done.returncode == 0, done.stderr
    status, answer = answer_of(done)
    assert status == "HTTP 200"
    assert answer["predictions"][0]["label"] == "positive"
    keys = deployed["proxy"]["credentials"].value["apiKeys"]
    assert not any(key in done.stdout + done.stderr for key in keys.values())


@pytest.mark.emulator
def test_an_api_key_stack_refuses_no_key_and_takes_another_clients(deployed):
    refused = invoke("call", "--stack=proxy", '--data={"inputs": "x"}', "--no-credentials")
    partner = invoke("call", "--stack=proxy", '--data={"inputs": "x"}', "--client=partner")
    unknown = invoke("call", "--stack=proxy", "--client=nope")

    assert refused.returncode == 1 and answer_of(refused)[0] == "HTTP 403"
    assert partner.returncode == 0 and answer_of(partner)[0] == "HTTP 200"
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == "Error: proxy has no client 'nope'; its clients: web, partner."


@pytest.mark.emulator
def test_token_of_a_stack_without_tokens_says_what_it_uses(deployed):
    keyed = invoke("token", "--stack=proxy")
    signed = invoke("token", "--stack=workflows")

    assert keyed.returncode == 1 and keyed.stdout == ""
    assert keyed.stderr.strip() == (
        "Error: proxy does not use tokens: its callers send an API key in the x-api-key "
        "header, which `invoke call` adds."
    )
    assert signed.stderr.strip() == (
        "Error: workflows does not use tokens: its callers sign requests with AWS SigV4, "
        "which `invoke call` does."
    )


@pytest.mark.emulator
def test_token_prints_only_a_token_of_the_stacks_client_with_its_scopes(deployed):
    done = invoke("token", "--stack=global")

    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    assert done.stdout == token + "\n"  # nothing else: `$(invoke token ...)` is the token
    granted = claims(token)
    access = deployed["global"]["access"].value
    assert granted["client_id"] == access["clients"]["app"]["clientId"]
    assert granted["scope"] == "aigw-global/invoke"
    assert granted["iss"] == access["issuer"]


@pytest.mark.emulator
def test_a_cognito_stack_is_called_with_a_token_and_refuses_none(deployed):
    called = invoke("call", "--stack=global", '--data={"inputs": "I love this product"}')
    refused = invoke("call", "--stack=global", '--data={"inputs": "x"}', "--no-credentials")

    assert called.returncode == 0, called.stderr
    assert answer_of(called)[1]["predictions"][0]["label"] == "positive"
    assert refused.returncode == 1 and answer_of(refused)[0] == "HTTP 401"


@pytest.mark.emulator
def test_a_jwt_stack_checks_the_scope_of_each_route(deployed, tmp_path):
    body = tmp_path / "classify.json"
    body.write_text(json.dumps({"inputs": ["I love it", "this is awful"]}))

    app = invoke("call", "--stack=orchestration", "--path=/classify", f"--data=@{body}")
    reporting = invoke(
        "call", "--stack=orchestration", "--path=/classify", f"--data=@{body}", "--client=reporting"
    )
    health = invoke("call", "--stack=orchestration", "--path=/health")

    assert app.returncode == 0, app.stderr
    labels = [p["label"] for p in answer_of(app)[1]["predictions"]]
    assert labels == ["positive", "negative"]
    # An HTTP API JWT authorizer answers 403 to a valid token without the route's scope.
    assert reporting.returncode == 1 and answer_of(reporting)[0] == "HTTP 403"
    assert health.returncode == 0 and answer_of(health)[1]["status"] == "ok"


@pytest.mark.emulator
def test_an_iam_stack_is_called_signed_and_refuses_an_unsigned_request(deployed):
    signed = invoke("call", "--stack=workflows")
    unsigned = invoke("call", "--stack=workflows", "--no-credentials")

    assert signed.returncode == 0, signed.stderr
    assert "review-digest" in [w["name"] for w in answer_of(signed)[1]["workflows"]]
    assert unsigned.returncode == 1 and answer_of(unsigned)[0] == "HTTP 403"
