"""The Lambda handler runtime: both proxy payload formats, routing, error bodies, the log line,
and the model client against real local servers (working, closed, slow, broken)."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from shared.runtime import (
    App,
    HttpError,
    ModelClient,
    Request,
    Response,
    get_model_client,
    json_response,
    parse_event,
)


class LambdaContext:
    aws_request_id = "lambda-invocation-id"
    function_name = "fn-dev-classify"


# --- parsing ----------------------------------------------------------------------------------


def test_rest_event_becomes_a_request(rest_event, request_id) -> None:
    event = rest_event(
        "POST",
        "/ai-service/summarise",
        resource="/ai-service/{workflow}",
        body='{"inputs": "hi"}',
        path_params={"workflow": "summarise"},
        query={"verbose": "1"},
        headers={"X-Api-Key": "k3y"},
        stage_variables={"modelVersion": "v2"},
    )
    request = parse_event(event)
    assert request.method == "POST"
    assert request.path == "/ai-service/summarise"
    assert request.route == "/ai-service/{workflow}"
    assert request.path_params == {"workflow": "summarise"}
    assert request.headers["content-type"] == "application/json"
    assert request.header("X-API-KEY") == "k3y"
    assert request.query == {"verbose": "1"}
    assert request.body == b'{"inputs": "hi"}'
    assert request.json() == {"inputs": "hi"}
    assert request.request_id == request_id
    assert request.stage == "dev"
    assert request.stage_variables == {"modelVersion": "v2"}
    assert request.payload_version == "1.0"


def test_rest_event_with_a_base64_body_is_decoded(rest_event) -> None:
    raw = json.dumps({"inputs": "caf\u00e9"}).encode()
    event = rest_event("POST", "/classify", body=base64.b64encode(raw).decode(), base64_body=True)
    assert parse_event(event).body == raw


def test_rest_event_with_nulls_gives_empty_mappings(rest_event) -> None:
    event = rest_event("GET", "/health")
    event["headers"] = None
    event["multiValueHeaders"] = None
    request = parse_event(event)
    assert request.headers == {}
    assert request.query == {}
    assert request.path_params == {}
    assert request.body == b""


def test_http_api_event_becomes_a_request(http_event, request_id) -> None:
    event = http_event(
        "POST",
        "/dev/classify",
        route_key="POST /classify",
        body='{"inputs": ["a", "b"]}',
        raw_query="top=2&debug=",
        cookies=["session=abc", "theme=dark"],
        stage="dev",
    )
    request = parse_event(event)
    assert request.method == "POST"
    assert request.path == "/dev/classify"
    assert request.route == "/classify"
    assert request.headers["x-forwarded-for"] == "10.0.0.1"
    assert request.headers["cookie"] == "session=abc; theme=dark"
    assert request.query == {"top": "2", "debug": ""}
    assert request.json() == {"inputs": ["a", "b"]}
    assert request.request_id == request_id
    assert request.stage == "dev"
    assert request.payload_version == "2.0"


def test_http_api_default_route_names_no_template(http_event) -> None:
    request = parse_event(http_event("GET", "/anything", route_key="$default"))
    assert request.route is None
    assert request.path == "/anything"


def test_request_id_falls_back_to_the_lambda_context(rest_event) -> None:
    event = rest_event("GET", "/health")
    del event["requestContext"]["requestId"]
    assert parse_event(event, LambdaContext()).request_id == "lambda-invocation-id"


@pytest.mark.parametrize("event", [None, [], "GET /", {"foo": "bar"}])
def test_something_else_than_a_proxy_event_is_a_400(event: Any) -> None:
    with pytest.raises(HttpError) as caught:
        parse_event(event)
    assert caught.value.status == 400


def test_response_serialises_json_text_and_bytes() -> None:
    assert json_response(201, {"a": 1}).to_proxy() == {
        "statusCode": 201,
        "headers": {"Content-Type": "application/json"},
        "body": '{"a":1}',
        "isBase64Encoded": False,
    }
    text = Response(200, "plain", {"Content-Type": "text/plain"}).to_proxy()
    assert (text["body"], text["headers"]) == ("plain", {"Content-Type": "text/plain"})
    binary = Response(200, b"\xff\x00").to_proxy()
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == b"\xff\x00"


# --- routing ----------------------------------------------------------------------------------


def make_app() -> App:
    app = App()

    @app.route("POST", "/classify")
    def classify(request: Request) -> dict[str, Any]:
        body = request.json()
        return {"echo": body, "via": request.payload_version}

    @app.route("GET", "/classify")
    def describe(request: Request) -> dict[str, Any]:
        return {"route": "describe"}

    @app.route("ANY", "/ai-service/{workflow}")
    def workflow(request: Request) -> Response:
        return json_response(
            202, {"workflow": request.path_params["workflow"], "method": request.method}
        )

    @app.route("GET", "/ai-service/health")
    def service_health(request: Request) -> dict[str, str]:
        return {"status": "ok"}

    @app.route("GET", "/files/{key+}")
    def files(request: Request) -> dict[str, str]:
        return {"key": request.path_params["key"]}

    @app.route("POST", "/small")
    def small(request: Request) -> dict[str, Any]:
        return request.json(max_bytes=16)

    @app.route("DELETE", "/nothing")
    def nothing(request: Request) -> None:
        return None

    @app.route("GET", "/refused")
    def refused(request: Request) -> None:
        raise HttpError(403, "not for you", details={"reason": "policy"})

    @app.route("POST", "/crash")
    def crash(request: Request) -> None:
        raise RuntimeError("database password is hunter2")

    return app


def call(app: App, event: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    response = app.handler(event, LambdaContext())
    assert set(response) == {"statusCode", "headers", "body", "isBase64Encoded"}
    body = json.loads(response["body"]) if response["body"] else None
    return response["statusCode"], response["headers"], body


def log_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    out = capsys.readouterr().out
    return [json.loads(line) for line in out.splitlines()]


def test_post_route_answers_json_for_both_payload_formats(
    rest_event, http_event, request_id
) -> None:
    app = make_app()
    status, headers, body = call(app, rest_event("POST", "/classify", body='{"inputs": "x"}'))
    assert (status, body) == (200, {"echo": {"inputs": "x"}, "via": "1.0"})
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Request-Id"] == request_id
    status, _, body = call(app, http_event("POST", "/classify", body='{"inputs": "y"}'))
    assert (status, body) == (200, {"echo": {"inputs": "y"}, "via": "2.0"})


def test_methods_on_one_path_go_to_their_own_handlers(rest_event) -> None:
    status, _, body = call(make_app(), rest_event("GET", "/classify"))
    assert (status, body) == (200, {"route": "describe"})


def test_path_parameters_and_any_method(rest_event) -> None:
    app = make_app()
    for method in ("GET", "POST", "DELETE"):
        event = rest_event(method, "/ai-service/translate", resource="/ai-service/{workflow}")
        event["pathParameters"] = {"workflow": "translate"}
        status, _, body = call(app, event)
        assert (status, body) == (202, {"workflow": "translate", "method": method})


def test_path_parameters_are_extracted_when_the_event_has_none(http_event) -> None:
    event = http_event("PUT", "/ai-service/summarise", route_key="$default")
    status, _, body = call(make_app(), event)
    assert (status, body) == (202, {"workflow": "summarise", "method": "PUT"})


def test_a_literal_segment_wins_over_a_parameter(http_event) -> None:
    event = http_event("GET", "/ai-service/health", route_key="$default")
    assert call(make_app(), event)[2] == {"status": "ok"}


def test_greedy_parameter_takes_the_rest_of_the_path(rest_event) -> None:
    event = rest_event("GET", "/files/models/v2/weights.bin", resource="/files/{key+}")
    assert call(make_app(), event)[2] == {"key": "models/v2/weights.bin"}


def test_resource_is_preferred_over_a_path_with_a_stage_prefix(rest_event) -> None:
    # Custom domains and some emulators put more than the route's path in `path`.
    event = rest_event("POST", "/dev/classify", resource="/classify", body='{"a": 1}')
    assert call(make_app(), event)[:1] == (200,)


def test_stage_prefix_is_stripped_when_only_the_path_is_known(http_event) -> None:
    event = http_event("GET", "/prod/classify", route_key="$default", stage="prod")
    assert call(make_app(), event)[2] == {"route": "describe"}


def test_trailing_slash_is_tolerated(rest_event) -> None:
    assert call(make_app(), rest_event("GET", "/classify/", resource="/classify/"))[0] == 200


def test_none_from_a_handler_is_204(rest_event) -> None:
    response = make_app().handler(rest_event("DELETE", "/nothing"), None)
    assert (response["statusCode"], response["body"]) == (204, "")


def test_duplicate_and_malformed_routes_are_refused() -> None:
    app = make_app()
    with pytest.raises(ValueError, match="already registered"):
        app.route("post", "/classify/")(lambda r: None)
    with pytest.raises(ValueError, match="must be last"):
        app.route("GET", "/{rest+}/more")
    with pytest.raises(ValueError, match="invalid path segment"):
        app.route("GET", "/a{b}")
    assert ("ANY", "/ai-service/{workflow}") in app.routes


# --- errors -----------------------------------------------------------------------------------


def assert_clean_error(body: Any) -> None:
    text = json.dumps(body)
    assert isinstance(body, dict) and isinstance(body["error"], str)
    assert "Traceback" not in text and 'File "' not in text


def test_unknown_route_is_404_json(rest_event, request_id) -> None:
    status, headers, body = call(make_app(), rest_event("GET", "/nope"))
    assert status == 404
    assert headers["Content-Type"] == "application/json"
    assert body["error"] == "no route for GET /nope"
    assert body["requestId"] == request_id
    assert_clean_error(body)


def test_known_path_with_another_method_is_405_with_allow(rest_event) -> None:
    status, headers, body = call(make_app(), rest_event("PATCH", "/classify"))
    assert status == 405
    assert headers["Allow"] == "GET, POST"
    assert body["allowed"] == ["GET", "POST"]
    assert "PATCH" in body["error"]
    assert_clean_error(body)


def test_405_via_route_key_too(http_event) -> None:
    event = http_event("PUT", "/files/a", route_key="PUT /files/{key+}")
    status, headers, _ = call(make_app(), event)
    assert (status, headers["Allow"]) == (405, "GET")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{not json", "body is not valid JSON"),
        ('["a", "b"]', "body must be a JSON object, not an array"),
        ('"text"', "body must be a JSON object, not a string"),
        ("", "body is empty"),
        (None, "body is empty"),
    ],
)
def test_bad_bodies_are_400_with_a_reason(body: str | None, reason: str, rest_event) -> None:
    status, _, answer = call(make_app(), rest_event("POST", "/classify", body=body))
    assert status == 400
    assert answer["error"].startswith(reason)
    assert_clean_error(answer)


def test_invalid_base64_is_400(rest_event) -> None:
    event = rest_event("POST", "/classify", body="!!!not base64!!!", base64_body=True)
    status, _, answer = call(make_app(), event)
    assert (status, answer["error"]) == (400, "body is marked base64 but is not valid base64")


def test_oversized_body_is_413(rest_event) -> None:
    status, _, answer = call(make_app(), rest_event("POST", "/small", body='{"x": "0123456789"}'))
    assert status == 413
    assert answer["error"] == "body is 19 bytes; the limit is 16 bytes"
    assert answer["limitBytes"] == 16


def test_default_body_limit_is_64_kib(rest_event) -> None:
    huge = json.dumps({"inputs": "x" * (64 * 1024)})
    assert call(make_app(), rest_event("POST", "/classify", body=huge))[0] == 413
    fits = json.dumps({"inputs": "x" * (60 * 1024)})
    assert call(make_app(), rest_event("POST", "/classify", body=fits))[0] == 200


def test_http_error_keeps_its_status_and_details(rest_event, request_id) -> None:
    status, _, body = call(make_app(), rest_event("GET", "/refused"))
    assert (status, body) == (
        403,
        {"error": "not for you", "reason": "policy", "requestId": request_id},
    )


def test_a_crash_is_500_without_traceback_but_logged(
    capsys: pytest.CaptureFixture[str], rest_event, request_id
) -> None:
    status, _, body = call(make_app(), rest_event("POST", "/crash", body="{}"))
    assert status == 500
    assert body == {"error": "internal error", "requestId": request_id}
    assert "hunter2" not in json.dumps(body)
    [line] = log_lines(capsys)
    assert line["status"] == 500
    assert line["level"] == "ERROR"
    assert line["error"] == "RuntimeError: database password is hunter2"
    assert "Traceback (most recent call last)" in line["traceback"]
    assert "in crash" in line["traceback"]


def test_not_a_proxy_event_is_answered_not_raised(capsys: pytest.CaptureFixture[str]) -> None:
    response = make_app().handler({"Records": []}, LambdaContext())
    assert response["statusCode"] == 400
    assert json.loads(response["body"])["requestId"] == "lambda-invocation-id"
    [line] = log_lines(capsys)
    assert (line["status"], line["method"], line["route"]) == (400, None, None)


def test_an_unserialisable_answer_is_a_500(rest_event) -> None:
    app = App()

    @app.route("GET", "/bad")
    def bad(request: Request) -> dict[str, Any]:
        return {"when": object()}

    status, _, body = call(app, rest_event("GET", "/bad"))
    assert (status, body["error"]) == (500, "internal error")


# --- the log line -----------------------------------------------------------------------------


def test_one_json_log_line_per_request(
    capsys: pytest.CaptureFixture[str], rest_event, http_event, request_id
) -> None:
    app = make_app()
    capsys.readouterr()
    events = [
        rest_event("POST", "/classify", body='{"inputs": "x"}'),
        rest_event("GET", "/nope"),
        rest_event("PATCH", "/classify"),
        http_event("GET", "/ai-service/summarise", route_key="ANY /ai-service/{workflow}"),
    ]
    for event in events:
        app.handler(event, LambdaContext())
    lines = log_lines(capsys)
    assert len(lines) == len(events)
    for line in lines:
        assert {"requestId", "route", "method", "status", "durationMs"} <= set(line)
        assert line["requestId"] == request_id
        assert isinstance(line["durationMs"], int | float) and line["durationMs"] >= 0
    assert [(x["method"], x["route"], x["status"]) for x in lines] == [
        ("POST", "/classify", 200),
        ("GET", None, 404),
        ("PATCH", None, 405),
        ("GET", "/ai-service/{workflow}", 202),
    ]
    assert lines[1]["error"] == "no route for GET /nope"
    assert "traceback" not in lines[1]


def test_handlers_can_add_log_fields(capsys: pytest.CaptureFixture[str], rest_event) -> None:
    app = App()

    @app.route("GET", "/x")
    def x(request: Request) -> dict[str, Any]:
        request.log_fields["modelVersion"] = "v2"
        request.log_fields["status"] = "spoofed"
        return {}

    app.handler(rest_event("GET", "/x"), None)
    [line] = log_lines(capsys)
    assert line["modelVersion"] == "v2"
    assert line["status"] == 200


# --- the model client -------------------------------------------------------------------------


def fake_server(respond: Callable[[BaseHTTPRequestHandler], None]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            respond(self)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    return server


def answer(status: int, body: bytes, content_type: str = "application/json") -> Callable:
    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return respond


def test_invoke_returns_the_model_answer(model_url: str) -> None:
    client = ModelClient(f"{model_url}/invocations", timeout_s=5)
    answer_ = client.invoke(["I love this", "this is awful"], {"top_k": 2})
    assert answer_["model"] == "sentiment-nb"
    assert answer_["version"] == "v1"
    assert len(answer_["predictions"]) == 2
    for prediction in answer_["predictions"]:
        assert {"label", "score", "scores"} <= set(prediction)
        assert len(prediction["scores"]) == 2  # top_k


def test_invoke_a_named_version(model_url: str) -> None:
    answer_ = ModelClient(f"{model_url}/v2/invocations", timeout_s=5).invoke("fine")
    assert answer_["version"] == "v2"
    assert len(answer_["predictions"]) == 1


def test_model_rejection_is_502_with_the_models_message(model_url: str) -> None:
    client = ModelClient(f"{model_url}/invocations", timeout_s=5)
    with pytest.raises(HttpError) as caught:
        client.invoke("text", {"top_k": 99})
    assert caught.value.status == 502
    assert caught.value.message.startswith("model endpoint answered 400: ")
    assert '"top_k" must be an integer from 1 to' in caught.value.message
    assert caught.value.details == {"modelStatus": 400}


def test_closed_port_is_502(closed_port_url: str) -> None:
    with pytest.raises(HttpError) as caught:
        ModelClient(closed_port_url, timeout_s=5).invoke("hello")
    assert caught.value.status == 502
    assert caught.value.message.startswith("model endpoint unavailable: ")
    assert "refused" in caught.value.message.lower()


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set at teardown so a deliberately slow server thread ends with the test."""
    event = threading.Event()
    yield event
    event.set()


