"""The global stack's `ai` function, imported as its zip holds it (`ai.py` at the root and the
runtime as `aigw_runtime`), answering REST API events (payload 1.0) from a real local model
endpoint, a closed port and a model that does not answer in time."""

from __future__ import annotations

import json
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import shared.runtime
from shared import catalog

APP_DIR = catalog.stack_dir("global") / "functions"
REQUEST_ID = "0f4b8c1e-2d3a-4e5f-8a9b-0c1d2e3f4a5b"
POSITIVE = "I love this, it is wonderful and great"
NEGATIVE = "This is terrible, awful and broken"


@pytest.fixture
def ai_event(rest_event) -> Callable[..., dict[str, Any]]:
    """`ai_event(body, method="POST", path="/ai")`: the REST API event (payload format 1.0) API
    Gateway's `local` stage sends the function."""

    def build(body: Any, *, method: str = "POST", path: str = "/ai") -> dict[str, Any]:
        return rest_event(method, path, body=body, stage="local", request_id=REQUEST_ID)

    return build


@pytest.fixture
def load(import_handler, model_url: str) -> Callable[..., Any]:
    """`load(**env)`: a cold start of the function with the stack's environment (overridable),
    importing `ai` the way Lambda does from the zip."""

    def cold_start(**env: str) -> Any:
        variables = {
            "MODEL_ENDPOINT_URL": f"{model_url}/invocations",
            "MODEL_TIMEOUT_SECONDS": "5.0",
            "AWS_REGION": "eu-west-1",
            **env,
        }
        module = import_handler(APP_DIR, "ai", env=variables)
        assert Path(module.__file__).parent == APP_DIR
        return module.handler

    return cold_start


def answer(handler: Callable, event: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    response = handler(event, None)
    assert set(response) == {"statusCode", "headers", "body", "isBase64Encoded"}
    assert response["isBase64Encoded"] is False
    return response["statusCode"], response["headers"], json.loads(response["body"])


def log_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def assert_clean_error(body: Any, status_reason: str) -> None:
    assert set(body) >= {"error", "requestId"}
    assert body["requestId"] == REQUEST_ID
    assert status_reason in body["error"]
    text = json.dumps(body)
    assert "Traceback" not in text and 'File "' not in text


# --- success ----------------------------------------------------------------------------------


def test_answer_names_the_region_and_carries_real_predictions(load, ai_event) -> None:
    handler = load(AWS_REGION="ap-southeast-1")
    status, headers, body = answer(handler, ai_event({"inputs": [POSITIVE, NEGATIVE]}))
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Request-Id"] == REQUEST_ID
    assert body["region"] == "ap-southeast-1"
    assert body["model"] == "sentiment-nb"
    assert body["version"] == "v1"
    assert [p["label"] for p in body["predictions"]] == ["positive", "negative"]
    for prediction in body["predictions"]:
        assert 0.5 < prediction["score"] <= 1
        assert prediction["scores"][prediction["label"]] == prediction["score"]


def test_a_single_text_and_parameters_reach_the_model(load, ai_event) -> None:
    handler = load()
    status, _, body = answer(handler, ai_event({"inputs": POSITIVE, "parameters": {"top_k": 2}}))
    assert status == 200
    assert body["region"] == "eu-west-1"
    [prediction] = body["predictions"]
    assert prediction["label"] == "positive"
    assert len(prediction["scores"]) == 2  # top_k reached the model


def test_each_region_reports_itself(load, ai_event) -> None:
    for region in ("us-east-1", "eu-west-1"):
        status, _, body = answer(load(AWS_REGION=region), ai_event({"inputs": NEGATIVE}))
        assert (status, body["region"]) == (200, region)
        assert body["predictions"][0]["label"] == "negative"


def test_one_json_log_line_per_request(load, capsys: pytest.CaptureFixture[str], ai_event) -> None:
    handler = load()
    capsys.readouterr()
    answer(handler, ai_event({"inputs": POSITIVE}))
    answer(handler, ai_event({"inputs": 5}))
    lines = log_lines(capsys)
    assert len(lines) == 2
    ok, bad = lines
    assert ok["level"] == "INFO" and ok["status"] == 200
    assert ok["method"] == "POST" and ok["path"] == "/ai" and ok["route"] == "/ai"
    assert ok["requestId"] == REQUEST_ID and ok["stage"] == "local"
    assert ok["modelVersion"] == "v1"
    assert isinstance(ok["durationMs"], float)
    assert bad["status"] == 400 and bad["level"] == "INFO"
    assert '"inputs"' in bad["error"]


# --- client mistakes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (None, "body is empty"),
        ("", "body is empty"),
        ("{not json", "body is not valid JSON"),
        ("[1, 2]", "body must be a JSON object, not an array"),
        ({"input": POSITIVE}, "unknown fields: input"),
        ({"inputs": POSITIVE, "extra": 1}, "unknown fields: extra"),
        ({}, '"inputs" must be a string or a non-empty list of strings'),
        ({"inputs": 5}, '"inputs" must be a string or a non-empty list of strings'),
        ({"inputs": []}, '"inputs" must be a string or a non-empty list of strings'),
        ({"inputs": ["fine", ""]}, '"inputs" must contain only non-empty strings'),
        ({"inputs": ["fine", 3]}, '"inputs" must contain only non-empty strings'),
        ({"inputs": ["x"] * 65}, '"inputs" may hold at most 64 texts'),
        ({"inputs": "fine", "parameters": [1]}, '"parameters" must be an object'),
    ],
)
def test_bad_bodies_are_400_with_a_reason(
    load, capsys: pytest.CaptureFixture[str], body: Any, reason: str, ai_event
) -> None:
    handler = load()
    capsys.readouterr()
    status, _, answer_body = answer(handler, ai_event(body))
    assert status == 400
    assert_clean_error(answer_body, reason)
    [line] = log_lines(capsys)
    assert line["status"] == 400 and reason in line["error"]


