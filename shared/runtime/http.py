"""API Gateway proxy events in, proxy responses out.

Both payload formats become one `Request`:

- REST APIs and HTTP APIs with payload 1.0: `httpMethod`, `path`, `resource`,
  `pathParameters`, `headers`/`multiValueHeaders`, `queryStringParameters`, `body`,
  `isBase64Encoded`, `requestContext.requestId`, `requestContext.stage`, `stageVariables`.
- HTTP APIs with payload 2.0: `requestContext.http.method`, `rawPath`, `routeKey`
  (`"POST /classify"` or `"$default"`), `rawQueryString`, `cookies`, the same body fields.

Standard library only, relative imports only: this package runs inside Lambda as
`aigw_runtime` and in the tests as `shared.runtime`.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

# API Gateway accepts up to 10 MB and Lambda 6 MB; a model request is a few sentences.
DEFAULT_MAX_BODY_BYTES = 64 * 1024

JSON_CONTENT_TYPE = "application/json"


class HttpError(Exception):
    """An answer other than success, with its status; the App turns it into a JSON body.

    `details` are merged into the body next to `"error"`; `headers` are sent with it.
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = int(status)
        self.message = message
        self.details = dict(details or {})
        self.headers = dict(headers or {})

    def response(self, request_id: str | None = None) -> Response:
        body: dict[str, Any] = {"error": self.message, **self.details}
        if request_id:
            body.setdefault("requestId", request_id)
        return json_response(self.status, body, self.headers)


