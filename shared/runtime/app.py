"""A tiny router for Lambda functions behind API Gateway proxy integrations.

    app = App()

    @app.route("POST", "/classify")
    def classify(request: Request) -> dict:
        return {"label": ...}             # 200 JSON; or return a Response

    @app.route("ANY", "/ai-service/{workflow}")
    def workflow(request: Request) -> Response:
        name = request.path_params["workflow"]
        ...

    handler = app.handler                 # the function Lambda calls: "app.handler"

Unknown paths answer 404, known paths with another method 405 (with `Allow`), an
`HttpError` its own status, and any other exception 500 with the request id and no
traceback (the traceback goes to the log). Every request writes one JSON line to stdout.
"""

from __future__ import annotations

import json
import re
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .http import HttpError, Request, Response, json_response, parse_event

Handler = Callable[[Request], Any]

ANY = "ANY"
_PARAM = re.compile(r"^\{([^{}+]+)(\+?)\}$")


@dataclass(frozen=True)
class _Route:
    method: str  # upper case, or ANY
    template: str  # "/ai-service/{workflow}"
    pattern: re.Pattern[str]
    params: tuple[str, ...]  # parameter names in group order
    literals: int  # literal segments: the more, the more specific
    handler: Handler

    @property
    def rank(self) -> tuple[int, bool, str]:
        """Sorts the most specific template first: literals, then no greedy parameter."""
        return (-self.literals, self.template.endswith("+}"), self.template)

    def match(self, path: str) -> dict[str, str] | None:
        found = self.pattern.fullmatch(path)
        if found is None:
            return None
        return dict(zip(self.params, found.groups(), strict=True))


class App:
    """Routes by method and path template; `handler(event, context)` is the Lambda entry point."""

    def __init__(self) -> None:
        self._routes: list[_Route] = []

    def route(self, method: str, path: str) -> Callable[[Handler], Handler]:
        """Register a handler for `method` (GET, POST, ..., or ANY) on a path template.

        Templates use API Gateway's syntax: `{name}` matches one segment, a final
        `{name+}` the rest of the path.
        """
        method = method.upper()
        template = _normalise(path)
        pattern, params, literals = _compile(template)
        for existing in self._routes:
            if existing.template == template and existing.method == method:
                raise ValueError(f"route {method} {template} is already registered")

        def register(handler: Handler) -> Handler:
            self._routes.append(_Route(method, template, pattern, params, literals, handler))
            return handler

        return register

    @property
    def routes(self) -> list[tuple[str, str]]:
        """(method, template) of every registered route, in registration order."""
        return [(r.method, r.template) for r in self._routes]

    def handler(self, event: Any, context: Any = None) -> dict[str, Any]:
        """Answer one proxy event with a proxy response dict; never raises for a bad request."""
        started = time.perf_counter()
        request: Request | None = None
        route: _Route | None = None
        log: dict[str, Any] = {}
        request_id = str(getattr(context, "aws_request_id", "") or "")
        try:
            request = parse_event(event, context)
            request_id = request.request_id or request_id
            route, params = self._resolve(request)
            request.path_params = {**params, **request.path_params}
            response = _as_response(route.handler(request)).to_proxy()
        except HttpError as error:
            log["error"] = error.message
            response = error.response(request_id).to_proxy()
        except Exception as error:
            # A bug, not the caller's mistake: the caller gets an id to quote, the log the rest.
            log["error"] = f"{type(error).__name__}: {error}"
            log["traceback"] = traceback.format_exc()
            body = {"error": "internal error", "requestId": request_id}
            response = json_response(500, body).to_proxy()
        if request_id:
            response["headers"].setdefault("X-Request-Id", request_id)
        record = {
            "level": "ERROR" if response["statusCode"] >= 500 else "INFO",
            "requestId": request_id,
            "method": request.method if request else None,
            "path": request.path if request else None,
            "route": route.template if route else None,
            "stage": request.stage if request else None,
            "status": response["statusCode"],
            "durationMs": round((time.perf_counter() - started) * 1000, 3),
            **log,
        }
        for key, value in (request.log_fields if request else {}).items():
            record.setdefault(key, value)  # a handler's fields never hide the standard ones
        _write_log(record)
        return response

    __call__ = handler

    def _resolve(self, request: Request) -> tuple[_Route, dict[str, str]]:
        """The route for a request, preferring the template API Gateway itself matched
        (`resource` / `routeKey`) and falling back to matching the path."""
        if request.route is not None:
            template = _normalise(request.route)
            declared = [r for r in self._routes if r.template == template]
            if declared:
                params: dict[str, str] = {}
                for path in _candidate_paths(request):
                    found = declared[0].match(path)
                    if found is not None:
                        params = found
                        break
                return _pick(request, [(r, params) for r in declared])
        for path in _candidate_paths(request):
            matched = [(r, r.match(path)) for r in self._routes]
            hits = [(r, p) for r, p in matched if p is not None]
            if hits:
                return _pick(request, hits)
        raise HttpError(404, f"no route for {request.method} {request.path}")


def _pick(
    request: Request, found: list[tuple[_Route, dict[str, str]]]
) -> tuple[_Route, dict[str, str]]:
    """The most specific template that takes the method (its own method before ANY), as in
    API Gateway; 405 naming the allowed methods when none does."""
    ranked = sorted(found, key=lambda rp: (rp[0].rank, rp[0].method != request.method))
    for route, params in ranked:
        if route.method in (request.method, ANY):
            return route, params
    allowed = sorted({r.method for r, _ in found})
    templates = sorted({r.template for r, _ in found})
    raise HttpError(
        405,
        f"method {request.method} not allowed on {', '.join(templates)}; use {', '.join(allowed)}",
        details={"allowed": allowed},
        headers={"Allow": ", ".join(allowed)},
    )


def _as_response(result: Any) -> Response:
    if isinstance(result, Response):
        return result
    if result is None:
        return Response(204)
    return json_response(200, result)


def _candidate_paths(request: Request) -> list[str]:
    """The path as received, then without a leading `/<stage>` (HTTP APIs on named stages
    and some emulators put it there)."""
    path = _normalise(request.path)
    paths = [path]
    stage = request.stage
    if stage and stage != "$default":
        prefix = f"/{stage}"
        if path == prefix:
            paths.append("/")
        elif path.startswith(prefix + "/"):
            paths.append(path[len(prefix) :])
    return paths


def _normalise(path: str) -> str:
    path = "/" + path.strip().strip("/")
    return path


def _compile(template: str) -> tuple[re.Pattern[str], tuple[str, ...], int]:
    parts: list[str] = []
    params: list[str] = []
    literals = 0
    segments = [s for s in template.split("/") if s]
    for index, segment in enumerate(segments):
        param = _PARAM.match(segment)
        if param is None:
            if "{" in segment or "}" in segment:
                raise ValueError(f"invalid path segment {segment!r} in {template!r}")
            parts.append(re.escape(segment))
            literals += 1
            continue
        name, greedy = param.groups()
        if name in params:
            raise ValueError(f"parameter {{{name}}} appears twice in {template!r}")
        if greedy and index != len(segments) - 1:
            raise ValueError(f"greedy parameter {{{name}+}} must be last in {template!r}")
        params.append(name)
        parts.append("(.+)" if greedy else "([^/]+)")
    pattern = "/" + "/".join(parts)
    return re.compile(pattern), tuple(params), literals


def _write_log(record: dict[str, Any]) -> None:
    # sys.stdout is looked up per call: Lambda runners and tests swap it.
    line = json.dumps(record, default=str, separators=(",", ":"))
    print(line, file=sys.stdout, flush=True)
