"""REST API (API Gateway v1) pieces: routes as data, a deployment that follows every change,
and stages with access logging, throttling and tracing.

Fixes built in (see the seeds' defects): the Deployment depends on every method and integration
and is redeployed through `triggers` whenever anything that defines the API changes; stages are
explicit `Stage` resources (pulumi-aws 7 removed `Deployment.stage_name`); usage plans reference
the Stage's output so they are created after it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from shared.components import naming
from shared.components.function import allow_api_gateway
from shared.components.stages import Throttle, access_log_group

# One JSON line per request in the access log; field names follow API Gateway's $context.
ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "ip": "$context.identity.sourceIp",
        "apiKeyId": "$context.identity.apiKeyId",
        "method": "$context.httpMethod",
        "path": "$context.resourcePath",
        "status": "$context.status",
        "latencyMs": "$context.responseLatency",
        "integrationStatus": "$context.integration.status",
        "error": "$context.error.message",
    },
    separators=(",", ":"),
)


@dataclass(frozen=True)
class Quota:
    limit: int
    period: str  # DAY, WEEK or MONTH


@dataclass(frozen=True)
class StageSettings:
    name: str
    throttle: Throttle
    log_retention_days: int
    tracing: bool = False
    logging_level: str = "OFF"  # execution logs: OFF, ERROR or INFO
    metrics: bool = False
    variables: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HttpProxy:
    """Forward the request as is to an HTTP endpoint (a model server)."""

    uri: pulumi.Input[str]
    method: str = "POST"
    timeout_ms: int = 29_000

    def args(self) -> dict[str, Any]:
        return {
            "type": "HTTP_PROXY",
            "integration_http_method": self.method,
            "uri": self.uri,
            "timeout_milliseconds": self.timeout_ms,
        }


@dataclass(frozen=True)
class LambdaProxy:
    """Hand the whole request to a Lambda function (AWS_PROXY); the route gets its permission."""

    function: aws.lambda_.Function

    def args(self) -> dict[str, Any]:
        return {
            "type": "AWS_PROXY",
            "integration_http_method": "POST",
            "uri": self.function.invoke_arn,
        }


@dataclass(frozen=True)
class Route:
    method: str  # GET, POST, ANY...
    path: str  # "/predict", "/ai-service/{proxy+}"
    integration: HttpProxy | LambdaProxy
    api_key_required: bool = False
    body_schema: dict[str, Any] | None = None  # JSON schema; a body that fails it gets 400


class RestApi:
    """A REST API built from routes; `deploy` publishes it to a stage."""

    def __init__(
        self,
        part: str,
        *,
        description: str,
        endpoint_type: str = "REGIONAL",
        region: str | None = None,
    ) -> None:
        self.part = part
        self.region = region
        self.api = aws.apigateway.RestApi(
            part,
            name=naming.name(part),
            description=description,
            endpoint_configuration={"types": endpoint_type},
            tags=naming.tags(),
            **self._placed,
        )
        self._resources: dict[str, aws.apigateway.Resource] = {}
        self._definition: list[Any] = []  # everything that must trigger a redeployment
        self._members: list[pulumi.Resource] = []
        self._body_validator: aws.apigateway.RequestValidator | None = None

    def add(self, route: Route) -> RestApi:
        resource_id = self._resource_id(route.path)
        slug = _slug(route.method, route.path)
        models, validator_id = None, None
        if route.body_schema is not None:
            model = aws.apigateway.Model(
                f"{self.part}-{slug}-model",
                rest_api=self.api.id,
                name=_model_name(slug),
                content_type="application/json",
                schema=json.dumps(route.body_schema, sort_keys=True),
                **self._placed,
            )
            models, validator_id = {"application/json": model.name}, self._validator().id
            self._members.append(model)
        method = aws.apigateway.Method(
            f"{self.part}-{slug}",
            rest_api=self.api.id,
            resource_id=resource_id,
            http_method=route.method,
            authorization="NONE",
            api_key_required=route.api_key_required,
            request_models=models,
            request_validator_id=validator_id,
            **self._placed,
        )
        integration = aws.apigateway.Integration(
            f"{self.part}-{slug}-integration",
            rest_api=self.api.id,
            resource_id=resource_id,
            http_method=method.http_method,
            **route.integration.args(),
            **self._placed,
        )
        self._members += [method, integration]
        if isinstance(route.integration, LambdaProxy):
            # Scoped to this API, method and path; the deployment waits for it (no 500s).
            self._members.append(
                allow_api_gateway(
                    route.integration.function,
                    f"{self.part}-{slug}",
                    self.api.execution_arn,
                    f"/*/{route.method}{route.path}",
                    region=self.region,
                )
            )
        self._definition.append(
            [
                route.method,
                route.path,
                route.api_key_required,
                route.body_schema,
                route.integration.args(),
            ]
        )
        return self

    def deploy(self, stage: StageSettings) -> aws.apigateway.Stage:
        """Deployment (redeployed on any change) and a stage with logging, throttling, tracing."""
        trigger = pulumi.Output.json_dumps(self._definition).apply(
            lambda text: hashlib.sha256(text.encode()).hexdigest()
        )
        deployment = aws.apigateway.Deployment(
            f"{self.part}-deployment",
            rest_api=self.api.id,
            description=f"{naming.name(self.part)} routes",
            triggers={"redeployment": trigger},
            opts=pulumi.ResourceOptions(depends_on=self._members),
            **self._placed,
        )
        log_group = access_log_group(
            f"{self.part}-access-logs",
            self.part,
            stage.name,
            stage.log_retention_days,
            region=self.region,
        )
        published = aws.apigateway.Stage(
            f"{self.part}-stage",
            rest_api=self.api.id,
            deployment=deployment.id,
            stage_name=stage.name,
            variables=stage.variables or None,
            xray_tracing_enabled=stage.tracing,
            access_log_settings={
                "destination_arn": log_group.arn,
                "format": ACCESS_LOG_FORMAT,
            },
            tags=naming.tags(),
            **self._placed,
        )
        aws.apigateway.MethodSettings(
            f"{self.part}-method-settings",
            rest_api=self.api.id,
            stage_name=published.stage_name,
            method_path="*/*",
            settings={
                "throttling_rate_limit": stage.throttle.rate_limit,
                "throttling_burst_limit": stage.throttle.burst_limit,
                "logging_level": stage.logging_level,
                "metrics_enabled": stage.metrics,
            },
            **self._placed,
        )
        return published

    @property
    def _placed(self) -> dict[str, str]:
        return naming.placed(self.region)

    def _validator(self) -> aws.apigateway.RequestValidator:
        if self._body_validator is None:
            self._body_validator = aws.apigateway.RequestValidator(
                f"{self.part}-body-validator",
                rest_api=self.api.id,
                name="validate-body",
                validate_request_body=True,
                validate_request_parameters=False,
                **self._placed,
            )
            self._members.append(self._body_validator)
        return self._body_validator

    def _resource_id(self, path: str) -> pulumi.Output[str]:
        """The id of the resource at `path`, creating each missing segment once."""
        parent: pulumi.Input[str] = self.api.root_resource_id
        so_far = ""
        for segment in path.strip("/").split("/"):
            so_far += "/" + segment
            if so_far not in self._resources:
                resource = aws.apigateway.Resource(
                    f"{self.part}-{_slug('', so_far)}",
                    rest_api=self.api.id,
                    parent_id=parent,
                    path_part=segment,
                    **self._placed,
                )
                self._resources[so_far] = resource
                self._members.append(resource)
            parent = self._resources[so_far].id
        return parent


def usage_plan(
    api: RestApi, stage: aws.apigateway.Stage, *, throttle: Throttle, quota: Quota
) -> aws.apigateway.ApiKey:
    """An API key subscribed to a usage plan that throttles and caps the stage."""
    key = aws.apigateway.ApiKey(
        f"{api.part}-key", name=naming.name(f"{api.part}-key"), enabled=True, tags=naming.tags()
    )
    plan = aws.apigateway.UsagePlan(
        f"{api.part}-usage-plan",
        name=naming.name(f"{api.part}-plan"),
        api_stages=[{"api_id": api.api.id, "stage": stage.stage_name}],
        throttle_settings={"rate_limit": throttle.rate_limit, "burst_limit": throttle.burst_limit},
        quota_settings={"limit": quota.limit, "period": quota.period},
        tags=naming.tags(),
    )
    aws.apigateway.UsagePlanKey(
        f"{api.part}-usage-plan-key", key_id=key.id, key_type="API_KEY", usage_plan_id=plan.id
    )
    return key


def _slug(method: str, path: str) -> str:
    """A name fragment for a route: ("POST", "/ai/{proxy+}") -> "post-ai-proxy"."""
    words = [method.lower()] + [
        w for w in path.replace("{", "").replace("+}", "").replace("}", "").split("/") if w
    ]
    return "-".join(w for w in words if w) or "root"


def _model_name(slug: str) -> str:
    # Model names must be alphanumeric.
    return "".join(part.capitalize() for part in slug.split("-")) + "Body"