def test_slow_model_is_504(stalled_model_url: str) -> None:
    with pytest.raises(HttpError) as caught:
        ModelClient(stalled_model_url, timeout_s=0.3).invoke("hello")
    assert caught.value.status == 504
    assert caught.value.message == "model endpoint timed out after 0.3 s"


def test_a_trickling_body_is_cut_at_the_deadline(release: threading.Event, serve_in_thread) -> None:
    """Each read succeeds before the socket timeout, but the whole answer takes too long."""

    def trickle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        for _ in range(1000):
            if release.wait(0.05):
                return
            handler.wfile.write(b" ")
            handler.wfile.flush()

    with serve_in_thread(fake_server(trickle)) as url:
        with pytest.raises(HttpError) as caught:
            ModelClient(f"{url}/invocations", timeout_s=0.5).invoke("hello")
        release.set()
    assert caught.value.status == 504


@pytest.mark.parametrize(
    ("respond", "message"),
    [
        (answer(500, b'{"error": "model crashed"}'), "model endpoint answered 500: model crashed"),
        (answer(503, b"", "text/plain"), "model endpoint answered 503: (empty body)"),
        (answer(200, b"<html>oops</html>", "text/html"), "model endpoint returned invalid JSON"),
        (answer(200, b"[1, 2]"), "model endpoint returned JSON that is not an object"),
    ],
)
def test_broken_answers_are_502(respond: Callable, message: str, serve_in_thread) -> None:
    with serve_in_thread(fake_server(respond)) as url, pytest.raises(HttpError) as caught:
        ModelClient(f"{url}/invocations", timeout_s=5).invoke("hello")
    assert caught.value.status == 502
    assert caught.value.message.startswith(message)


