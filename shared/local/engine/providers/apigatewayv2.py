"""HTTP APIs (API Gateway v2) on the emulator.

One emulator difference is translated here, and only here: MiniStack appends the request path to
an HTTP_PROXY integration URI and never substitutes `${stageVariables.x}` in it, while AWS calls
the URI as written, stage variables substituted. So the emulator copy of such an integration is
sent to the URI's origin (scheme://host:port) with the URI's path restored through the
`overwrite:path` parameter mapping, which MiniStack does evaluate per stage:
- a fixed URI `http://h:p/v1/invocations` → origin `http://h:p`, path `/v1/invocations`;
- a URI that is one stage variable `${stageVariables.modelEndpoint}` → path
  `${stageVariables.modelEndpoint__path}`, a variable this module adds to each emulator stage
  next to `modelEndpoint`; the origin is taken from the stages' values, which locally all
  point at the one local model endpoint.
The program, the recorded inputs and AWS itself never see any of this.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

from shared.errors import UserError
from shared.local.engine.providers.base import (
    Context,
    Provider,
    as_int,
    drop_none,
    provides,
)

PATH_SUFFIX = "__path"
_WHOLE_STAGE_VARIABLE = re.compile(r"^\$\{stageVariables\.(\w+)\}$")
_UNRESOLVED_ORIGIN = "http://127.0.0.1:9"  # discard port: fails fast until a stage says more


def http_invoke_url(ctx: Context, api_id: str, stage: str) -> str:
    """The emulator's address for a stage; on AWS https://{api}.execute-api.{region}.../{stage}."""
    return f"{ctx.endpoint_url}/_aws/execute-api/{api_id}/{stage}"


def _execution_arn(ctx: Context, api_id: str) -> str:
    return f"arn:aws:execute-api:{ctx.region}:{ctx.account_id}:{api_id}"


def _client(ctx: Context) -> Any:
    return ctx.client("apigatewayv2")


@provides
class Api(Provider):
    type_token = "aws:apigatewayv2/api:Api"
    updatable = frozenset(
        {"name", "description", "corsConfiguration", "tags", "disableExecuteApiEndpoint"}
    )

    def create(self, ctx, want):
        i = want.inputs
        api = _client(ctx).create_api(
            **drop_none(
                Name=want.physical_name(),
                ProtocolType=i.get("protocolType", "HTTP"),
                Description=i.get("description"),
                RouteSelectionExpression=i.get("routeSelectionExpression"),
                CorsConfiguration=_cors(i.get("corsConfiguration")),
                DisableExecuteApiEndpoint=i.get("disableExecuteApiEndpoint"),
                Tags=i.get("tags"),
            )
        )
        return api["ApiId"], self._outputs(ctx, api["ApiId"], want)

    def _outputs(self, ctx, api_id, want):
        return {
            "name": want.physical_name(),
            "apiEndpoint": f"{ctx.endpoint_url}/_aws/execute-api/{api_id}",
            "executionArn": _execution_arn(ctx, api_id),
            "arn": f"arn:aws:apigateway:{ctx.region}::/apis/{api_id}",
        }

    def update(self, ctx, have, want):
        i = want.inputs
        _client(ctx).update_api(
            **drop_none(
                ApiId=have.id,
                Name=want.physical_name(),
                Description=i.get("description"),
                CorsConfiguration=_cors(i.get("corsConfiguration")),
                DisableExecuteApiEndpoint=i.get("disableExecuteApiEndpoint"),
            )
        )
        if i.get("tags"):
            _client(ctx).tag_resource(
                ResourceArn=self._outputs(ctx, have.id, want)["arn"], Tags=i["tags"]
            )
        return self._outputs(ctx, have.id, want)

    def delete(self, ctx, have):
        _client(ctx).delete_api(ApiId=have.id)

    def read(self, ctx, have):
        return _client(ctx).get_api(ApiId=have.id)


def _cors(config: dict | None) -> dict | None:
    if not config:
        return None
    names = {
        "allowCredentials": "AllowCredentials",
        "allowHeaders": "AllowHeaders",
        "allowMethods": "AllowMethods",
        "allowOrigins": "AllowOrigins",
        "exposeHeaders": "ExposeHeaders",
        "maxAge": "MaxAge",
    }
    return {names[k]: (as_int(v) if k == "maxAge" else v) for k, v in config.items() if k in names}