@dataclass
class Request:
    """One HTTP request, whichever API type and payload format delivered it.

    `route` is the route template API Gateway matched (`resource` in payload 1.0, the path
    of `routeKey` in 2.0), or None when there is none (`$default`, a bare event).
    `log_fields` are added to the request's log line; handlers may add their own.
    """

    method: str
    path: str
    route: str | None = None
    path_params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    request_id: str = ""
    stage: str | None = None
    stage_variables: dict[str, str] = field(default_factory=dict)
    payload_version: str = "1.0"
    log_fields: dict[str, Any] = field(default_factory=dict)

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def json(self, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> dict[str, Any]:
        """The body as a JSON object; 413 when larger than `max_bytes`, 400 when not one."""
        return parse_json_body(self.body, max_bytes=max_bytes)


@dataclass
class Response:
    """A proxy response. `body` is sent as is when bytes or str, as JSON otherwise."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def to_proxy(self) -> dict[str, Any]:
        """The `{statusCode, headers, body}` dict both payload formats accept."""
        headers = dict(self.headers)
        if isinstance(self.body, bytes):
            try:
                text, encoded = self.body.decode("utf-8"), False
            except UnicodeDecodeError:
                text, encoded = base64.b64encode(self.body).decode("ascii"), True
        elif isinstance(self.body, str):
            text, encoded = self.body, False
        elif self.body is None:
            text, encoded = "", False
        else:
            text, encoded = json.dumps(self.body, separators=(",", ":")), False
            if not any(k.lower() == "content-type" for k in headers):
                headers["Content-Type"] = JSON_CONTENT_TYPE
        return {
            "statusCode": int(self.status),
            "headers": headers,
            "body": text,
            "isBase64Encoded": encoded,
        }


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    """A JSON answer: `json_response(200, {"ok": True})`."""
    return Response(status, payload, {"Content-Type": JSON_CONTENT_TYPE, **(headers or {})})


def parse_event(event: Any, context: Any = None) -> Request:
    """A `Request` from an API Gateway proxy event of payload format 1.0 or 2.0.

    Raises HttpError(400) for something that is not a proxy event at all.
    """
    if not isinstance(event, dict):
        raise HttpError(400, "the event is not an API Gateway proxy event")
    request_context = _mapping(event.get("requestContext"))
    request_id = str(
        request_context.get("requestId") or getattr(context, "aws_request_id", "") or ""
    )
    http = _mapping(request_context.get("http"))
    if event.get("version") == "2.0" or http:
        return _parse_v2(event, request_context, http, request_id)
    return _parse_v1(event, request_context, request_id)


def _parse_v1(event: dict[str, Any], ctx: dict[str, Any], request_id: str) -> Request:
    method = event.get("httpMethod") or ctx.get("httpMethod")
    if not isinstance(method, str) or not method:
        raise HttpError(400, "the event is not an API Gateway proxy event (no httpMethod)")
    headers = {k.lower(): str(v) for k, v in _mapping(event.get("headers")).items()}
    for name, values in _mapping(event.get("multiValueHeaders")).items():
        if isinstance(values, list) and values and name.lower() not in headers:
            headers[name.lower()] = ",".join(str(v) for v in values)
    query = {k: str(v) for k, v in _mapping(event.get("queryStringParameters")).items()}
    resource = event.get("resource") or ctx.get("resourcePath")
    return Request(
        method=method.upper(),
        path=_path(event.get("path") or ctx.get("path") or "/"),
        route=resource if isinstance(resource, str) and resource else None,
        path_params={k: str(v) for k, v in _mapping(event.get("pathParameters")).items()},
        headers=headers,
        query=query,
        body=_body(event),
        request_id=request_id,
        stage=_text_or_none(ctx.get("stage")),
        stage_variables={k: str(v) for k, v in _mapping(event.get("stageVariables")).items()},
        payload_version="1.0",
    )


def _parse_v2(
    event: dict[str, Any], ctx: dict[str, Any], http: dict[str, Any], request_id: str
) -> Request:
    method = http.get("method")
    if not isinstance(method, str) or not method:
        raise HttpError(400, "the event is not an API Gateway proxy event (no http.method)")
    headers = {k.lower(): str(v) for k, v in _mapping(event.get("headers")).items()}
    cookies = event.get("cookies")
    if isinstance(cookies, list) and cookies and "cookie" not in headers:
        headers["cookie"] = "; ".join(str(c) for c in cookies)
    query = {k: str(v) for k, v in _mapping(event.get("queryStringParameters")).items()}
    if not query and isinstance(event.get("rawQueryString"), str):
        query = dict(parse_qsl(event["rawQueryString"], keep_blank_values=True))
    route_key = event.get("routeKey") or ctx.get("routeKey")
    route = None
    if isinstance(route_key, str) and " " in route_key:  # "$default" names no path
        route = route_key.split(" ", 1)[1]
    return Request(
        method=method.upper(),
        path=_path(event.get("rawPath") or http.get("path") or "/"),
        route=route,
        path_params={k: str(v) for k, v in _mapping(event.get("pathParameters")).items()},
        headers=headers,
        query=query,
        body=_body(event),
        request_id=request_id,
        stage=_text_or_none(ctx.get("stage")),
        stage_variables={k: str(v) for k, v in _mapping(event.get("stageVariables")).items()},
        payload_version="2.0",
    )


def parse_json_body(body: bytes, *, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> dict[str, Any]:
    """A request body as a JSON object, or HttpError 413 (too large) / 400 (saying why)."""
    if len(body) > max_bytes:
        raise HttpError(
            413,
            f"body is {len(body)} bytes; the limit is {max_bytes} bytes",
            details={"limitBytes": max_bytes},
        )
    if not body.strip():
        raise HttpError(400, "body is empty; expected a JSON object")
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as error:  # bad JSON, bad UTF-8, "[[[[..."
        reason = str(error)[:200] or type(error).__name__
        raise HttpError(400, f"body is not valid JSON: {reason}") from None
    if not isinstance(document, dict):
        raise HttpError(400, f"body must be a JSON object, not {_json_type(document)}")
    return document


def _body(event: dict[str, Any]) -> bytes:
    body = event.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):  # a test or a direct invoke may pass an object
        return json.dumps(body).encode("utf-8")
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise HttpError(400, "body is marked base64 but is not valid base64") from None
    return body.encode("utf-8")


def _path(value: Any) -> str:
    text = str(value) if value else "/"
    return text if text.startswith("/") else "/" + text


def _mapping(value: Any) -> dict[str, Any]:
    # API Gateway sends null rather than {} for absent headers, query strings and parameters.
    return {str(k): v for k, v in value.items() if v is not None} if isinstance(value, dict) else {}


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"
