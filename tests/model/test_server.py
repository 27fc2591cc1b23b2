"""The model endpoint over real HTTP: every route, every error, start-up and shutdown.

Servers run in a thread on port 0; requests go through urllib, or through a raw socket
for the malformed requests urllib refuses to send.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from shared.local.model.contract import MAX_BODY_BYTES, MAX_INPUTS
from shared.local.model.server import make_server

REPO_ROOT = Path(__file__).resolve().parents[2]
POSITIVE = "I love this phone, the screen is beautiful"
NEGATIVE = "This was awful and the food was cold"
# v1 (unigrams) calls this positive, v2 (bigrams) negative: it shows which version answered.
DISAGREEMENT = "The coffee was not great"
# Generous bound for a subprocess to start or stop; the tests wait on events, not on time.
PROCESS_TIMEOUT_SECONDS = 30


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Endpoint:
    base_url: str
    port: int


def serve_in_thread(default_version: str = "v1", *, verbose: bool = False) -> Iterator[Endpoint]:
    server = make_server("127.0.0.1", 0, default_version, verbose=verbose)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        yield Endpoint(base_url=f"http://127.0.0.1:{port}", port=port)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def endpoint() -> Iterator[Endpoint]:
    yield from serve_in_thread()


@pytest.fixture
def v2_default_endpoint() -> Iterator[Endpoint]:
    yield from serve_in_thread("v2")


@pytest.fixture
def verbose_endpoint() -> Iterator[Endpoint]:
    yield from serve_in_thread(verbose=True)


def call(
    endpoint: Endpoint,
    method: str,
    path: str,
    payload: Any = None,
    *,
    raw_body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """One request through urllib; HTTP errors are answers too, so they are returned."""
    data = raw_body if raw_body is not None else None
    if payload is not None:
        data = json.dumps(payload).encode()
    request = urllib.request.Request(
        endpoint.base_url + path, data=data, method=method, headers=headers or {}
    )
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request) as response:
            return Reply(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Reply(error.code, error.headers, error.read())


def invoke(endpoint: Endpoint, path: str, payload: Any) -> Reply:
    return call(endpoint, "POST", path, payload)


def raw_exchange(endpoint: Endpoint, request: bytes, *, end_sending: bool = False) -> Reply:
    """Send bytes exactly as given; `end_sending` closes our side as a client that quit."""
    with socket.create_connection(("127.0.0.1", endpoint.port)) as connection:
        connection.sendall(request)
        if end_sending:
            connection.shutdown(socket.SHUT_WR)
        response = http.client.HTTPResponse(connection)
        response.begin()
        return Reply(response.status, response.headers, response.read())


def assert_model_headers(reply: Reply, version: str = "v1") -> None:
    assert reply.headers["X-Model-Name"] == "sentiment-nb"
    assert reply.headers["X-Model-Version"] == version


def assert_json_error(reply: Reply, status: int, fragment: str, version: str = "v1") -> None:
    assert reply.status == status
    assert reply.headers["Content-Type"] == "application/json"
    assert_model_headers(reply, version)
    body = reply.json()
    assert fragment in body["error"]
    assert body["model"] == "sentiment-nb"
    assert body["version"] == version


# --- GET /ping -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/ping", "/ping/", "/ping?probe=1"])
def test_ping_reports_the_model_and_its_versions(endpoint: Endpoint, path: str) -> None:
    reply = call(endpoint, "GET", path)

    assert reply.status == 200
    assert_model_headers(reply)
    assert reply.json() == {
        "status": "ok",
        "model": "sentiment-nb",
        "version": "v1",
        "default_version": "v1",
        "versions": ["v1", "v2"],
    }


def test_head_ping_answers_headers_without_a_body(endpoint: Endpoint) -> None:
    reply = call(endpoint, "HEAD", "/ping")

    assert reply.status == 200
    assert_model_headers(reply)
    assert int(reply.headers["Content-Length"]) > 0
    assert reply.body == b""


# --- POST /invocations and /<version>/invocations ---------------------------------------


def test_invocations_predict_from_the_input_with_the_default_version(endpoint: Endpoint) -> None:
    reply = invoke(endpoint, "/invocations", {"inputs": [POSITIVE, NEGATIVE]})

    assert reply.status == 200
    assert_model_headers(reply, "v1")
    body = reply.json()
    assert body["model"] == "sentiment-nb"
    assert body["version"] == "v1"
    assert [prediction["label"] for prediction in body["predictions"]] == ["positive", "negative"]
    for prediction in body["predictions"]:
        assert set(prediction["scores"]) == {"positive", "negative", "neutral"}
        assert math.isclose(sum(prediction["scores"].values()), 1.0)
        assert prediction["score"] == prediction["scores"][prediction["label"]]


def test_a_single_string_input_gets_one_prediction(endpoint: Endpoint) -> None:
    reply = invoke(endpoint, "/invocations", {"inputs": "The train leaves from platform four"})

    assert reply.status == 200
    [prediction] = reply.json()["predictions"]
    assert prediction["label"] == "neutral"


@pytest.mark.parametrize(
    ("path", "version", "label"),
    [
        ("/v1/invocations", "v1", "positive"),
        ("/v2/invocations", "v2", "negative"),
        ("/v2/invocations/", "v2", "negative"),
        ("/invocations/", "v1", "positive"),
    ],
)
def test_the_path_chooses_the_version_that_answers(
    endpoint: Endpoint, path: str, version: str, label: str
) -> None:
    reply = invoke(endpoint, path, {"inputs": [DISAGREEMENT]})

    assert reply.status == 200
    assert_model_headers(reply, version)
    assert reply.json()["version"] == version
    assert reply.json()["predictions"][0]["label"] == label


def test_default_version_is_configurable(v2_default_endpoint: Endpoint) -> None:
    ping = call(v2_default_endpoint, "GET", "/ping")
    reply = invoke(v2_default_endpoint, "/invocations", {"inputs": DISAGREEMENT})

    assert ping.json()["default_version"] == "v2"
    assert_model_headers(reply, "v2")
    assert reply.json()["version"] == "v2"
    assert reply.json()["predictions"][0]["label"] == "negative"


@pytest.mark.parametrize("top_k", [1, 2, 3])
def test_top_k_limits_the_scores_to_the_best_labels(endpoint: Endpoint, top_k: int) -> None:
    full = invoke(endpoint, "/invocations", {"inputs": POSITIVE}).json()["predictions"][0]
    reply = invoke(endpoint, "/invocations", {"inputs": POSITIVE, "parameters": {"top_k": top_k}})

    assert reply.status == 200
    [prediction] = reply.json()["predictions"]
    best_first = sorted(full["scores"], key=full["scores"].__getitem__, reverse=True)
    assert list(prediction["scores"]) == best_first[:top_k]
    assert prediction["label"] == "positive"


def test_empty_parameters_are_accepted(endpoint: Endpoint) -> None:
    reply = invoke(endpoint, "/invocations", {"inputs": POSITIVE, "parameters": {}})

    assert reply.status == 200
    assert len(reply.json()["predictions"][0]["scores"]) == 3


def test_the_maximum_number_of_inputs_is_accepted(endpoint: Endpoint) -> None:
    texts = [POSITIVE, NEGATIVE] * (MAX_INPUTS // 2)

    reply = invoke(endpoint, "/invocations", {"inputs": texts})

    assert reply.status == 200
    labels = [prediction["label"] for prediction in reply.json()["predictions"]]
    assert labels == ["positive", "negative"] * (MAX_INPUTS // 2)


def test_a_body_of_exactly_the_size_limit_is_accepted(endpoint: Endpoint) -> None:
    envelope = json.dumps({"inputs": "I love it "}).encode()
    padding = b" " * (MAX_BODY_BYTES - len(envelope))
    body = envelope[:-1] + padding + envelope[-1:]
    assert len(body) == MAX_BODY_BYTES

    reply = call(endpoint, "POST", "/invocations", raw_body=body)

    assert reply.status == 200
    assert reply.json()["predictions"][0]["label"] == "positive"


def test_the_connection_is_reused_after_a_successful_call(endpoint: Endpoint) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", endpoint.port)
    try:
        labels = []
        for text in (POSITIVE, NEGATIVE):
            connection.request("POST", "/invocations", body=json.dumps({"inputs": text}))
            response = connection.getresponse()
            labels.append(json.loads(response.read())["predictions"][0]["label"])
            assert response.getheader("Connection") is None
    finally:
        connection.close()

    assert labels == ["positive", "negative"]


# --- 400: the body breaks the contract --------------------------------------------------


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"{not json", "not valid JSON"),
        (b"", "not valid JSON"),
        (b"\xff\xfe\xfa", "not valid JSON"),
        (b"[" * 100_000, "not valid JSON"),
        (b'["I love it"]', "must be a JSON object"),
        (b'{"parameters": {"top_k": 1}}', 'missing "inputs"'),
        (b'{"inputs": 42}', "must be a string or a list of strings"),
        (b'{"inputs": {"text": "hi"}}', "must be a string or a list of strings"),
        (b'{"inputs": null}', "must be a string or a list of strings"),
        (b'{"inputs": []}', "must not be an empty list"),
        (b'{"inputs": ["fine", 7]}', "inputs[1] must be a string"),
        (b'{"inputs": ""}', "inputs is empty"),
        (b'{"inputs": ["fine", "   "]}', "inputs[1] is empty"),
        (b'{"inputs": "hi", "top_k": 1}', "unknown field 'top_k'"),
        (b'{"inputs": "hi", "parameters": [1]}', '"parameters" must be a JSON object'),
        (b'{"inputs": "hi", "parameters": {"topk": 1}}', "unknown parameter 'topk'"),
        (b'{"inputs": "hi", "parameters": {"top_k": 0}}', "from 1 to 3"),
        (b'{"inputs": "hi", "parameters": {"top_k": 4}}', "from 1 to 3"),
        (b'{"inputs": "hi", "parameters": {"top_k": "2"}}', "from 1 to 3"),
        (b'{"inputs": "hi", "parameters": {"top_k": 1.5}}', "from 1 to 3"),
        (b'{"inputs": "hi", "parameters": {"top_k": true}}', "from 1 to 3"),
    ],
)
def test_invalid_bodies_are_rejected_with_400(
    endpoint: Endpoint, body: bytes, fragment: str
) -> None:
    reply = call(endpoint, "POST", "/invocations", raw_body=body)

    assert_json_error(reply, 400, fragment)


def test_an_invalid_body_on_a_versioned_path_reports_that_version(endpoint: Endpoint) -> None:
    reply = call(endpoint, "POST", "/v2/invocations", raw_body=b"{oops")

    assert_json_error(reply, 400, "not valid JSON", version="v2")


def test_too_many_inputs_are_rejected_with_400(endpoint: Endpoint) -> None:
    reply = invoke(endpoint, "/invocations", {"inputs": ["I love it"] * (MAX_INPUTS + 1)})

    assert_json_error(reply, 400, f"the limit is {MAX_INPUTS}")


def test_a_body_over_the_size_limit_is_413_and_the_connection_stays_usable(
    endpoint: Endpoint,
) -> None:
    body = json.dumps({"inputs": "a" * MAX_BODY_BYTES}).encode()
    connection = http.client.HTTPConnection("127.0.0.1", endpoint.port, timeout=10)
    try:
        connection.request("POST", "/invocations", body=body)
        first = connection.getresponse()
        first_body = json.loads(first.read())
        socket_used = connection.sock
        connection.request("POST", "/invocations", body=json.dumps({"inputs": NEGATIVE}))
        second = connection.getresponse()
        second.read()
        assert connection.sock is socket_used  # the same connection answered both
    finally:
        connection.close()

    assert first.status == 413
    assert f"the limit is {MAX_BODY_BYTES} bytes" in first_body["error"]
    assert first_body["limitBytes"] == MAX_BODY_BYTES
    assert first.getheader("Connection") is None
    assert second.status == 200


def test_a_5_mb_body_gets_413_not_a_reset(endpoint: Endpoint) -> None:
    """The measured defect: over 4 MB the server closed without reading, the client's send
    was reset, and a gateway in front answered 5xx. The whole body is read, then refused."""
    body = b'{"inputs": "' + b"a" * (5 * 1024 * 1024) + b'"}'
    with socket.create_connection(("127.0.0.1", endpoint.port), timeout=30) as connection:
        connection.sendall(
            b"POST /invocations HTTP/1.1\r\nHost: test\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        response = http.client.HTTPResponse(connection)
        response.begin()
        answer = json.loads(response.read())
    assert response.status == 413
    assert f"body is {len(body)} bytes" in answer["error"]


def test_a_body_too_long_to_drop_is_413_and_the_connection_closes(endpoint: Endpoint) -> None:
    # Headers only: a 17 MB body is not worth reading just to drop it.
    length = 17 * 1024 * 1024
    request = f"POST /invocations HTTP/1.1\r\nHost: test\r\nContent-Length: {length}\r\n\r\n"

    reply = raw_exchange(endpoint, request.encode())

    assert_json_error(reply, 413, f"body is {length} bytes")
    assert reply.headers["Connection"] == "close"


@pytest.mark.parametrize("length", ["abc", "-5", "1e3"])
def test_an_invalid_content_length_is_rejected_with_400(endpoint: Endpoint, length: str) -> None:
    request = (
        f"POST /invocations HTTP/1.1\r\nHost: test\r\nContent-Length: {length}\r\n\r\n"
    ).encode()

    reply = raw_exchange(endpoint, request, end_sending=True)

    assert_json_error(reply, 400, "invalid Content-Length")


def test_a_body_shorter_than_its_content_length_is_rejected_not_awaited(
    endpoint: Endpoint,
) -> None:
    request = b'POST /invocations HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\n{"inputs"'

    reply = raw_exchange(endpoint, request, end_sending=True)

    assert_json_error(reply, 400, "body ended after 9 of 100 bytes")


def test_a_malformed_request_line_gets_a_json_400(endpoint: Endpoint) -> None:
    reply = raw_exchange(endpoint, b"NONSENSE\r\n\r\n")

    assert_json_error(reply, 400, "Bad request")


def test_a_request_line_without_a_version_still_gets_status_and_model_headers(
    endpoint: Endpoint,
) -> None:
    reply = raw_exchange(endpoint, b"GET /ping\r\n\r\n")

    assert reply.status == 200
    assert_model_headers(reply)
    assert reply.json()["status"] == "ok"


# --- 411: no length to read -------------------------------------------------------------


def test_a_post_without_content_length_is_rejected_with_411(endpoint: Endpoint) -> None:
    reply = raw_exchange(endpoint, b"POST /invocations HTTP/1.1\r\nHost: test\r\n\r\n")

    assert_json_error(reply, 411, "Content-Length header is required")


def test_a_chunked_post_is_rejected_with_411(endpoint: Endpoint) -> None:
    # Headers only: the server answers before any chunk, so none is left unread.
    request = b"POST /invocations HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"

    reply = raw_exchange(endpoint, request)

    assert_json_error(reply, 411, "chunked bodies are not supported")
    assert reply.headers["Connection"] == "close"


# --- 404 and 405 ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/", "/predict", "/anything/v2/invocations", "/v2/invocations/extra", "/pingx", "/v2"],
)
def test_unknown_paths_get_404(endpoint: Endpoint, path: str) -> None:
    reply = invoke(endpoint, path, {"inputs": "I love it"})

    assert_json_error(reply, 404, "no route")


def test_an_unknown_version_gets_404_naming_the_valid_ones(endpoint: Endpoint) -> None:
    reply = invoke(endpoint, "/v9/invocations", {"inputs": "I love it"})

    assert_json_error(reply, 404, "unknown model version 'v9'; valid versions: v1, v2")
    assert reply.json()["versions"] == ["v1", "v2"]


@pytest.mark.parametrize(
    ("method", "path", "allowed", "version"),
    [
        ("GET", "/invocations", "POST", "v1"),
        ("PUT", "/invocations", "POST", "v1"),
        ("DELETE", "/v2/invocations", "POST", "v2"),
        ("POST", "/ping", "GET, HEAD", "v1"),
        ("PATCH", "/ping", "GET, HEAD", "v1"),
    ],
)
def test_a_wrong_method_gets_405_with_the_allowed_ones(
    endpoint: Endpoint, method: str, path: str, allowed: str, version: str
) -> None:
    reply = call(endpoint, method, path)

    assert_json_error(reply, 405, f"method {method} not allowed", version=version)
    assert reply.headers["Allow"] == allowed


def test_a_method_the_server_does_not_know_gets_405_not_501(endpoint: Endpoint) -> None:
    reply = raw_exchange(endpoint, b"BREW /ping HTTP/1.1\r\nHost: test\r\n\r\n")

    assert_json_error(reply, 405, "method BREW not allowed")


def test_a_rejected_body_does_not_leak_into_the_next_request(endpoint: Endpoint) -> None:
    # The 404 is decided before the body is read; the body is then read to its end and
    # dropped, so it is not parsed as a request and the connection carries the next one.
    connection = http.client.HTTPConnection("127.0.0.1", endpoint.port)
    try:
        connection.request("POST", "/nowhere", body=b"GET /ping HTTP/1.1\r\n\r\n")
        first = connection.getresponse()
        first.read()
        socket_used = connection.sock
        connection.request("POST", "/invocations", body=json.dumps({"inputs": NEGATIVE}))
        second = connection.getresponse()
        second_body = json.loads(second.read())
        assert connection.sock is socket_used
    finally:
        connection.close()

    assert first.status == 404
    assert first.getheader("Connection") is None
    assert second.status == 200
    assert second_body["predictions"][0]["label"] == "negative"


# --- logging ----------------------------------------------------------------------------


def test_requests_are_not_logged_by_default(
    endpoint: Endpoint, capsys: pytest.CaptureFixture[str]
) -> None:
    invoke(endpoint, "/invocations", {"inputs": POSITIVE})
    invoke(endpoint, "/nowhere", {"inputs": POSITIVE})

    assert capsys.readouterr().err == ""


def test_verbose_logs_each_request(
    verbose_endpoint: Endpoint, capsys: pytest.CaptureFixture[str]
) -> None:
    invoke(verbose_endpoint, "/v2/invocations", {"inputs": POSITIVE})

    assert '"POST /v2/invocations HTTP/1.1" 200' in capsys.readouterr().err


def test_make_server_rejects_an_unknown_default_version() -> None:
    with pytest.raises(ValueError, match="unknown default version 'v3'"):
        make_server("127.0.0.1", 0, "v3")


# --- the command line -------------------------------------------------------------------


def start_cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "shared.local.model.server", "--host", "127.0.0.1", *args],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_cli_announces_serves_and_stops_cleanly_on_a_signal(stop_signal: signal.Signals) -> None:
    process = start_cli("--port", "0", "--default-version", "v2")
    try:
        assert process.stdout is not None
        ready = process.stdout.readline()
        announced = re.fullmatch(
            r"model endpoint listening on (http://127\.0\.0\.1:(\d+))\n", ready
        )
        assert announced, f"unexpected first line: {ready!r}"
        cli_endpoint = Endpoint(base_url=announced.group(1), port=int(announced.group(2)))

        reply = invoke(cli_endpoint, "/invocations", {"inputs": DISAGREEMENT})

        process.send_signal(stop_signal)
        stdout, stderr = process.communicate(timeout=PROCESS_TIMEOUT_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert reply.json()["version"] == "v2"
    assert reply.json()["predictions"][0]["label"] == "negative"
    assert process.returncode == 0
    assert stdout == ""
    assert stderr == ""


def test_cli_reports_a_busy_port_without_a_traceback() -> None:
    with socket.socket() as occupant:
        occupant.bind(("127.0.0.1", 0))
        occupant.listen()
        busy_port = occupant.getsockname()[1]

        process = start_cli("--port", str(busy_port))
        stdout, stderr = process.communicate(timeout=PROCESS_TIMEOUT_SECONDS)

    assert process.returncode == 1
    assert f"cannot listen on 127.0.0.1:{busy_port}" in stderr
    assert "Traceback" not in stderr
    assert stdout == ""


def test_cli_rejects_an_unknown_default_version() -> None:
    process = start_cli("--default-version", "v9")
    stdout, stderr = process.communicate(timeout=PROCESS_TIMEOUT_SECONDS)

    assert process.returncode == 2
    assert "invalid choice: 'v9'" in stderr
    assert stdout == ""
