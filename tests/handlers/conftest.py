"""Fixtures for the handler tests: the model servers a function talks to (the real local model,
one that stalls), the proxy events API Gateway sends (REST API payload 1.0, HTTP API payload
2.0), and a stack's handler modules imported the way its zip holds them."""

from __future__ import annotations

import base64
import importlib
import json
import os
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

import shared.runtime
from shared.local.model.server import make_server
from shared.runtime import model_client as model_client_module

REQUEST_ID = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


# --- model servers ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def model_url(serve_in_thread) -> Iterator[str]:
    """The real local model endpoint, in this process, on a free port (its base URL)."""
    with serve_in_thread(make_server("127.0.0.1", 0)) as url:
        yield url


@pytest.fixture
def closed_port_url(closed_url: str) -> str:
    """A model invocations URL nobody listens on."""
    return f"{closed_url}/invocations"


@pytest.fixture
def stalled_model(serve_in_thread) -> Iterator[SimpleNamespace]:
    """A model endpoint that answers neither pings nor invocations until `release` is set (at
    teardown at the latest): `url` is its base URL, `answered` is set once it has answered."""
    release, answered = threading.Event(), threading.Event()

    class Stall(BaseHTTPRequestHandler):
        def stall(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            release.wait(30)  # far longer than any timeout under test
            body = b'{"model": "slow", "version": "v1", "predictions": []}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            answered.set()

        do_GET = do_POST = stall

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Stall)
    server.daemon_threads = True
    with serve_in_thread(server) as url:
        try:
            yield SimpleNamespace(url=url, release=release, answered=answered)
        finally:
            release.set()


@pytest.fixture
def stalled_model_url(stalled_model: SimpleNamespace) -> str:
    """The stalled model's invocations URL."""
    return f"{stalled_model.url}/invocations"


# --- events as API Gateway sends them ---------------------------------------------------------


def _body_text(body: Any) -> str | None:
    """A string body as it is, anything else but None as JSON."""
    return body if body is None or isinstance(body, str) else json.dumps(body)


@pytest.fixture
def request_id() -> str:
    """The API Gateway request id the event fixtures put in an event unless told otherwise."""
    return REQUEST_ID


@pytest.fixture
def rest_event() -> Callable[..., dict[str, Any]]:
    """`rest_event(method, path, *, resource=None, body=None, ...)`: a REST API AWS_PROXY event
    (payload format 1.0). A body that is not a string is sent as JSON; `resource` is the
    route's template (the path by default); the `request_id` fixture's id unless one is given."""

    def build(
        method: str,
        path: str,
        *,
        resource: str | None = None,
        body: Any = None,
        path_params: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        stage_variables: dict[str, str] | None = None,
        base64_body: bool = False,
        stage: str = "dev",
        request_id: str = REQUEST_ID,
    ) -> dict[str, Any]:
        headers = {
            "Content-Type": "application/json",
            "Host": "abc123.execute-api.amazonaws.com",
            **(headers or {}),
        }
        return {
            "resource": resource or path,
            "path": path,
            "httpMethod": method,
            "headers": headers,
            "multiValueHeaders": {k: [v] for k, v in headers.items()},
            "queryStringParameters": query,
            "multiValueQueryStringParameters": (
                {k: [v] for k, v in query.items()} if query else None
            ),
            "pathParameters": path_params,
            "stageVariables": stage_variables,
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "abc123",
                "resourceId": "r3s0urc3",
                "resourcePath": resource or path,
                "httpMethod": method,
                "stage": stage,
                "path": f"/{stage}{path}",
                "requestId": request_id,
                "identity": {"sourceIp": "127.0.0.1", "userAgent": "pytest"},
            },
            "body": _body_text(body),
            "isBase64Encoded": base64_body,
        }

    return build


