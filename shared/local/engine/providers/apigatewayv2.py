"""HTTP APIs (API Gateway v2, pulumi-aws's `apigatewayv2` module) on the emulator.

One emulator difference is translated here, and only here: MiniStack appends the request path to
an HTTP_PROXY integration URI and never substitutes `${stageVariables.x}` in it, while AWS calls
the URI as written, stage variables substituted. So the emulator copy of such an integration is
sent to the URI's origin (scheme://host:port) with the URI's path restored through the
`overwrite:path` parameter mapping, which MiniStack does evaluate per stage:
- a fixed URI `http://h:p/v1/invocations` → origin `http://h:p`, path `/v1/invocations`;
- a URI that is one stage variable `${stageVariables.backend}` → path
  `${stageVariables.backend__path}`, a variable this module adds to each emulator stage next to
  `backend`; the origin is the one the stages' values share (an integration has one URI, so on
  the emulator every stage's value of that variable must be on the same scheme, host and port).
The program, the recorded inputs and AWS itself never see any of this.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

from shared.errors import UserError
from shared.local.engine.naming import AutoName
from shared.local.engine.providers.base import (
    Client,
    Context,
    Created,
    Desired,
    Inputs,
    Outputs,
    Provider,
    as_int,
    drop_none,
    provides,
    retag,
)
from shared.local.engine.state import ResourceRecord

PATH_SUFFIX = "__path"
_WHOLE_STAGE_VARIABLE = re.compile(r"^\$\{stageVariables\.(\w+)\}$")
_UNRESOLVED_ORIGIN = "http://127.0.0.1:9"  # discard port: fails fast until a stage says more


def http_invoke_url(ctx: Context, api_id: str, stage: str) -> str:
    """The emulator's address for a stage; on AWS https://{api}.execute-api.{region}.../{stage}."""
    return f"{ctx.endpoint_url}/_aws/execute-api/{api_id}/{stage}"


def _execution_arn(ctx: Context, inputs: Inputs, api_id: str) -> str:
    return f"arn:aws:execute-api:{ctx.region_of(inputs)}:{ctx.account_id}:{api_id}"


def _arn(ctx: Context, inputs: Inputs, path: str) -> str:
    return f"arn:aws:apigateway:{ctx.region_of(inputs)}::{path}"


def _retag(client: Client, arn: str, old: dict | None, new: dict | None) -> None:
    retag(
        old,
        new,
        untag=lambda keys: client.untag_resource(ResourceArn=arn, TagKeys=keys),
        tag=lambda tags: client.tag_resource(ResourceArn=arn, Tags=tags),
    )


@provides
class Api(Provider):
    type_token = "aws:apigatewayv2/api:Api"
    service = "apigatewayv2"
    updatable = frozenset(
        {"name", "description", "corsConfiguration", "tags", "disableExecuteApiEndpoint"}
    )
    auto_name = AutoName("name")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        api = self.client(ctx, i).create_api(
            **drop_none(
                Name=i["name"],
                ProtocolType=i.get("protocolType", "HTTP"),
                Description=i.get("description"),
                RouteSelectionExpression=i.get("routeSelectionExpression"),
                CorsConfiguration=_cors(i.get("corsConfiguration")),
                DisableExecuteApiEndpoint=i.get("disableExecuteApiEndpoint"),
                Tags=i.get("tags"),
            )
        )
        return Created(api["ApiId"], self._outputs(ctx, api["ApiId"], i))

    @staticmethod
    def _outputs(ctx: Context, api_id: str, inputs: Inputs) -> Outputs:
        return {
            "name": inputs["name"],
            "apiEndpoint": f"{ctx.endpoint_url}/_aws/execute-api/{api_id}",
            "executionArn": _execution_arn(ctx, inputs, api_id),
            "arn": _arn(ctx, inputs, f"/apis/{api_id}"),
        }

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        i = want.inputs
        client = self.client(ctx, i)
        client.update_api(
            **drop_none(
                ApiId=have.id,
                Name=i["name"],
                Description=i.get("description"),
                CorsConfiguration=_cors(i.get("corsConfiguration")),
                DisableExecuteApiEndpoint=i.get("disableExecuteApiEndpoint"),
            )
        )
        outputs = self._outputs(ctx, have.id, i)
        _retag(client, outputs["arn"], have.inputs.get("tags"), i.get("tags"))
        return outputs

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_api(ApiId=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).get_api(ApiId=have.id)


def _cors(config: dict | None) -> dict[str, Any] | None:
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
    service = "apigatewayv2"
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

    def create(self, ctx: Context, want: Desired) -> Created:
        client = self.client(ctx, want.inputs)
        integration = client.create_integration(
            ApiId=want.inputs["apiId"], **self._settings(want.inputs)
        )
        _link_stage_variable_origins(client, want.inputs["apiId"])
        return Created(integration["IntegrationId"])

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        client = self.client(ctx, want.inputs)
        client.update_integration(
            ApiId=want.inputs["apiId"], IntegrationId=have.id, **self._settings(want.inputs)
        )
        _link_stage_variable_origins(client, want.inputs["apiId"])
        return {}

    @staticmethod
    def _settings(i: Inputs) -> dict[str, Any]:
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

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_integration(
            ApiId=have.inputs["apiId"], IntegrationId=have.id
        )

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).get_integration(
            ApiId=have.inputs["apiId"], IntegrationId=have.id
        )