@provides
class Integration(Provider):
    type_token = "aws:apigatewayv2/integration:Integration"
    updatable = frozenset(
        {
            "integrationUri",
            "integrationMethod",
            "payloadFormatVersion",
            "requestParameters",
            "timeoutMilliseconds",
            "description",
        }
    )

    def create(self, ctx, want):
        integration = _client(ctx).create_integration(
            ApiId=want.inputs["apiId"], **self._settings(want.inputs)
        )
        _link_stage_variable_origins(ctx, want.inputs["apiId"])
        return integration["IntegrationId"], {}

    def update(self, ctx, have, want):
        _client(ctx).update_integration(
            ApiId=want.inputs["apiId"], IntegrationId=have.id, **self._settings(want.inputs)
        )
        _link_stage_variable_origins(ctx, want.inputs["apiId"])
        return {}

    @staticmethod
    def _settings(i: dict[str, Any]) -> dict[str, Any]:
        uri, parameters = i.get("integrationUri"), dict(i.get("requestParameters") or {})
        if i["integrationType"] == "HTTP_PROXY" and uri:
            uri, path = _emulator_target(uri)
            parameters.setdefault("overwrite:path", path)
        return drop_none(
            IntegrationType=i["integrationType"],
            IntegrationUri=uri,
            IntegrationMethod=i.get("integrationMethod"),
            PayloadFormatVersion=i.get("payloadFormatVersion"),
            RequestParameters=parameters or None,
            TimeoutInMillis=as_int(i.get("timeoutMilliseconds")),
            Description=i.get("description"),
            ConnectionType=i.get("connectionType"),
        )

    def delete(self, ctx, have):
        _client(ctx).delete_integration(ApiId=have.inputs["apiId"], IntegrationId=have.id)

    def read(self, ctx, have):
        return _client(ctx).get_integration(ApiId=have.inputs["apiId"], IntegrationId=have.id)


def _emulator_target(uri: str) -> tuple[str, str]:
    """(origin the emulator calls, path mapping restoring the URI's path). See module doc."""
    variable = _WHOLE_STAGE_VARIABLE.match(uri)
    if variable:
        return _UNRESOLVED_ORIGIN, f"${{stageVariables.{variable.group(1)}{PATH_SUFFIX}}}"
    url = urlparse(uri)
    return f"{url.scheme}://{url.netloc}", url.path or "/"


def _link_stage_variable_origins(ctx: Context, api_id: str) -> None:
    """Point each stage-variable integration at the origin its stages' URLs share."""
    client = _client(ctx)
    stages = client.get_stages(ApiId=api_id).get("Items", [])
    for integration in client.get_integrations(ApiId=api_id).get("Items", []):
        mapped = (integration.get("RequestParameters") or {}).get("overwrite:path", "")
        match = re.fullmatch(r"\$\{stageVariables\.(\w+)" + PATH_SUFFIX + r"\}", mapped)
        if not match:
            continue
        origins = {
            f"{url.scheme}://{url.netloc}"
            for stage in stages
            if (value := (stage.get("StageVariables") or {}).get(match.group(1)))
            and (url := urlparse(value)).netloc
        }
        if len(origins) > 1:
            raise UserError(
                f"Locally, every stage's {match.group(1)} must be on one host (the local model "
                f"endpoint); found {', '.join(sorted(origins))}."
            )
        origin = origins.pop() if origins else _UNRESOLVED_ORIGIN
        if integration.get("IntegrationUri") != origin:
            client.update_integration(
                ApiId=api_id, IntegrationId=integration["IntegrationId"], IntegrationUri=origin
            )


@provides
class Route(Provider):
    type_token = "aws:apigatewayv2/route:Route"
    updatable = frozenset({"target", "authorizationType", "apiKeyRequired", "authorizerId"})

    def create(self, ctx, want):
        route = _client(ctx).create_route(ApiId=want.inputs["apiId"], **self._settings(want))
        return route["RouteId"], {}

    def update(self, ctx, have, want):
        _client(ctx).update_route(
            ApiId=want.inputs["apiId"], RouteId=have.id, **self._settings(want)
        )
        return {}

    @staticmethod
    def _settings(want):
        i = want.inputs
        return drop_none(
            RouteKey=i["routeKey"],
            Target=i.get("target"),
            AuthorizationType=i.get("authorizationType"),
            AuthorizerId=i.get("authorizerId"),
            ApiKeyRequired=i.get("apiKeyRequired"),
        )

    def delete(self, ctx, have):
        _client(ctx).delete_route(ApiId=have.inputs["apiId"], RouteId=have.id)

    def read(self, ctx, have):
        return _client(ctx).get_route(ApiId=have.inputs["apiId"], RouteId=have.id)