def test_an_oversized_body_is_413(load, ai_event) -> None:
    status, _, body = answer(load(), ai_event({"inputs": "a" * 70_000}))
    assert status == 413
    assert_clean_error(body, "the limit is 65536 bytes")


def test_other_methods_and_paths_are_refused(load, ai_event) -> None:
    handler = load()
    status, headers, body = answer(handler, ai_event(None, method="GET"))
    assert status == 405 and headers["Allow"] == "POST"
    assert_clean_error(body, "method GET not allowed")
    status, _, body = answer(handler, ai_event({"inputs": "x"}, path="/other"))
    assert status == 404
    assert_clean_error(body, "no route for POST /other")


# --- model failures ---------------------------------------------------------------------------


def test_model_down_is_502(load, closed_port_url: str, capsys, ai_event) -> None:
    handler = load(MODEL_ENDPOINT_URL=closed_port_url)
    capsys.readouterr()
    status, _, body = answer(handler, ai_event({"inputs": POSITIVE}))
    assert status == 502
    assert_clean_error(body, "model endpoint unavailable")
    [line] = log_lines(capsys)
    assert line["level"] == "ERROR" and line["status"] == 502
    assert "traceback" not in line  # an expected failure, not a bug


@pytest.mark.parametrize(
    ("parameters", "reason"),
    [
        ({"top_k": "abc"}, '"parameters.top_k" must be an integer from 1 to 3'),
        ({"top_k": 99}, '"parameters.top_k" must be an integer from 1 to 3'),
        ({"top_k": True}, '"parameters.top_k" must be an integer from 1 to 3'),
        ({"topk": 1}, 'unknown fields in "parameters": topk'),
    ],
)
def test_invalid_parameters_are_the_callers_400_before_the_model_is_called(
    load, closed_port_url: str, ai_event, parameters: dict, reason: str
) -> None:
    # The model is down: a 400 here can only come from the check before the call.
    handler = load(MODEL_ENDPOINT_URL=closed_port_url)
    status, _, body = answer(handler, ai_event({"inputs": "fine", "parameters": parameters}))
    assert status == 400
    assert_clean_error(body, reason)


def test_model_rejection_is_502_with_the_models_reason(load, ai_event, serve_in_thread) -> None:
    """Parameters that pass the checks but that the model refuses are the model's fault."""

    class Refusing(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            reply = b'{"error": "top_k is not supported by this model"}'
            self.send_response(400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    with serve_in_thread(ThreadingHTTPServer(("127.0.0.1", 0), Refusing)) as url:
        handler = load(MODEL_ENDPOINT_URL=f"{url}/invocations")
        event = ai_event({"inputs": "fine", "parameters": {"top_k": 2}})
        status, _, body = answer(handler, event)
    assert status == 502
    assert_clean_error(body, "model endpoint answered 400: top_k is not supported")
    assert body["modelStatus"] == 400


def test_model_slower_than_the_timeout_is_504(
    load, stalled_model_url: str, capsys, ai_event
) -> None:
    handler = load(MODEL_ENDPOINT_URL=stalled_model_url, MODEL_TIMEOUT_SECONDS="0.3")
    capsys.readouterr()
    status, _, body = answer(handler, ai_event({"inputs": POSITIVE}))
    assert status == 504
    assert_clean_error(body, "model endpoint timed out after 0.3 s")
    [line] = log_lines(capsys)
    assert line["level"] == "ERROR" and line["status"] == 504


def test_model_settings_come_from_the_environment(load, stalled_model_url: str) -> None:
    """The client is made once per container from MODEL_ENDPOINT_URL / MODEL_TIMEOUT_SECONDS."""
    load(MODEL_ENDPOINT_URL=stalled_model_url, MODEL_TIMEOUT_SECONDS="0.3")
    client = shared.runtime.get_model_client()
    assert (client.endpoint_url, client.timeout_s) == (stalled_model_url, 0.3)
    assert shared.runtime.get_model_client() is client
