"""The orchestration services' handler code as Lambda runs it: imported the way the zip lays it
out (the service modules at the root, the runtime as `aigw_runtime`), S3 in moto, and a real
local model endpoint in a thread; plus a closed port and a model that does not answer in time."""

from __future__ import annotations

import base64
import importlib
import json
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import shared.runtime
from shared.runtime import ModelClient
from shared.runtime import model_client as model_client_module
from tests.handlers.conftest import fresh_bucket

SERVICES_DIR = Path(__file__).resolve().parents[2] / "stacks" / "orchestration" / "functions"
SERVICE_MODULES = ("inputs", "records", "classifier", "summarizer", "health")
BUCKET = "orchestration-local-data-20261122000000000000000001"
REGION = "us-east-1"
STAGE = "local"
MAX_BODY_BYTES = 65_536  # the stack's default
MODEL_TIMEOUT_S = 0.5
LABELS = {"positive", "negative", "neutral"}

POSITIVE = "I love this product, it is wonderful and works great"
NEGATIVE = "Terrible experience, awful quality, I hate it and want a refund"
REVIEW = (
    "The battery lasts two full days. "
    "I ordered it on a Tuesday. "
    "The battery charges fast and the battery never gets hot. "
    "Shipping was slow and the box arrived damaged! "
    "Overall the battery is excellent."
)


# --- the services, loaded as in the zip ---------------------------------------------------------