@pytest.fixture
def http_event() -> Callable[..., dict[str, Any]]:
    """`http_event(method, raw_path, *, route_key=None, body=None, ...)`: an HTTP API Lambda
    proxy event (payload format 2.0). `raw_path` is the path as called (with the stage name if
    the stage is not `$default`), `route_key` '<method> <raw_path>' unless given. A body that is
    not a string is sent as JSON (base64-encoded if asked); the `request_id` fixture's id unless
    one is given."""

    def build(
        method: str,
        raw_path: str,
        *,
        route_key: str | None = None,
        body: Any = None,
        base64_body: bool = False,
        path_params: dict[str, str] | None = None,
        raw_query: str = "",
        cookies: list[str] | None = None,
        stage: str = "$default",
        request_id: str = REQUEST_ID,
    ) -> dict[str, Any]:
        text = _body_text(body)
        if text is not None and base64_body:
            text = base64.b64encode(text.encode()).decode()
        route_key = route_key or f"{method} {raw_path}"
        headers = {
            "accept": "*/*",
            "content-type": "application/json",
            "host": "h77p4p1x.execute-api.us-east-1.amazonaws.com",
            "user-agent": "pytest",
            "x-amzn-trace-id": "Root=1-67891233-abcdef012345678912345678",
            "x-forwarded-for": "10.0.0.1",
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https",
        }
        if text is not None:
            headers["content-length"] = str(len(text))
        event: dict[str, Any] = {
            "version": "2.0",
            "routeKey": route_key,
            "rawPath": raw_path,
            "rawQueryString": raw_query,
            "headers": headers,
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "h77p4p1x",
                "domainName": "h77p4p1x.execute-api.us-east-1.amazonaws.com",
                "domainPrefix": "h77p4p1x",
                "http": {
                    "method": method,
                    "path": raw_path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": "10.0.0.1",
                    "userAgent": "pytest",
                },
                "requestId": request_id,
                "routeKey": route_key,
                "stage": stage,
                "time": "22/Nov/2026:00:05:52 +0000",
                "timeEpoch": 1_795_305_952_000,
            },
            "isBase64Encoded": base64_body,
        }
        if cookies:
            event["cookies"] = cookies
        if text is not None:
            event["body"] = text
        if path_params:
            event["pathParameters"] = path_params
        if raw_query:
            event["queryStringParameters"] = dict(p.split("=", 1) for p in raw_query.split("&"))
        return event

    return build


# --- a stack's handler code, imported as its zip holds it -------------------------------------


@pytest.fixture
def no_model_clients(monkeypatch: pytest.MonkeyPatch) -> dict:
    """An empty model-client cache for this test (the one before is back afterwards)."""
    clients: dict = {}
    monkeypatch.setattr(model_client_module, "_CLIENTS", clients)
    return clients


@pytest.fixture
def import_handler(
    monkeypatch: pytest.MonkeyPatch, no_model_clients: dict
) -> Iterator[Callable[..., ModuleType]]:
    """`import_handler(source_dir, module_name, env={...})` -> the module, imported as Lambda
    imports it from the zip: `source_dir` (the zip's root) on sys.path, the handler runtime as
    `aigw_runtime`, `env` in the environment. Each call is a cold start: every module from
    `source_dir` imported before is forgotten and the model-client cache emptied first. The
    modules from the source dirs are forgotten again after the test."""
    monkeypatch.setitem(sys.modules, "aigw_runtime", shared.runtime)
    source_dirs: list[Path] = []

    def forget(source_dir: Path) -> None:
        prefix = f"{source_dir}{os.sep}"
        for name, module in list(sys.modules.items()):
            if (getattr(module, "__file__", None) or "").startswith(prefix):
                del sys.modules[name]

    def cold_start(
        source_dir: Path, module_name: str, env: dict[str, str] | None = None
    ) -> ModuleType:
        if source_dir not in source_dirs:
            source_dirs.append(source_dir)
            monkeypatch.syspath_prepend(str(source_dir))
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        forget(source_dir)
        no_model_clients.clear()
        return importlib.import_module(module_name)

    try:
        yield cold_start
    finally:
        for source_dir in source_dirs:
            forget(source_dir)


# --- moto's S3, one mock per module ----------------------------------------------------------

FAKE_AWS_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
REAL_AWS_ENV = ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3")


@pytest.fixture(scope="module")
def moto_s3() -> Iterator[Callable[[str], Any]]:
    """`moto_s3(region)`: an S3 client of moto's, the mock started once for the module (each
    start and each new client cost 30-60 ms: more than most handler tests)."""
    from moto import mock_aws

    with pytest.MonkeyPatch.context() as patch, mock_aws():
        for name in REAL_AWS_ENV:
            patch.delenv(name, raising=False)
        for name, value in FAKE_AWS_ENV.items():
            patch.setenv(name, value)
        clients: dict[str, Any] = {}

        def client(region: str) -> Any:
            import boto3

            if region not in clients:
                clients[region] = boto3.client("s3", region_name=region)
            return clients[region]

        yield client


def fresh_bucket(
    moto_s3: Callable[[str], Any], monkeypatch: pytest.MonkeyPatch, bucket: str, region: str
) -> Iterator[Any]:
    """A test's own empty `bucket` in moto (deleted after it), with the environment a Lambda
    function has: fake credentials, `region`, no endpoint overrides."""
    for name in REAL_AWS_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", region)
    s3 = moto_s3(region)
    s3.create_bucket(Bucket=bucket)
    try:
        yield s3
    finally:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                s3.delete_object(Bucket=bucket, Key=item["Key"])
        s3.delete_bucket(Bucket=bucket)
