"""One vocabulary for REST (API Gateway v1) and HTTP (v2) APIs: routes, targets, stages,
throttles and the access-log format, each defined once and used by both components.

    Route("POST", "/predict", HttpTarget(url), scopes=("predict",), body_schema={...})
    Route("POST", "/predict", ModelTarget(ModelBackend("sagemaker", endpoint="sentiment")))
    Route("GET", "/health", LambdaTarget(function))
    Stage("prod", Throttle(rate_limit=50, burst_limit=100), log_retention_days=30)

What a kind of API cannot do is refused by its component (an HTTP API has no API keys or body
models), never silently dropped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pulumi

from shared.components import naming

if TYPE_CHECKING:
    from shared.components.function import Function
    from shared.components.model import ModelBackend

# API Gateway's integration timeouts: 50 ms to 29 s for REST APIs (by default), to 30 s for
# HTTP APIs. The defaults here fit both.
MAX_REST_INTEGRATION_TIMEOUT_MS = 29_000
MAX_HTTP_INTEGRATION_TIMEOUT_MS = 30_000
EXECUTION_LOG_LEVELS = ("OFF", "ERROR", "INFO")


@dataclass(frozen=True)
class Throttle:
    rate_limit: float  # steady requests per second
    burst_limit: int  # requests allowed at once above the rate


@dataclass(frozen=True)
class Quota:
    limit: int
    period: Literal["DAY", "WEEK", "MONTH"]


@dataclass(frozen=True)
class HttpTarget:
    """Forward the request as is to an HTTP endpoint (a model server); on an HTTP API the URI
    may be a stage variable such as `${stageVariables.modelEndpoint}`."""

    uri: pulumi.Input[str]
    method: str = "POST"
    timeout_ms: int = MAX_REST_INTEGRATION_TIMEOUT_MS


@dataclass(frozen=True)
class LambdaTarget:
    """Hand the whole request to a Lambda function (proxy integration); the route gets the
    function's invoke permission, scoped to this API, method and path."""

    function: Function
    # How long API Gateway waits for the function; the function's own timeout must be shorter
    # (see `check_function_timeout`). None: the API kind's maximum (REST 29 s, HTTP API 30 s).
    timeout_ms: int | None = None


@dataclass(frozen=True)
class ModelTarget:
    """Call a SageMaker endpoint or a Bedrock model straight from a REST API (an `AWS`
    integration, signed with a role of its own allowed that one model): no function between."""

    backend: ModelBackend
    timeout_ms: int = MAX_REST_INTEGRATION_TIMEOUT_MS


Target = HttpTarget | LambdaTarget | ModelTarget


def check_function_timeout(
    route_name: str, target: LambdaTarget, integration_timeout_ms: int
) -> None:
    """AWS rule: API Gateway stops waiting for an integration at its timeout (REST 29 s at
    most, HTTP APIs 30 s) and answers 504, while a Lambda function keeps running, and billing,
    until its own timeout. A function behind an API must therefore time out first, so the
    caller gets the function's own answer (a 504 it chose, with a reason), never a cut-off."""
    if target.function.timeout_s * 1000 >= integration_timeout_ms:
        raise ValueError(
            f"route {route_name}: the function's timeout ({target.function.timeout_s} s) must be "
            f"shorter than the API's integration timeout ({integration_timeout_ms / 1000:g} s)"
        )


@dataclass(frozen=True)
class Route:
    method: str  # GET, POST, ANY...
    path: str  # "/predict", "/ai-service/{proxy+}"
    target: Target
    # What a caller's token must carry (cognito / jwt access): short names, "predict" for
    # "aigw-<stack>/predict". Empty: any valid token. Every route needs credentials anyway,
    # as the stack's access mode says.
    scopes: tuple[str, ...] = ()
    body_schema: dict[str, Any] | None = None  # REST only: a body that fails it gets 400

    @property
    def slug(self) -> str:
        return naming.slug(self.method, self.path)

    @property
    def key(self) -> str:
        """The route key as HTTP APIs write it: "POST /predict"."""
        return f"{self.method} {self.path}"

    @property
    def caller_path(self) -> str:
        """`/<stage>/<METHOD>/<path>` as API Gateway names this route's calls in an
        execute-api ARN, for the Lambda permission."""
        return f"/*/{self.method}{self.path}"


@dataclass(frozen=True)
class Stage:
    name: str
    throttle: Throttle
    log_retention_days: int
    variables: dict[str, str] = field(default_factory=dict)
    tracing: bool = False  # X-Ray (REST only)
    logging_level: str = "OFF"  # execution logs (REST only): OFF, ERROR or INFO
    metrics: bool = False  # detailed CloudWatch metrics (REST only)


# One JSON line per request in every stage's access log: the same field names for both kinds of
# API, each filled from the $context variable that kind of API offers.
_ACCESS_LOG_FIELDS: dict[str, dict[str, str]] = {
    "requestId": {"rest": "$context.requestId", "http": "$context.requestId"},
    "ip": {"rest": "$context.identity.sourceIp", "http": "$context.identity.sourceIp"},
    "route": {"rest": "$context.httpMethod $context.resourcePath", "http": "$context.routeKey"},
    "status": {"rest": "$context.status", "http": "$context.status"},
    "latencyMs": {"rest": "$context.responseLatency", "http": "$context.responseLatency"},
    "integrationStatus": {
        "rest": "$context.integration.status",
        "http": "$context.integrationStatus",
    },
    "error": {"rest": "$context.error.message", "http": "$context.integrationErrorMessage"},
    "apiKeyId": {"rest": "$context.identity.apiKeyId"},
}


def access_log_format(kind: Literal["rest", "http"]) -> str:
    """The access-log format of a REST or an HTTP API stage."""
    fields = {
        name: by_kind[kind] for name, by_kind in _ACCESS_LOG_FIELDS.items() if kind in by_kind
    }
    return json.dumps(fields, separators=(",", ":"))


def check_route_names(routes: Sequence[Route], *, paths: bool) -> None:
    """Two routes, or (REST: one resource per path segment) two paths, whose logical names would
    be the same ("/a-b" and "/a/b") are refused here, before Pulumi refuses the duplicate URN."""
    routes_by_name: dict[str, set[str]] = {}
    paths_by_name: dict[str, set[str]] = {}
    for route in routes:
        routes_by_name.setdefault(route.slug, set()).add(route.key)
        so_far = ""
        for segment in route.path.strip("/").split("/") if paths else []:
            so_far += "/" + segment
            paths_by_name.setdefault(naming.slug("", so_far), set()).add(so_far)
    clashes = [
        " and ".join(sorted(keys))
        for names in (routes_by_name, paths_by_name)
        for keys in names.values()
        if len(keys) > 1
    ]
    if clashes or len({r.key for r in routes}) != len(routes):
        raise ValueError(
            "routes must differ in method or path, and paths not only in '/' against '-': "
            + (", ".join(sorted(clashes)) or "a route is listed twice")
        )
