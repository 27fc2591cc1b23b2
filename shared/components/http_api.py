"""HTTP API (API Gateway v2) pieces: routes as data, auto-deployed stages with access logging,
route throttling and stage variables.

Stages use `auto_deploy=True` and no Deployment resource (the seed set both, which AWS rejects):
every change to routes or integrations is live on every stage at once, while what differs per
stage (which model a version stage calls) lives in stage variables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from shared.components import naming
from shared.components.function import allow_api_gateway
from shared.components.stages import Throttle, access_log_group

ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "ip": "$context.identity.sourceIp",
        "route": "$context.routeKey",
        "status": "$context.status",
        "latencyMs": "$context.responseLatency",
        "integrationStatus": "$context.integrationStatus",
        "error": "$context.integrationErrorMessage",
    },
    separators=(",", ":"),
)


@dataclass(frozen=True)
class HttpTarget:
    """Forward to an HTTP endpoint; `uri` may be a stage variable like `${stageVariables.x}`."""

    uri: pulumi.Input[str]
    method: str = "POST"
    timeout_ms: int = 29_000

    def args(self) -> dict[str, Any]:
        return {
            "integration_type": "HTTP_PROXY",
            "integration_method": self.method,
            "integration_uri": self.uri,
            "timeout_milliseconds": self.timeout_ms,
        }


@dataclass(frozen=True)
class LambdaTarget:
    """Hand the request to a Lambda function (payload format 2.0)."""

    function: aws.lambda_.Function

    def args(self) -> dict[str, Any]:
        return {
            "integration_type": "AWS_PROXY",
            "integration_method": "POST",
            "integration_uri": self.function.invoke_arn,
            "payload_format_version": "2.0",
        }


@dataclass(frozen=True)
class HttpRoute:
    method: str  # GET, POST, ANY
    path: str  # "/predict", "/classify"
    target: HttpTarget | LambdaTarget

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class HttpStage:
    name: str
    throttle: Throttle
    log_retention_days: int
    variables: dict[str, str] = field(default_factory=dict)


class HttpApi:
    """An HTTP API built from routes, published to one or more stages."""

    def __init__(self, part: str, *, description: str) -> None:
        self.part = part
        self.api = aws.apigatewayv2.Api(
            part,
            name=naming.name(part),
            protocol_type="HTTP",
            description=description,
            tags=naming.tags(),
        )
        self.routes: list[aws.apigatewayv2.Route] = []
        self.permissions: list[aws.lambda_.Permission] = []
        self._integrations: dict[int, aws.apigatewayv2.Integration] = {}

    def add(self, route: HttpRoute) -> HttpApi:
        slug = _slug(route)
        integration = self._integration_for(route.target, slug)
        self.routes.append(
            aws.apigatewayv2.Route(
                f"{self.part}-{slug}",
                api_id=self.api.id,
                route_key=route.key,
                target=pulumi.Output.concat("integrations/", integration.id),
            )
        )
        if isinstance(route.target, LambdaTarget):
            # One permission per route, scoped to this API and this method and path only.
            self.permissions.append(
                allow_api_gateway(
                    route.target.function,
                    f"{self.part}-{slug}",
                    self.api.execution_arn,
                    f"/*/{route.method}{route.path}",
                )
            )
        return self

    def stage(
        self, stage: HttpStage, *, depends_on: list[pulumi.Resource] | None = None
    ) -> aws.apigatewayv2.Stage:
        log_group = access_log_group(
            f"{self.part}-{stage.name}-access-logs",
            self.part,
            stage.name,
            stage.log_retention_days,
        )
        return aws.apigatewayv2.Stage(
            f"{self.part}-{stage.name}",
            api_id=self.api.id,
            name=stage.name,
            auto_deploy=True,
            stage_variables=stage.variables or None,
            default_route_settings={
                "throttling_rate_limit": stage.throttle.rate_limit,
                "throttling_burst_limit": stage.throttle.burst_limit,
            },
            access_log_settings={"destination_arn": log_group.arn, "format": ACCESS_LOG_FORMAT},
            tags=naming.tags(),
            # Routes first, and (Lambda targets) their invoke permissions: no 500s at start.
            opts=pulumi.ResourceOptions(
                depends_on=[*self.routes, *self.permissions, *(depends_on or [])]
            ),
        )

    def _integration_for(
        self, target: HttpTarget | LambdaTarget, slug: str
    ) -> aws.apigatewayv2.Integration:
        """One integration per target, shared by the routes that use it."""
        key = id(target.function) if isinstance(target, LambdaTarget) else hash(target)
        if key not in self._integrations:
            self._integrations[key] = aws.apigatewayv2.Integration(
                f"{self.part}-{slug}-integration", api_id=self.api.id, **target.args()
            )
        return self._integrations[key]


def _slug(route: HttpRoute) -> str:
    words = [route.method.lower(), *route.path.replace("{", "").replace("}", "").split("/")]
    return "-".join(w.rstrip("+") for w in words if w) or "root"
