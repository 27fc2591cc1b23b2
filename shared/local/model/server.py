"""The local model endpoint: the sentiment model behind the SageMaker container contract.

Stands in for a SageMaker endpoint when the stacks run on an AWS emulator::

    python -m shared.local.model.server --host 127.0.0.1 --port 8080 [--default-version v1]

Routes: `GET /ping`, `POST /invocations` (default version), `POST /<version>/invocations`,
`POST /endpoints/<name>/invocations` (SageMaker runtime InvokeEndpoint, the default version) and
`POST /v1/chat/completions` (OpenAI-compatible, what MiniStack's Bedrock runtime proxies
Converse to; see chat.py). Every answer, errors included, is JSON naming the model and version,
also sent as the `X-Model-Name` and `X-Model-Version` headers. Standard library only.

Built to sit behind a gateway that keeps connections open and sends bursts: a listen backlog
of 128 (with the library's 5, a burst of 100 clients got connection resets), Nagle off and each
answer written in one send (headers and body written apart, Nagle and the client's delayed ACK
held every keep-alive answer about 44 ms), and a body the server will not take read to its end
before the answer (closing on an unread body resets the connection, and the gateway then
answers 5xx where the client should see 413).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from shared.local.model import chat
from shared.local.model.classifier import MODEL_NAME, VERSIONS, NaiveBayesClassifier, train_versions
from shared.local.model.contract import (
    MAX_BODY_BYTES,
    ROUTE_CHAT,
    ROUTE_PING,
    ROUTES_HELP,
    ContractError,
    Route,
    error_response,
    invocation_response,
    is_sagemaker_runtime,
    match_route,
    parse_invocation,
    ping_response,
    sagemaker_model_error,
)

DEFAULT_VERSION = "v1"
# A client that stalls mid-request loses its connection after this long instead of
# holding a thread forever.
SOCKET_TIMEOUT_SECONDS = 30
# A body the server will not take is read and dropped before the answer, up to this much
# (beyond API Gateway's 10 MB): the connection then stays usable. Past it the connection is
# closed after the answer instead.
MAX_DISCARD_BYTES = 16 * 1024 * 1024
# Connections the kernel queues before they are accepted; a gateway opens many at once.
LISTEN_BACKLOG = 128
# Every answer fits: headers and body go out in one send.
WRITE_BUFFER_BYTES = 64 * 1024


class ModelServer(ThreadingHTTPServer):
    """A threading HTTP server holding the trained model versions."""

    # Handler threads must not keep the process alive once serve_forever() returns.
    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(
        self,
        address: tuple[str, int],
        models: dict[str, NaiveBayesClassifier],
        default_version: str,
        verbose: bool,
    ) -> None:
        if default_version not in models:
            raise ValueError(
                f"unknown default version {default_version!r}; valid: {', '.join(models)}"
            )
        self.models = models
        self.default_version = default_version
        self.verbose = verbose
        super().__init__(address, InvocationHandler)

    @property
    def versions(self) -> list[str]:
        return sorted(self.models)


class InvocationHandler(BaseHTTPRequestHandler):
    """Answers one connection's requests; all routing goes through `_dispatch`."""

    server: ModelServer
    protocol_version = "HTTP/1.1"
    # The library's default, HTTP/0.9, answers a versionless request line with a bare
    # body; HTTP/1.0 keeps the status line and the model headers on every answer.
    default_request_version = "HTTP/1.0"
    server_version = f"{MODEL_NAME}-endpoint"
    timeout = SOCKET_TIMEOUT_SECONDS
    # TCP_NODELAY, and a buffered writer flushed once per answer (the library's default is
    # unbuffered: the headers and the body would be two sends).
    disable_nagle_algorithm = True
    wbufsize = WRITE_BUFFER_BYTES

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_OPTIONS(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        self._body_unread = self._declares_body()
        # The version that answers; errors before a version is chosen report the default.
        self._version = self.server.default_version
        try:
            route = self._route()
            if route.name == ROUTE_PING:
                payload = ping_response(self.server.versions, self.server.default_version)
                self._send_json(HTTPStatus.OK, payload)
            elif route.name == ROUTE_CHAT:
                self._send_json(HTTPStatus.OK, self._chat(self._version))
            else:
                self._send_json(HTTPStatus.OK, self._invoke(self._version))
        except ContractError as error:
            body = error_response(error.message, self._version, error.details)
            status, headers = int(error.status), dict(error.headers)
            container_said = status == HTTPStatus.BAD_REQUEST or status >= 500
            if container_said and is_sagemaker_runtime(urlsplit(self.path).path):
                # The container answered an error: SageMaker wraps that answer (its front end's
                # own refusals, a body too large or a wrong method, are not wrapped).
                status, body = sagemaker_model_error(status, body)
                headers["x-amzn-ErrorType"] = "ModelError"
            self._send_json(HTTPStatus(status), body, headers)
        except Exception:
            # A bug in this server, not the client's mistake: say so and keep serving.
            traceback.print_exc(file=sys.stderr)
            body = error_response("internal error in the model endpoint", self._version, {})
            self._send_json(HTTPStatus.INTERNAL_SERVER_ERROR, body)

    def _route(self) -> Route:
        path = urlsplit(self.path).path
        route = match_route(path)
        if route is None:
            raise ContractError(
                HTTPStatus.NOT_FOUND,
                f"no route {path!r}; {ROUTES_HELP}",
            )
        if route.version is not None:
            if route.version not in self.server.models:
                versions = self.server.versions
                raise ContractError(
                    HTTPStatus.NOT_FOUND,
                    f"unknown model version {route.version!r}; valid versions: "
                    f"{', '.join(versions)}",
                    details={"versions": versions},
                )
            self._version = route.version
        if self.command not in route.allowed_methods:
            allowed = ", ".join(route.allowed_methods)
            raise ContractError(
                HTTPStatus.METHOD_NOT_ALLOWED,
                f"method {self.command} not allowed on {path}; use {allowed}",
                headers={"Allow": allowed},
            )
        return route

    def _invoke(self, version: str) -> dict[str, Any]:
        model = self.server.models[version]
        request = parse_invocation(self._read_body(), label_count=len(model.labels))
        predictions = model.predict(request.texts, top_k=request.top_k)
        return invocation_response(version, predictions)

    def _chat(self, version: str) -> dict[str, Any]:
        request = chat.parse_chat(self._read_body())
        return chat.completion(request, self.server.models[version], version)

    def _declares_body(self) -> bool:
        length = self.headers.get("Content-Length", "0").strip()
        return "Transfer-Encoding" in self.headers or length not in ("", "0")

    def _read_body(self) -> bytes:
        """Read exactly Content-Length bytes, never waiting for more than were promised."""
        if "Transfer-Encoding" in self.headers:
            raise ContractError(
                HTTPStatus.LENGTH_REQUIRED, "chunked bodies are not supported; send Content-Length"
            )
        declared = self.headers.get("Content-Length")
        if declared is None:
            raise ContractError(HTTPStatus.LENGTH_REQUIRED, "Content-Length header is required")
        length = _parse_length(declared)
        if length is None:
            raise ContractError(HTTPStatus.BAD_REQUEST, f"invalid Content-Length {declared!r}")
        if length > MAX_BODY_BYTES:
            # Left unread: the answer reads and drops it first (see _send_json).
            raise ContractError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"body is {length} bytes; the limit is {MAX_BODY_BYTES} bytes",
                details={"limitBytes": MAX_BODY_BYTES},
            )
        self._body_unread = False
        try:
            body = self.rfile.read(length)
        except TimeoutError:
            self.close_connection = True
            raise ContractError(HTTPStatus.BAD_REQUEST, "timed out reading the body") from None
        if len(body) < length:
            # The client closed its side early; nothing more will come on this connection.
            self.close_connection = True
            raise ContractError(
                HTTPStatus.BAD_REQUEST,
                f"body ended after {len(body)} of {length} bytes declared by Content-Length",
            )
        return body

    def _send_json(
        self,
        status: HTTPStatus,
        payload: dict[str, Any],
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        body = json.dumps(payload).encode("utf-8")
        # An unread body would be parsed as the next request, and closing on it would reset
        # the connection under the client: read it to its end first, or if it cannot be read
        # (chunked, too long, the client gone), end the connection after the answer.
        if self._body_unread and not self._discard_unread_body():
            self.close_connection = True
        self._body_unread = False
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Model-Name", MODEL_NAME)
        self.send_header("X-Model-Version", self._version)
        for name, value in (extra_headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()  # headers and body in one send

    def _discard_unread_body(self) -> bool:
        """Read and drop the request's body; True when all of it was read."""
        length = _parse_length(self.headers.get("Content-Length", ""))
        if length is None or length > MAX_DISCARD_BYTES or "Transfer-Encoding" in self.headers:
            return False
        try:
            while length > 0:
                chunk = self.rfile.read(min(length, 64 * 1024))
                if not chunk:
                    return False
                length -= len(chunk)
        except OSError:
            return False  # the client gave up or stalled; the connection closes
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """JSON, with the model headers, for errors the standard library raises itself.

        Those are malformed request lines, oversized headers and unknown methods; the
        last is answered 405 rather than the library's 501, since it is the client's doing.
        """
        self.close_connection = True
        self._body_unread = False
        self._version = getattr(self, "_version", self.server.default_version)
        status = HTTPStatus(code)
        if status == HTTPStatus.NOT_IMPLEMENTED:
            status = HTTPStatus.METHOD_NOT_ALLOWED
            message = f"method {self.command} not allowed"
        self.log_error("code %d, message %s", status.value, message or status.phrase)
        body = error_response(message or status.phrase, self._version, {})
        self._send_json(status, body)

    def log_message(self, format: str, *args: Any) -> None:
        # Quiet by default: the tasks run this in the background next to the emulator.
        if self.server.verbose:
            super().log_message(format, *args)


def _parse_length(declared: str) -> int | None:
    """A Content-Length as a non-negative int, or None if it is not one."""
    declared = declared.strip()
    if not declared.isascii() or not declared.isdigit():
        return None
    return int(declared)


def make_server(
    host: str, port: int, default_version: str = DEFAULT_VERSION, *, verbose: bool = False
) -> ThreadingHTTPServer:
    """Train every version and bind the endpoint (port 0 picks a free port).

    The caller runs `serve_forever()`; the bound port is `server.server_address[1]`.
    """
    return ModelServer((host, port), train_versions(), default_version, verbose)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m shared.local.model.server",
        description=f"Serve the {MODEL_NAME} sentiment model with the SageMaker container API.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
    parser.add_argument("--port", type=int, default=8080, help="port, 0 for any free one")
    parser.add_argument(
        "--default-version",
        choices=sorted(VERSIONS),
        default=DEFAULT_VERSION,
        help="version answering POST /invocations (default: %(default)s)",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    try:
        server = make_server(args.host, args.port, args.default_version, verbose=args.verbose)
    except OSError as error:
        print(f"cannot listen on {args.host}:{args.port}: {error.strerror}", file=sys.stderr)
        return 1

    def stop(signum: int, frame: FrameType | None) -> None:
        # shutdown() waits for serve_forever() to return, and serve_forever() runs in
        # this very thread, so it must be asked from another one.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    host, port = str(server.server_address[0]), server.server_address[1]
    print(f"model endpoint listening on http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