@provides
class Stage(Provider):
    type_token = "aws:apigatewayv2/stage:Stage"
    updatable = frozenset(
        {
            "autoDeploy",
            "deploymentId",
            "stageVariables",
            "defaultRouteSettings",
            "routeSettings",
            "accessLogSettings",
            "description",
            "tags",
        }
    )

    def create(self, ctx, want):
        i = want.inputs
        _client(ctx).create_stage(
            ApiId=i["apiId"],
            StageName=i["name"],
            **self._settings(i),
            **drop_none(Tags=i.get("tags")),
        )
        _link_stage_variable_origins(ctx, i["apiId"])
        return i["name"], self._outputs(ctx, i)

    def update(self, ctx, have, want):
        i = want.inputs
        _client(ctx).update_stage(ApiId=i["apiId"], StageName=i["name"], **self._settings(i))
        _link_stage_variable_origins(ctx, i["apiId"])
        return self._outputs(ctx, i)

    @staticmethod
    def _outputs(ctx, i):
        return {
            "invokeUrl": http_invoke_url(ctx, i["apiId"], i["name"]),
            "executionArn": f"{_execution_arn(ctx, i['apiId'])}/{i['name']}",
            "arn": f"arn:aws:apigateway:{ctx.region}::/apis/{i['apiId']}/stages/{i['name']}",
        }

    @staticmethod
    def _settings(i: dict[str, Any]) -> dict[str, Any]:
        variables = dict(i.get("stageVariables") or {})
        for name, value in list(variables.items()):
            if urlparse(str(value)).netloc:  # the path half of a URL variable; see module doc
                variables[name + PATH_SUFFIX] = urlparse(str(value)).path or "/"
        log = i.get("accessLogSettings")
        return drop_none(
            AutoDeploy=i.get("autoDeploy"),
            DeploymentId=i.get("deploymentId"),
            Description=i.get("description"),
            StageVariables=variables or None,
            DefaultRouteSettings=_route_settings(i.get("defaultRouteSettings")),
            RouteSettings={s["routeKey"]: _route_settings(s) for s in i.get("routeSettings") or []}
            or None,
            AccessLogSettings=(
                {"DestinationArn": log["destinationArn"], "Format": log["format"]} if log else None
            ),
        )

    def delete(self, ctx, have):
        _client(ctx).delete_stage(ApiId=have.inputs["apiId"], StageName=have.id)

    def read(self, ctx, have):
        return _client(ctx).get_stage(ApiId=have.inputs["apiId"], StageName=have.id)


def _route_settings(settings: dict | None) -> dict | None:
    if not settings:
        return None
    return drop_none(
        ThrottlingBurstLimit=as_int(settings.get("throttlingBurstLimit")),
        ThrottlingRateLimit=settings.get("throttlingRateLimit"),
        DetailedMetricsEnabled=settings.get("detailedMetricsEnabled"),
        LoggingLevel=settings.get("loggingLevel"),
        DataTraceEnabled=settings.get("dataTraceEnabled"),
    )


@provides
class Deployment(Provider):
    type_token = "aws:apigatewayv2/deployment:Deployment"
    updatable = frozenset({"description"})
    create_before_delete = True

    def create(self, ctx, want):
        i = want.inputs
        deployment = _client(ctx).create_deployment(
            **drop_none(ApiId=i["apiId"], Description=i.get("description"))
        )
        return deployment["DeploymentId"], {}

    def update(self, ctx, have, want):
        _client(ctx).update_deployment(
            ApiId=want.inputs["apiId"],
            DeploymentId=have.id,
            Description=want.inputs.get("description", ""),
        )
        return {}

    def delete(self, ctx, have):
        _client(ctx).delete_deployment(ApiId=have.inputs["apiId"], DeploymentId=have.id)

    def read(self, ctx, have):
        return _client(ctx).get_deployment(ApiId=have.inputs["apiId"], DeploymentId=have.id)