@pytest.fixture
def aws(moto_s3, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """moto's S3 with the bucket the stack would create; no real endpoint, no real credentials."""
    yield from fresh_bucket(moto_s3, monkeypatch, BUCKET, REGION)


@pytest.fixture
def load(import_handler, aws: Any, model_url: str) -> Callable[..., SimpleNamespace]:
    """`load(service, **env)`: a cold start of one service's function. The environment is the
    one the stack gives it (overridable), then the modules are imported as the zip holds them."""

    def cold_start(service: str, **env: str) -> SimpleNamespace:
        variables = {
            "MODEL_ENDPOINT_URL": f"{model_url}/invocations",
            "MODEL_TIMEOUT_SECONDS": str(MODEL_TIMEOUT_S),
            "MAX_BODY_BYTES": str(MAX_BODY_BYTES),
            "DATA_BUCKET": BUCKET,
            "DATA_PREFIX": service,
            **env,
        }
        handler = import_handler(SERVICES_DIR, service, env=variables).handler
        modules = {name: importlib.import_module(name) for name in SERVICE_MODULES}
        assert modules["records"]._s3 is None
        return SimpleNamespace(**modules, handler=handler)

    return cold_start


# --- events -----------------------------------------------------------------------------------

_request_counter = iter(range(1, 1_000_000))


def new_request_id() -> str:
    """HTTP APIs' request ids look like 'jPQNmD06kgMnaE0='."""
    raw = next(_request_counter).to_bytes(10, "big")
    return base64.b64encode(raw).decode()


@pytest.fixture
def event(http_event) -> Callable[..., dict[str, Any]]:
    """`event(method, path, body=None, base64_body=False)`: an HTTP API Lambda proxy event
    (payload 2.0) as the `local` stage sends it, with a request id of its own: the path carries
    the stage name, the route key does not. A string body is sent as it is, others as JSON."""

    def build(method: str, path: str, body: Any = None, *, base64_body: bool = False) -> dict:
        return http_event(
            method,
            f"/{STAGE}{path}",
            route_key=f"{method} {path}",
            body=body,
            base64_body=base64_body,
            stage=STAGE,
            request_id=new_request_id(),
        )

    return build


class Context:
    """The parts of Lambda's context object a handler may read."""

    aws_request_id = "7d3e4f9a-1b2c-4d5e-8f90-a1b2c3d4e5f6"
    function_name = "orchestration-local-classifier"
    memory_limit_in_mb = 256

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


def invoke(service: SimpleNamespace, evt: dict[str, Any]) -> SimpleNamespace:
    proxy = service.handler(evt, Context())
    assert set(proxy) == {"statusCode", "headers", "body", "isBase64Encoded"}
    assert proxy["isBase64Encoded"] is False
    body = json.loads(proxy["body"]) if proxy["body"] else None
    return SimpleNamespace(status=proxy["statusCode"], headers=proxy["headers"], body=body)


def stored_keys(s3: Any) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def read_json(s3: Any, key: str) -> tuple[Any, str]:
    got = s3.get_object(Bucket=BUCKET, Key=key)
    return json.loads(got["Body"].read()), got["ContentType"]


def log_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def assert_clean_error(reply: SimpleNamespace, status: int, request_id: str) -> None:
    assert reply.status == status
    assert reply.headers["Content-Type"] == "application/json"
    assert isinstance(reply.body["error"], str) and reply.body["error"]
    assert reply.body["requestId"] == request_id
    text = json.dumps(reply.body)
    assert "Traceback" not in text and 'File "' not in text


# --- loading ----------------------------------------------------------------------------------


def test_the_runtime_alias_is_the_shared_package(load):
    service = load("classifier")
    import aigw_runtime

    assert aigw_runtime is shared.runtime
    # Relative imports inside the runtime resolve to the one shared package, not a copy.
    assert aigw_runtime.App is shared.runtime.app.App
    assert aigw_runtime.get_model_client is model_client_module.get_model_client
    assert service.classifier.get_model_client is model_client_module.get_model_client
    assert Path(service.inputs.__file__).parent == SERVICES_DIR
    assert service.classifier.app.routes == [("POST", "/classify")]
    assert service.summarizer.app.routes == [("POST", "/summarize")]
    assert service.health.app.routes == [("GET", "/health")]


def test_the_body_limit_comes_from_the_environment(load):
    assert load("classifier").inputs.MAX_BODY_BYTES == MAX_BODY_BYTES
    assert load("classifier", MAX_BODY_BYTES="2048").inputs.MAX_BODY_BYTES == 2048


# --- classify ---------------------------------------------------------------------------------


def test_classify_answers_with_predictions_and_stores_request_and_result(
    load, aws, model_url, event
):
    service = load("classifier")
    request = {"inputs": [POSITIVE, NEGATIVE], "parameters": {"top_k": 2}}
    evt = event("POST", "/classify", request)
    request_id = evt["requestContext"]["requestId"]

    reply = invoke(service, evt)

    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.headers["X-Request-Id"] == request_id
    assert reply.body["requestId"] == request_id
    assert (reply.body["model"], reply.body["version"]) == ("sentiment-nb", "v1")
    labels = [p["label"] for p in reply.body["predictions"]]
    assert labels == ["positive", "negative"]
    assert all(len(p["scores"]) == 2 for p in reply.body["predictions"])  # top_k reached it
    assert reply.body["stored"] == f"s3://{BUCKET}/classifier/{request_id}/"

    assert stored_keys(aws) == [
        f"classifier/{request_id}/request.json",
        f"classifier/{request_id}/result.json",
    ]
    stored_request, content_type = read_json(aws, f"classifier/{request_id}/request.json")
    assert content_type == "application/json"
    assert stored_request == {"inputs": request["inputs"], "parameters": {"top_k": 2}}
    stored_result, _ = read_json(aws, f"classifier/{request_id}/result.json")
    assert stored_result == {k: v for k, v in reply.body.items() if k != "stored"}


def test_classify_agrees_with_the_model(load, model_url, event):
    service = load("classifier")
    texts = [POSITIVE, NEGATIVE, "The package arrived on Monday"]
    reply = invoke(service, event("POST", "/classify", {"inputs": texts}))
    direct = ModelClient(f"{model_url}/invocations", timeout_s=5).invoke(texts)
    assert reply.body["predictions"] == direct["predictions"]


def test_classify_takes_a_single_string_and_a_base64_body(load, aws, event):
    service = load("classifier")
    evt = event("POST", "/classify", {"inputs": POSITIVE}, base64_body=True)
    request_id = evt["requestContext"]["requestId"]
    reply = invoke(service, evt)
    assert reply.status == 200
    assert [p["label"] for p in reply.body["predictions"]] == ["positive"]
    stored, _ = read_json(aws, f"classifier/{request_id}/request.json")
    assert stored == {"inputs": [POSITIVE], "parameters": {}}


def test_the_s3_client_is_made_once_per_container(load, aws, event):
    service = load("classifier")
    invoke(service, event("POST", "/classify", {"inputs": POSITIVE}))
    client = service.records._s3
    assert client is not None
    invoke(service, event("POST", "/classify", {"inputs": NEGATIVE}))
    assert service.records._s3 is client
    assert len(stored_keys(aws)) == 4


# --- summarize --------------------------------------------------------------------------------


@pytest.mark.parametrize("keep", [1, 2, 3, 5])
def test_summarize_keeps_the_requested_sentences_in_order_with_tones(
    load, aws, model_url, keep, event
):
    service = load("summarizer")
    evt = event("POST", "/summarize", {"inputs": REVIEW, "parameters": {"sentences": keep}})
    request_id = evt["requestContext"]["requestId"]

    reply = invoke(service, evt)

    assert reply.status == 200
    original = service.summarizer.split_sentences(REVIEW)
    assert len(original) == 5
    chosen = [s["text"] for s in reply.body["sentences"]]
    assert len(chosen) == keep
    positions = [original.index(text) for text in chosen]
    assert positions == sorted(positions)  # original order
    assert reply.body["summary"] == " ".join(chosen)
    tones = ModelClient(f"{model_url}/invocations", timeout_s=5).invoke(chosen)["predictions"]
    assert [s["tone"] for s in reply.body["sentences"]] == [p["label"] for p in tones]
    assert reply.body["tone"] in LABELS
    assert (reply.body["model"], reply.body["version"]) == ("sentiment-nb", "v1")
    assert reply.body["stored"] == f"s3://{BUCKET}/summarizer/{request_id}/"

    assert stored_keys(aws) == [
        f"summarizer/{request_id}/request.json",
        f"summarizer/{request_id}/result.json",
    ]
    stored_request, _ = read_json(aws, f"summarizer/{request_id}/request.json")
    assert stored_request == {"inputs": REVIEW, "parameters": {"sentences": keep}}
    stored_result, _ = read_json(aws, f"summarizer/{request_id}/result.json")
    assert stored_result == {k: v for k, v in reply.body.items() if k != "stored"}


def test_summarize_prefers_the_sentences_about_the_main_subject(load, event):
    reply = invoke(load("summarizer"), event("POST", "/summarize", {"inputs": REVIEW}))
    # Default: two sentences, those densest in the text's most frequent word ("battery").
    assert [s["text"] for s in reply.body["sentences"]] == [
        "The battery charges fast and the battery never gets hot.",
        "Overall the battery is excellent.",
    ]
    assert "Tuesday" not in reply.body["summary"] and "Shipping" not in reply.body["summary"]


def test_summarize_a_short_text_keeps_all_of_it(load, event):
    reply = invoke(
        load("summarizer"),
        event("POST", "/summarize", {"inputs": POSITIVE, "parameters": {"sentences": 3}}),
    )
    assert reply.status == 200
    assert reply.body["summary"] == POSITIVE
    assert reply.body["tone"] == "positive"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"inputs": [REVIEW, REVIEW]}, '"inputs" must be one text'),
        ({"inputs": REVIEW, "parameters": {"sentences": 0}}, '"parameters.sentences"'),
        ({"inputs": REVIEW, "parameters": {"sentences": 11}}, '"parameters.sentences"'),
        ({"inputs": REVIEW, "parameters": {"sentences": "2"}}, '"parameters.sentences"'),
        ({"inputs": REVIEW, "parameters": {"sentences": True}}, '"parameters.sentences"'),
        ({"inputs": REVIEW, "parameters": {"sentences": 1.5}}, '"parameters.sentences"'),
        (
            {"inputs": REVIEW, "parameters": {"sentence": 3}},
            'unknown fields in "parameters": sentence',
        ),
    ],
)
def test_summarize_refuses_what_it_cannot_summarize(load, aws, body, reason, event):
    evt = event("POST", "/summarize", body)
    reply = invoke(load("summarizer"), evt)
    assert_clean_error(reply, 400, evt["requestContext"]["requestId"])
    assert reason in reply.body["error"]
    assert stored_keys(aws) == []


