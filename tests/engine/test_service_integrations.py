"""REST `AWS` integrations to the SageMaker and Bedrock runtimes, which MiniStack's gateway
cannot call, applied through the engine's bridge (shared/local/engine/service_bridge.py): a
program deployed by the engine and called through the gateway gets the model's answer, and
the backend's errors mapped by the program's own integration responses (API Gateway's rule:
for an AWS integration the selection pattern is matched against the service's status code;
the response without a pattern is the default); its role must allow the call; the plan shows
the integrations as declared; destroy leaves no bridge behind; a template the bridge cannot
render is refused before anything is applied."""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from shared.errors import UserError
from shared.local.engine import service_bridge
from shared.local.engine.engine import Action, UnappliedInputs
from shared.local.engine.providers import REGISTRY

pytestmark = pytest.mark.emulator

ENDPOINT = "classifier"
MODEL_ID = "amazon.titan-text-express-v1"


class SageMakerRuntime(BaseHTTPRequestHandler):
    """A fake SageMaker runtime: InvokeEndpoint answers `{"label": ...}`, or the status the
    body's `status` asks for; every call is kept (path, headers, body)."""

    calls: list[dict[str, Any]] = []
    lock = threading.Lock()

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        with self.lock:
            self.calls.append({"path": self.path, "headers": dict(self.headers), "body": body})
        asked = json.loads(body or "{}")
        status = int(asked.get("status", 200))
        answer = {"label": "positive", "inputs": asked.get("inputs")}
        if status != 200:
            answer = {"ErrorCode": "ModelError", "Message": f"failed with {status}"}
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def sagemaker(serve_in_thread):
    SageMakerRuntime.calls = []
    with serve_in_thread(ThreadingHTTPServer(("127.0.0.1", 0), SageMakerRuntime)) as url:
        yield url


@pytest.fixture
def harness(engine_harness, sagemaker):
    h = engine_harness(
        "api_models",
        "api_models",
        name=f"mdl{uuid.uuid4().hex[:8]}",
        endpoint=ENDPOINT,
        modelId=MODEL_ID,
    )
    h.model_url = sagemaker
    return h


def bridges(emulator_client, api_id: str) -> list[str]:
    functions = emulator_client("lambda").list_functions()["Functions"]
    return [
        f["FunctionName"]
        for f in functions
        if f["FunctionName"].startswith(f"aigw-bridge-{api_id}")
    ]


def test_models_answer_through_the_gateway_with_the_declared_error_mapping(
    harness, emulator_client, http
):
    outputs = harness.up()
    url = outputs["url"].value
    api_id = url.split("/restapis/")[1].split("/")[0]
    try:
        # The plan reads the emulator back and sees the integrations as declared.
        assert all(s.action is Action.SAME for s in harness.plan(live=True).steps)
        assert len(bridges(emulator_client, api_id)) == 3

        # SageMaker: the body passed through, the call signed for the sagemaker service.
        ok = http("POST", f"{url}/sagemaker", {"inputs": "great film"})
        assert (ok.status, ok.body) == (200, {"label": "positive", "inputs": "great film"})
        call = SageMakerRuntime.calls[-1]
        assert call["path"] == f"/endpoints/{ENDPOINT}/invocations"
        assert json.loads(call["body"]) == {"inputs": "great film"}
        assert "/sagemaker/aws4_request" in call["headers"]["Authorization"]

        # The backend's status code picks the integration response: 400, 413 and 429 kept,
        # every other error 502, each with the program's static message.
        cases = ((400, 400), (424, 400), (413, 413), (429, 429), (500, 502), (404, 502))
        for backend, expected in cases:
            answer = http("POST", f"{url}/sagemaker", {"inputs": "x", "status": backend})
            assert answer.status == expected, (backend, answer)
            assert set(answer.body) == {"message"}
        # passthrough_behavior NEVER: a content type with no template is 415.
        plain = http("POST", f"{url}/sagemaker", raw=b"x", headers={"Content-Type": "text/plain"})
        assert plain.status == 415

        # A role allowed another endpoint only: SageMaker's 403, mapped to 502; no call made.
        before = len(SageMakerRuntime.calls)
        denied = http("POST", f"{url}/denied", {"inputs": "x"})
        assert denied.status == 502
        assert len(SageMakerRuntime.calls) == before

        # Bedrock: the template makes the Converse request; MiniStack's runtime answers.
        chat = http("POST", f"{url}/bedrock", {"inputs": "hello"})
        assert chat.status == 200, chat
        content = chat.body["output"]["message"]["content"]
        assert content and isinstance(content[0]["text"], str)
    finally:
        harness.destroy()
    assert bridges(emulator_client, api_id) == []


def test_a_template_the_bridge_cannot_render_is_refused_by_name(harness):
    with pytest.raises(UnappliedInputs) as refused:
        harness.plan(template="#set($x = $input.path('$.inputs'))$x")
    message = str(refused.value)
    assert "requestTemplates['application/json']" in message
    assert "#set" in message


def test_the_local_model_server_answers_through_the_sagemaker_integration(
    engine_harness, model_server, http
):
    """The real local model (its SageMaker runtime route). A body the model refuses is the
    runtime's 424 ModelError, as on AWS, which the program maps to 400."""
    h = engine_harness(
        "api_models",
        "api_models",
        name=f"mdl{uuid.uuid4().hex[:8]}",
        endpoint=ENDPOINT,
        modelId=MODEL_ID,
    )
    h.model_url = model_server.url
    url = h.up()["url"].value
    try:
        ok = http("POST", f"{url}/sagemaker", {"inputs": "I loved this film"})
        assert ok.status == 200, ok
        assert "label" in json.dumps(ok.body)
        bad = http("POST", f"{url}/sagemaker", {"not-inputs": 1})
        assert (bad.status, bad.body) == (400, {"message": "The model rejected the request."})
    finally:
        h.destroy()