def _emulator_target(uri: str) -> tuple[str, str]:
    """(origin the emulator calls, path mapping restoring the URI's path). See module doc."""
    variable = _WHOLE_STAGE_VARIABLE.match(uri)
    if variable:
        return _UNRESOLVED_ORIGIN, f"${{stageVariables.{variable.group(1)}{PATH_SUFFIX}}}"
    url = urlparse(uri)
    return f"{url.scheme}://{url.netloc}", url.path or "/"


def _link_stage_variable_origins(client: Client, api_id: str) -> None:
    """Point each stage-variable integration at the origin its stages' URLs share."""
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
                f"On the local emulator an HTTP_PROXY integration reaches one origin, so every "
                f"stage's {match.group(1)} must be on the same scheme, host and port; found "
                f"{', '.join(sorted(origins))}."
            )
        origin = origins.pop() if origins else _UNRESOLVED_ORIGIN
        if integration.get("IntegrationUri") != origin:
            client.update_integration(
                ApiId=api_id, IntegrationId=integration["IntegrationId"], IntegrationUri=origin
            )


@provides
class Route(Provider):
    type_token = "aws:apigatewayv2/route:Route"
    service = "apigatewayv2"
    updatable = frozenset({"target", "authorizationType", "apiKeyRequired", "authorizerId"})
    identity = ("apiId", "routeKey")

    def create(self, ctx: Context, want: Desired) -> Created:
        route = self.client(ctx, want.inputs).create_route(
            ApiId=want.inputs["apiId"], **self._settings(want.inputs)
        )
        return Created(route["RouteId"])

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        self.client(ctx, want.inputs).update_route(
            ApiId=want.inputs["apiId"], RouteId=have.id, **self._settings(want.inputs)
        )
        return {}

    @staticmethod
    def _settings(i: Inputs) -> dict[str, Any]:
        return drop_none(
            RouteKey=i["routeKey"],
            Target=i.get("target"),
            AuthorizationType=i.get("authorizationType"),
            AuthorizerId=i.get("authorizerId"),
            ApiKeyRequired=i.get("apiKeyRequired"),
        )

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_route(ApiId=have.inputs["apiId"], RouteId=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).get_route(ApiId=have.inputs["apiId"], RouteId=have.id)


@provides
class Stage(Provider):
    type_token = "aws:apigatewayv2/stage:Stage"
    service = "apigatewayv2"
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
    identity = ("apiId", "name")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        client = self.client(ctx, i)
        client.create_stage(
            ApiId=i["apiId"],
            StageName=i["name"],
            **self._settings(i),
            **drop_none(Tags=i.get("tags")),
        )
        _link_stage_variable_origins(client, i["apiId"])
        return Created(i["name"], self._outputs(ctx, i))

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        i = want.inputs
        client = self.client(ctx, i)
        client.update_stage(ApiId=i["apiId"], StageName=i["name"], **self._settings(i))
        _link_stage_variable_origins(client, i["apiId"])
        outputs = self._outputs(ctx, i)
        _retag(client, outputs["arn"], have.inputs.get("tags"), i.get("tags"))
        return outputs

    @staticmethod
    def _outputs(ctx: Context, i: Inputs) -> Outputs:
        return {
            "invokeUrl": http_invoke_url(ctx, i["apiId"], i["name"]),
            "executionArn": f"{_execution_arn(ctx, i, i['apiId'])}/{i['name']}",
            "arn": _arn(ctx, i, f"/apis/{i['apiId']}/stages/{i['name']}"),
        }

    @staticmethod
    def _settings(i: Inputs) -> dict[str, Any]:
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

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_stage(ApiId=have.inputs["apiId"], StageName=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).get_stage(
            ApiId=have.inputs["apiId"], StageName=have.id
        )


def _route_settings(settings: dict | None) -> dict[str, Any] | None:
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
    """Replaced, the new deployment is made before the old one goes (Pulumi's default), since
    stages point at it until they move to the new one."""

    type_token = "aws:apigatewayv2/deployment:Deployment"
    service = "apigatewayv2"
    updatable = frozenset({"description"})

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        deployment = self.client(ctx, i).create_deployment(
            **drop_none(ApiId=i["apiId"], Description=i.get("description"))
        )
        return Created(deployment["DeploymentId"])

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        self.client(ctx, want.inputs).update_deployment(
            ApiId=want.inputs["apiId"],
            DeploymentId=have.id,
            Description=want.inputs.get("description", ""),
        )
        return {}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_deployment(
            ApiId=have.inputs["apiId"], DeploymentId=have.id
        )

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).get_deployment(
            ApiId=have.inputs["apiId"], DeploymentId=have.id
        )