# --- bad requests -----------------------------------------------------------------------------

BAD_REQUESTS = [
    pytest.param('{"inputs": "great",', 400, "body is not valid JSON", id="malformed-json"),
    pytest.param("", 400, "body is empty", id="empty-body"),
    pytest.param('["great"]', 400, "body must be a JSON object, not an array", id="array-body"),
    pytest.param("{}", 400, '"inputs" must be a string or a non-empty list', id="no-inputs"),
    pytest.param('{"input": "great"}', 400, "unknown fields: input", id="misspelt-field"),
    pytest.param(
        '{"inputs": "great", "model": "v2", "debug": true}',
        400,
        "unknown fields: debug, model",
        id="unknown-fields",
    ),
    pytest.param(
        '{"inputs": []}', 400, '"inputs" must be a string or a non-empty', id="empty-list"
    ),
    pytest.param('{"inputs": ""}', 400, '"inputs" must contain only non-empty', id="empty-string"),
    pytest.param(
        '{"inputs": ["fine", "   "]}', 400, '"inputs" must contain only non-empty', id="blank-text"
    ),
    pytest.param('{"inputs": ["fine", 3]}', 400, "only non-empty strings", id="not-a-string"),
    pytest.param('{"inputs": {"text": "x"}}', 400, '"inputs" must be a string', id="object"),
    pytest.param(
        json.dumps({"inputs": ["fine"] * 65}), 400, "at most 64 texts", id="too-many-inputs"
    ),
    pytest.param(
        '{"inputs": "fine", "parameters": [1]}', 400, '"parameters" must be an object', id="params"
    ),
    pytest.param(
        json.dumps({"inputs": "x" * MAX_BODY_BYTES}),
        413,
        f"the limit is {MAX_BODY_BYTES} bytes",
        id="oversized-body",
    ),
]