# -- the provider -------------------------------------------------------------------------------

INTEGRATION = REGISTRY["aws:apigateway/integration:Integration"]
ROLE = REGISTRY["aws:iam/role:Role"]
REST_API = REGISTRY["aws:apigateway/restApi:RestApi"]
METHOD = REGISTRY["aws:apigateway/method:Method"]
ASSUME = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "apigateway.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def uri(service_path: str) -> str:
    return f"arn:aws:apigateway:us-east-1:{service_path}"


def test_a_bridged_integration_reads_back_updates_drifts_is_found_and_leaves_nothing(
    applied, emulator_client
):
    role = applied.create(
        ROLE, "role", {"name": f"bridge{uuid.uuid4().hex[:8]}", "assumeRolePolicy": ASSUME}
    )
    api = applied.create(REST_API, "api", {"name": f"bridge{uuid.uuid4().hex[:8]}"})
    key = {"restApi": api.id, "resourceId": api.outputs["rootResourceId"], "httpMethod": "POST"}
    applied.create(METHOD, "method", {**key, "authorization": "NONE"})
    inputs = {
        **key,
        "type": "AWS",
        "integrationHttpMethod": "POST",
        "uri": uri("runtime.sagemaker:path/endpoints/a/invocations"),
        "credentials": role.outputs["arn"],
        "requestTemplates": {"application/json": "$input.body"},
        "passthroughBehavior": "NEVER",
    }
    integration = applied.create(INTEGRATION, "integration", inputs)
    gateway, functions = emulator_client("apigateway"), emulator_client("lambda")
    name = service_bridge.function_name(inputs)
    live = gateway.get_integration(
        restApiId=api.id, resourceId=key["resourceId"], httpMethod="POST"
    )
    assert live["type"] == "AWS_PROXY" and name in live["uri"]  # the emulator copy
    assert applied.drift(INTEGRATION, integration) == {}  # read shows it as declared
    assert applied.find(INTEGRATION, integration) == integration.id

    # In place: another model and template; the bridge follows.
    changed = {
        **inputs,
        "uri": uri("bedrock-runtime:path/model/m/converse"),
        "requestTemplates": {"application/json": "{\"text\": $input.json('$.inputs')}"},
    }
    integration = applied.update(INTEGRATION, integration, changed)
    assert applied.drift(INTEGRATION, integration) == {}
    variables = functions.get_function_configuration(FunctionName=name)["Environment"]
    assert variables["Variables"]["BRIDGE_TARGET"] == changed["uri"]

    # Changed behind the engine's back: the emulator copy no longer goes to the bridge.
    gateway.put_integration(
        restApiId=api.id, resourceId=key["resourceId"], httpMethod="POST", type="MOCK"
    )
    assert set(applied.drift(INTEGRATION, integration)) >= {"type", "uri"}

    # A run killed after the bridge was made and before the integration: the next create
    # brings the bridge up to date instead of failing on it.
    gateway.delete_integration(restApiId=api.id, resourceId=key["resourceId"], httpMethod="POST")
    assert applied.find(INTEGRATION, integration) is None
    integration = applied.create(INTEGRATION, "integration", changed)
    assert applied.drift(INTEGRATION, integration) == {}

    INTEGRATION.delete(applied.ctx, integration)
    assert applied.find(INTEGRATION, integration) is None
    assert name not in [f["FunctionName"] for f in functions.list_functions()["Functions"]]


def test_a_bridged_integration_needs_its_role(applied):
    api = applied.create(REST_API, "api", {"name": f"bridge{uuid.uuid4().hex[:8]}"})
    key = {"restApi": api.id, "resourceId": api.outputs["rootResourceId"], "httpMethod": "POST"}
    applied.create(METHOD, "method", {**key, "authorization": "NONE"})
    with pytest.raises(UserError, match="does not exist"):
        applied.create(
            INTEGRATION,
            "integration",
            {
                **key,
                "type": "AWS",
                "uri": uri("runtime.sagemaker:path/endpoints/a/invocations"),
                "credentials": "arn:aws:iam::000000000000:role/nobody-here",
            },
        )


def test_what_the_bridge_does_not_apply_is_refused_by_name():
    declared = {
        "restApi": "a",
        "resourceId": "r",
        "httpMethod": "POST",
        "type": "AWS",
        "uri": uri("runtime.sagemaker:path/endpoints/a/invocations"),
        "requestTemplates": {"application/json": "$input.body"},
    }
    assert service_bridge.refusals(declared) == []
    mapped = {**declared, "requestParameters": {"integration.request.header.X": "'1'"}}
    assert service_bridge.refusals(mapped) == [
        "requestParameters (the local bridge does not apply it to the service call)"
    ]
    elsewhere = {**declared, "uri": uri("runtime.sagemaker:path/endpoints/a/other")}
    assert service_bridge.refusals(elsewhere) == [
        "uri (the local bridge does not call 'endpoints/a/other')"
    ]
    # Not a bridged integration: nothing to refuse here.
    assert service_bridge.refusals({**mapped, "type": "AWS_PROXY"}) == []