def test_client_refuses_bad_settings() -> None:
    with pytest.raises(ValueError, match="http"):
        ModelClient("127.0.0.1:8080/invocations")
    with pytest.raises(ValueError, match="positive"):
        ModelClient("http://127.0.0.1:8080/invocations", timeout_s=0)


def test_model_client_is_made_once_per_container(
    monkeypatch: pytest.MonkeyPatch, no_model_clients: dict
) -> None:
    monkeypatch.setenv("MODEL_ENDPOINT_URL", "http://127.0.0.1:9/invocations")
    monkeypatch.setenv("MODEL_TIMEOUT_SECONDS", "2.5")
    first = get_model_client()
    assert first is get_model_client()
    assert (first.endpoint_url, first.timeout_s) == ("http://127.0.0.1:9/invocations", 2.5)
    other = get_model_client("http://127.0.0.1:9/v2/invocations")
    assert other is not first and other.timeout_s == 2.5
    monkeypatch.delenv("MODEL_ENDPOINT_URL")
    with pytest.raises(RuntimeError, match="MODEL_ENDPOINT_URL is not set"):
        get_model_client()


# --- a handler calling the model, as the functions do ------------------------------------------


def classify_app(url: str, timeout_s: float = 5) -> App:
    app = App()

    @app.route("POST", "/classify")
    def classify(request: Request) -> dict[str, Any]:
        body = request.json()
        return get_model_client(url, timeout_s).invoke(body["inputs"], body.get("parameters"))

    return app


def test_handler_through_the_model(model_url: str, rest_event) -> None:
    app = classify_app(f"{model_url}/invocations")
    event = rest_event("POST", "/classify", body='{"inputs": "great product"}')
    status, _, body = call(app, event)
    assert status == 200
    assert body["model"] == "sentiment-nb"
    assert body["predictions"][0]["label"] in {"positive", "negative"}


def test_handler_with_the_model_down_is_502_json(
    closed_port_url: str, capsys: pytest.CaptureFixture[str], rest_event
) -> None:
    app = classify_app(closed_port_url)
    status, _, body = call(app, rest_event("POST", "/classify", body='{"inputs": "x"}'))
    assert status == 502
    assert body["error"].startswith("model endpoint unavailable")
    assert_clean_error(body)
    [line] = log_lines(capsys)
    assert (line["status"], line["route"], line["level"]) == (502, "/classify", "ERROR")