@pytest.mark.parametrize(
    "service_route", [("classifier", "/classify"), ("summarizer", "/summarize")]
)
@pytest.mark.parametrize(("raw", "status", "reason"), BAD_REQUESTS)
def test_bad_requests_are_4xx_with_a_reason_and_nothing_stored(
    load, aws, service_route, raw, status, reason, event
):
    service, path = service_route
    evt = event("POST", path, raw)
    reply = invoke(load(service), evt)
    assert_clean_error(reply, status, evt["requestContext"]["requestId"])
    assert reason in reply.body["error"]
    assert stored_keys(aws) == []


def test_oversized_body_names_the_limit_and_honours_the_setting(load, aws, event):
    body = json.dumps({"inputs": "x" * 2048})
    service = load("classifier", MAX_BODY_BYTES="2048")
    reply = invoke(service, event("POST", "/classify", body))
    assert reply.status == 413
    assert reply.body["limitBytes"] == 2048
    # Just under the stack's default limit is fine.
    assert invoke(load("classifier"), event("POST", "/classify", body)).status == 200


def test_bad_model_parameters_are_the_callers_mistake(load, aws, event):
    evt = event("POST", "/classify", {"inputs": POSITIVE, "parameters": {"top_k": 99}})
    reply = invoke(load("classifier"), evt)
    assert_clean_error(reply, 400, evt["requestContext"]["requestId"])
    assert '"parameters.top_k" must be an integer from 1 to 3' in reply.body["error"]
    assert stored_keys(aws) == []


def test_a_failing_model_is_still_502_not_the_callers_mistake(load, aws, event, serve_in_thread):
    class Broken(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            body = b'{"error": "model crashed"}'
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    with serve_in_thread(ThreadingHTTPServer(("127.0.0.1", 0), Broken)) as url:
        evt = event("POST", "/classify", {"inputs": POSITIVE, "parameters": {"top_k": 1}})
        reply = invoke(load("classifier", MODEL_ENDPOINT_URL=f"{url}/invocations"), evt)
    assert_clean_error(reply, 502, evt["requestContext"]["requestId"])
    assert reply.body["error"] == "model endpoint answered 500: model crashed"
    assert reply.body["modelStatus"] == 500
    assert stored_keys(aws) == []


def test_another_method_on_a_service_path_is_405(load, aws, event):
    reply = invoke(load("classifier"), event("GET", "/classify"))
    assert reply.status == 405
    assert reply.headers["Allow"] == "POST"
    assert stored_keys(aws) == []


# --- the model failing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "path", "body"),
    [
        ("classifier", "/classify", {"inputs": POSITIVE}),
        ("summarizer", "/summarize", {"inputs": REVIEW}),
    ],
)
def test_model_down_is_502_json(load, aws, closed_port_url, service, path, body, event):
    evt = event("POST", path, body)
    reply = invoke(load(service, MODEL_ENDPOINT_URL=closed_port_url), evt)
    assert_clean_error(reply, 502, evt["requestContext"]["requestId"])
    assert reply.body["error"].startswith("model endpoint unavailable: ")
    assert set(reply.body) == {"error", "requestId"}
    assert stored_keys(aws) == []


@pytest.mark.parametrize(
    ("service", "path", "body"),
    [
        ("classifier", "/classify", {"inputs": POSITIVE}),
        ("summarizer", "/summarize", {"inputs": REVIEW}),
    ],
)
def test_slow_model_is_504_without_waiting_for_it(
    load, aws, stalled_model, service, path, body, event
):
    evt = event("POST", path, body)
    loaded = load(service, MODEL_ENDPOINT_URL=f"{stalled_model.url}/invocations")
    reply = invoke(loaded, evt)
    # The handler gave up while the model was still working on the answer.
    assert not stalled_model.answered.is_set()
    assert_clean_error(reply, 504, evt["requestContext"]["requestId"])
    assert reply.body["error"] == f"model endpoint timed out after {MODEL_TIMEOUT_S:g} s"
    assert stored_keys(aws) == []


# --- health -----------------------------------------------------------------------------------


def test_health_is_up_when_the_model_answers_its_ping(load, aws, event):
    evt = event("GET", "/health")
    reply = invoke(load("health"), evt)
    assert reply.status == 200
    assert reply.body == {"status": "ok", "model": "up"}
    assert reply.headers["X-Request-Id"] == evt["requestContext"]["requestId"]
    assert stored_keys(aws) == []


def test_health_pings_the_model_servers_root_whatever_the_version(load, model_url, event):
    service = load("health", MODEL_ENDPOINT_URL=f"{model_url}/v2/invocations")
    assert service.health.model_ping_url() == f"{model_url}/ping"
    assert invoke(service, event("GET", "/health")).status == 200


def test_health_is_degraded_when_the_model_is_down(load, closed_port_url, event):
    reply = invoke(load("health", MODEL_ENDPOINT_URL=closed_port_url), event("GET", "/health"))
    assert reply.status == 503
    assert reply.body["status"] == "degraded"
    assert reply.body["model"].startswith("down (")
    assert "refused" in reply.body["model"].lower()


def test_health_is_degraded_when_the_model_does_not_answer_in_time(load, stalled_model, event):
    service = load("health", MODEL_ENDPOINT_URL=f"{stalled_model.url}/invocations")
    reply = invoke(service, event("GET", "/health"))
    assert not stalled_model.answered.is_set()
    assert reply.status == 503
    assert reply.body["status"] == "degraded"
    assert reply.body["model"].startswith("down (")


def test_health_goes_straight_to_the_model_like_the_model_client(
    load, monkeypatch: pytest.MonkeyPatch, closed_url, event
):
    # A proxy in the environment (a developer's shell, inherited by the emulator's functions)
    # must not sit between a function and its model: the model client ignores it, and so must
    # the health check, or it reports the model down while the services use it fine.
    for variable in ("http_proxy", "HTTP_PROXY"):
        monkeypatch.setenv(variable, closed_url)
    for variable in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(variable, raising=False)
    # urlopen's opener reads the proxies once per process: a cold start reads them afresh.
    monkeypatch.setattr(urllib.request, "_opener", None)
    health = invoke(load("health"), event("GET", "/health"))
    classify = invoke(load("classifier"), event("POST", "/classify", {"inputs": POSITIVE}))
    assert classify.status == 200
    assert (health.status, health.body) == (200, {"status": "ok", "model": "up"})


# --- logging ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "method", "path", "body", "model", "status"),
    [
        ("classifier", "POST", "/classify", {"inputs": POSITIVE}, "up", 200),
        ("classifier", "POST", "/classify", {"inputs": []}, "up", 400),
        ("classifier", "POST", "/classify", {"inputs": POSITIVE}, "down", 502),
        ("summarizer", "POST", "/summarize", {"inputs": REVIEW}, "up", 200),
        ("summarizer", "POST", "/summarize", {"inputs": REVIEW}, "down", 502),
        ("health", "GET", "/health", None, "up", 200),
        ("health", "GET", "/health", None, "down", 503),
    ],
)
def test_each_request_logs_exactly_one_json_line(
    load, capsys, closed_port_url, service, method, path, body, model, status, event
):
    env = {"MODEL_ENDPOINT_URL": closed_port_url} if model == "down" else {}
    loaded = load(service, **env)
    capsys.readouterr()  # nothing from the cold start counts
    evt = event(method, path, body)

    reply = invoke(loaded, evt)

    assert reply.status == status
    [line] = log_lines(capsys)
    assert line["requestId"] == evt["requestContext"]["requestId"]
    assert line["route"] == path
    assert line["method"] == method
    assert line["path"] == f"/{STAGE}{path}"
    assert line["stage"] == STAGE
    assert line["status"] == status
    assert isinstance(line["durationMs"], int | float) and line["durationMs"] >= 0
    assert line["level"] == ("ERROR" if status >= 500 else "INFO")
    if status == 200 and service == "classifier":
        assert line["modelVersion"] == "v1"
    if status in (400, 502):
        assert line["error"] == reply.body["error"]
    assert "traceback" not in line
