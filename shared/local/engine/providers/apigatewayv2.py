"""HTTP APIs (API Gateway v2, pulumi-aws's `apigatewayv2` module) on the emulator.

One emulator difference is translated here, and only here: MiniStack appends the request path to
an HTTP_PROXY integration URI and never substitutes `${stageVariables.x}` in it, while AWS calls
the URI as written, stage variables substituted. So the emulator copy of such an integration is
sent to the URI's origin (scheme://host:port) with the URI's path restored through the
`overwrite:path` parameter mapping, which MiniStack does evaluate per stage:
- a fixed URI `http://h:p/v1/invocations` → origin `http://h:p`, path `/v1/invocations`;
- a URI that is one stage variable after a literal scheme, `http://${stageVariables.backend}`
  (the form AWS documents; the variable holds `host:port/path`), or the whole variable
  `${stageVariables.backend}` (a full URL) → path `${stageVariables.backend__path}`, a variable
  this module adds to each emulator stage next to `backend`; the origin is the one the stages'
  values share (an integration has one URI, so on the emulator every stage's value of that
  variable must be on the same scheme, host and port).
The program, the recorded inputs and AWS itself never see any of this (`read` turns the
emulator copy back into the program's URI).

MiniStack 1.5.33 also has neither ImportApi nor ReimportApi ("Unknown API Gateway path"), and its
CreateApi ignores quick create's `Target` and `RouteKey`. The Api provider makes the AWS calls
(CreateApi with quick create's settings, then ReimportApi with the `body`, as pulumi-aws does)
and, only when the emulator answers that way, does what AWS would have done with ordinary
calls: quick create gets its integration (AWS_PROXY, payload 2.0, for a Lambda ARN; HTTP_PROXY
for a URL), its route (`$default` unless `routeKey` says otherwise) and its auto-deployed
`$default` stage; a body gets a route and an integration per operation and its
`x-amazon-apigateway-cors`. Authorizers, `security` and other `x-amazon-apigateway-*`
extensions in a body are refused by name (see openapi_http.py).
Not applied, so left out of `inputs` (a program setting them is refused): integrations'
`credentialsArn` and quick create's (the emulator keeps no integration credentials and does not
enforce IAM), `integrationSubtype` (no AWS service integrations), `tlsConfig`, WebSocket
templates and route/request models.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

from botocore.exceptions import ClientError

from shared.errors import UserError
from shared.local.engine.live import live_inputs, only_keys
from shared.local.engine.naming import AutoName
from shared.local.engine.openapi import parse_openapi
from shared.local.engine.openapi_http import HttpApiImport
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
)
from shared.local.engine.state import ResourceRecord
from shared.local.engine.tagging import API_GATEWAY_V2

PATH_SUFFIX = "__path"
# `${stageVariables.x}` or `<scheme>://${stageVariables.x}`: groups scheme (or None), name.
_WHOLE_STAGE_VARIABLE = re.compile(r"^(?:(https?)://)?\$\{stageVariables\.(\w+)\}$")
# A stage variable value that is a URL without its scheme: host[:port][/path].
_SCHEMELESS_URL = re.compile(r"^[A-Za-z0-9.-]+(:\d+)?(/|$)")
_UNRESOLVED_ORIGIN = "http://127.0.0.1:9"  # discard port: fails fast until a stage says more
ROUTE = "aws:apigatewayv2/route:Route"
INTEGRATION = "aws:apigatewayv2/integration:Integration"
AUTHORIZER = "aws:apigatewayv2/authorizer:Authorizer"
QUICK_STAGE = "$default"


def http_invoke_url(ctx: Context, api_id: str, stage: str) -> str:
    """The emulator's address for a stage; on AWS https://{api}.execute-api.{region}.../{stage}."""
    return f"{ctx.endpoint_url}/_aws/execute-api/{api_id}/{stage}"


def _execution_arn(ctx: Context, inputs: Inputs, api_id: str) -> str:
    return f"arn:aws:execute-api:{ctx.region_of(inputs)}:{ctx.account_id}:{api_id}"


def _arn(ctx: Context, inputs: Inputs, path: str) -> str:
    return f"arn:aws:apigateway:{ctx.region_of(inputs)}::{path}"


def _unsupported(error: ClientError) -> bool:
    """The emulator's answer to an API Gateway v2 call it does not implement."""
    return error.response.get("Error", {}).get("Message", "").startswith("Unknown API Gateway path")


@provides
class Api(Provider):
    type_token = "aws:apigatewayv2/api:Api"
    service = "apigatewayv2"
    inputs = frozenset(
        {
            "name",
            "protocolType",
            "description",
            "routeSelectionExpression",
            "apiKeySelectionExpression",
            "corsConfiguration",
            "disableExecuteApiEndpoint",
            "version",
            "body",
            "failOnWarnings",
            "target",
            "routeKey",
            "tags",
            "region",
        }
    )
    outputs = frozenset({"apiEndpoint", "executionArn", "arn"})
    # Quick create's target and route key make the API's first route: changed, AWS (and
    # pulumi-aws) make a new API.
    updatable = frozenset(
        {
            "name",
            "description",
            "corsConfiguration",
            "tags",
            "disableExecuteApiEndpoint",
            "version",
            "routeSelectionExpression",
            "apiKeySelectionExpression",
            "body",
            "failOnWarnings",
        }
    )
    auto_name = AutoName("name")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        client = self.client(ctx, i)
        api = client.create_api(
            **drop_none(
                Name=i["name"],
                ProtocolType=i.get("protocolType", "HTTP"),
                Description=i.get("description"),
                RouteSelectionExpression=i.get("routeSelectionExpression"),
                ApiKeySelectionExpression=i.get("apiKeySelectionExpression"),
                CorsConfiguration=_cors(i.get("corsConfiguration")),
                DisableExecuteApiEndpoint=i.get("disableExecuteApiEndpoint"),
                Version=i.get("version"),
                Target=i.get("target"),
                RouteKey=i.get("routeKey"),
                Tags=i.get("tags"),
            )
        )
        try:
            if i.get("target") and not client.get_routes(ApiId=api["ApiId"]).get("Items"):
                _quick_create(client, api["ApiId"], i)  # the emulator ignored Target
            if i.get("body") is not None:
                _reimport(client, api["ApiId"], i)
        except BaseException:
            client.delete_api(ApiId=api["ApiId"])  # nothing half-made left behind
            raise
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
        if i.get("body") is not None and i.get("body") != have.inputs.get("body"):
            _reimport(client, have.id, i)
        else:
            _update_settings(client, have.id, i)
        if have.inputs.get("corsConfiguration") and not i.get("corsConfiguration"):
            client.delete_cors_configuration(ApiId=have.id)  # UpdateApi cannot clear it
        outputs = self._outputs(ctx, have.id, i)
        API_GATEWAY_V2.retag(client, outputs["arn"], have.inputs.get("tags"), i.get("tags"))
        return outputs

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_api(ApiId=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        i = have.inputs
        client = self.client(ctx, i)
        api = client.get_api(ApiId=have.id)
        live = {
            "name": api.get("Name"),
            "protocolType": api.get("ProtocolType"),
            "description": api.get("Description") or None,
            "routeSelectionExpression": api.get("RouteSelectionExpression"),
            "apiKeySelectionExpression": api.get("ApiKeySelectionExpression"),
            "corsConfiguration": only_keys(
                _program_cors(api.get("CorsConfiguration")), i.get("corsConfiguration")
            ),
            "disableExecuteApiEndpoint": bool(api.get("DisableExecuteApiEndpoint")),
            "version": api.get("Version") or None,
            "tags": API_GATEWAY_V2.read(client, _arn(ctx, i, f"/apis/{have.id}")),
        }
        defaults: Inputs = {
            "description": None,
            "corsConfiguration": None,
            "disableExecuteApiEndpoint": False,
            "version": None,
            "tags": {},
        }
        return live_inputs(have.inputs, live, defaults)

    def find(self, ctx: Context, want: Desired) -> str | None:
        apis = self.client(ctx, want.inputs).get_apis(MaxResults="500").get("Items", [])
        found = next((a for a in apis if a.get("Name") == want.inputs["name"]), None)
        return found["ApiId"] if found else None


def _update_settings(client: Client, api_id: str, i: Inputs) -> None:
    client.update_api(
        **drop_none(
            ApiId=api_id,
            Name=i["name"],
            Description=i.get("description"),
            RouteSelectionExpression=i.get("routeSelectionExpression"),
            ApiKeySelectionExpression=i.get("apiKeySelectionExpression"),
            CorsConfiguration=_cors(i.get("corsConfiguration")),
            DisableExecuteApiEndpoint=i.get("disableExecuteApiEndpoint"),
            Version=i.get("version"),
        )
    )


def _quick_create(client: Client, api_id: str, i: Inputs) -> None:
    """What CreateApi's quick create makes on AWS: an integration to the target, a route to it
    and the auto-deployed `$default` stage."""
    target = i["target"]
    if target.startswith("arn:"):
        settings = {
            "integrationType": "AWS_PROXY",
            "integrationUri": target,
            "integrationMethod": "POST",
            "payloadFormatVersion": "2.0",
        }
    else:
        settings = {
            "integrationType": "HTTP_PROXY",
            "integrationUri": target,
            "integrationMethod": "ANY",
            "payloadFormatVersion": "1.0",
        }
    integration = client.create_integration(ApiId=api_id, **Integration.settings(settings))
    client.create_route(
        ApiId=api_id,
        RouteKey=i.get("routeKey") or "$default",
        Target=f"integrations/{integration['IntegrationId']}",
    )
    client.create_stage(ApiId=api_id, StageName=QUICK_STAGE, AutoDeploy=True)


def _reimport(client: Client, api_id: str, i: Inputs) -> None:
    """ReimportApi as pulumi-aws calls it, else the same made of ordinary calls; then the
    program's settings win over the document's (a reimport takes its title as the name)."""
    try:
        client.reimport_api(
            ApiId=api_id, Body=i["body"], FailOnWarnings=bool(i.get("failOnWarnings"))
        )
    except ClientError as error:
        if not _unsupported(error):
            raise
        _import(client, api_id, HttpApiImport(parse_openapi(i["body"], "HTTP API")))
    _update_settings(client, api_id, i)


_CORS_KEYS = {
    "allowCredentials": "AllowCredentials",
    "allowHeaders": "AllowHeaders",
    "allowMethods": "AllowMethods",
    "allowOrigins": "AllowOrigins",
    "exposeHeaders": "ExposeHeaders",
    "maxAge": "MaxAge",
}


def _import(client: Client, api_id: str, document: HttpApiImport) -> None:
    """What ReimportApi does on AWS, for the emulator that lacks it: the API's routes and
    integrations replaced by the document's (see openapi_http.py), each integration made as the
    Integration provider makes one."""
    for route in client.get_routes(ApiId=api_id).get("Items", []):
        client.delete_route(ApiId=api_id, RouteId=route["RouteId"])
    for integration in client.get_integrations(ApiId=api_id).get("Items", []):
        client.delete_integration(ApiId=api_id, IntegrationId=integration["IntegrationId"])
    if document.cors:
        client.update_api(ApiId=api_id, CorsConfiguration=_cors(document.cors))
    for route in document.routes():
        target = None
        if route.integration:
            made = client.create_integration(
                ApiId=api_id, **Integration.settings(route.integration)
            )
            target = f"integrations/{made['IntegrationId']}"
        client.create_route(
            ApiId=api_id,
            RouteKey=route.route_key,
            **drop_none(Target=target, OperationName=route.operation_name),
        )
    _link_stage_variable_origins(client, api_id)


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
    unknown = sorted(set(config) - set(names))
    if unknown:
        raise UserError(
            f"CORS configuration: the local engine does not apply {', '.join(unknown)}."
        )
    return {names[k]: (as_int(v) if k == "maxAge" else v) for k, v in config.items()}


def _program_cors(config: dict | None) -> dict[str, Any] | None:
    """A live CORS configuration keyed as the program's."""
    if not config:
        return None
    return {k: config[aws] for k, aws in _CORS_KEYS.items() if aws in config}


@provides
class Integration(Provider):
    """An integration has no name: `find` cannot tell the one an interrupted run made from an
    identical one, so it finds none (an orphan goes with its API)."""

    type_token = INTEGRATION
    service = "apigatewayv2"
    inputs = frozenset(
        {
            "apiId",
            "integrationType",
            "integrationUri",
            "integrationMethod",
            "payloadFormatVersion",
            "requestParameters",
            "timeoutMilliseconds",
            "description",
            "connectionType",
            "region",
        }
    )
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
            ApiId=want.inputs["apiId"], **self.settings(want.inputs)
        )
        try:
            _link_stage_variable_origins(client, want.inputs["apiId"])
        except BaseException:
            client.delete_integration(
                ApiId=want.inputs["apiId"], IntegrationId=integration["IntegrationId"]
            )
            raise
        return Created(integration["IntegrationId"])

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        client = self.client(ctx, want.inputs)
        client.update_integration(
            ApiId=want.inputs["apiId"], IntegrationId=have.id, **self.settings(want.inputs)
        )
        _link_stage_variable_origins(client, want.inputs["apiId"])
        return {}

    @staticmethod
    def settings(i: Inputs) -> dict[str, Any]:
        """CreateIntegration's parameters for the program's inputs, the emulator's copy of an
        HTTP_PROXY URI included (see the module doc)."""
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

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        i = have.inputs
        found = self.client(ctx, i).get_integration(ApiId=i["apiId"], IntegrationId=have.id)
        uri, parameters = _program_target(found, i)
        timeout = found.get("TimeoutInMillis")
        live = {
            "integrationType": found.get("IntegrationType"),
            "integrationUri": uri,
            "integrationMethod": found.get("IntegrationMethod"),
            "payloadFormatVersion": found.get("PayloadFormatVersion"),
            "requestParameters": parameters,
            "timeoutMilliseconds": None if timeout is None else int(timeout),
            "description": found.get("Description") or None,
            "connectionType": found.get("ConnectionType"),
        }
        defaults: Inputs = {"requestParameters": {}, "description": None}
        return live_inputs(have.inputs, live, defaults)


def _program_target(found: dict[str, Any], recorded: Inputs) -> tuple[Any, dict[str, str]]:
    """The integration URI and parameters as the program wrote them, from the emulator's copy
    (origin + an `overwrite:path` mapping the program did not write; see the module doc)."""
    uri = found.get("IntegrationUri") or None
    parameters = dict(found.get("RequestParameters") or {})
    if found.get("IntegrationType") != "HTTP_PROXY" or "overwrite:path" in (
        recorded.get("requestParameters") or {}
    ):
        return uri, parameters
    path = parameters.pop("overwrite:path", None)
    if path is None:
        return uri, parameters
    variable = re.fullmatch(r"\$\{stageVariables\.(\w+)" + PATH_SUFFIX + r"\}", path)
    if variable:
        written = _WHOLE_STAGE_VARIABLE.match(str(recorded.get("integrationUri") or ""))
        scheme = f"{urlparse(uri or '').scheme}://" if written and written.group(1) else ""
        return f"{scheme}${{stageVariables.{variable.group(1)}}}", parameters
    recorded_uri = recorded.get("integrationUri")
    if isinstance(recorded_uri, str) and urlparse(recorded_uri).path in ("", "/") and path == "/":
        path = urlparse(recorded_uri).path  # http://h:p and http://h:p/ are the same target
    return f"{uri}{path}", parameters


def _emulator_target(uri: str) -> tuple[str, str]:
    """(origin the emulator calls, path mapping restoring the URI's path). See module doc."""
    variable = _WHOLE_STAGE_VARIABLE.match(uri)
    if variable:
        scheme, name = variable.groups()
        origin = _UNRESOLVED_ORIGIN.replace("http", scheme, 1) if scheme else _UNRESOLVED_ORIGIN
        return origin, f"${{stageVariables.{name}{PATH_SUFFIX}}}"
    url = urlparse(uri)
    return f"{url.scheme}://{url.netloc}", url.path or "/"


def _as_url(value: str, scheme: str) -> Any:
    """A stage variable's value parsed as a URL, `scheme` given to a scheme-less one."""
    url = urlparse(value)
    if not url.netloc and _SCHEMELESS_URL.match(value):
        url = urlparse(f"{scheme}://{value}")
    return url


def _link_stage_variable_origins(client: Client, api_id: str) -> None:
    """Point each stage-variable integration at the origin its stages' URLs share."""
    stages = client.get_stages(ApiId=api_id).get("Items", [])
    for integration in client.get_integrations(ApiId=api_id).get("Items", []):
        mapped = (integration.get("RequestParameters") or {}).get("overwrite:path", "")
        match = re.fullmatch(r"\$\{stageVariables\.(\w+)" + PATH_SUFFIX + r"\}", mapped)
        if not match:
            continue
        # A scheme-less value takes the scheme the integration URI writes (module doc).
        scheme = urlparse(integration.get("IntegrationUri") or _UNRESOLVED_ORIGIN).scheme
        origins = {
            f"{url.scheme}://{url.netloc}"
            for stage in stages
            if (value := (stage.get("StageVariables") or {}).get(match.group(1)))
            and (url := _as_url(value, scheme)).netloc
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
    type_token = ROUTE
    service = "apigatewayv2"
    inputs = frozenset(
        {
            "apiId",
            "routeKey",
            "target",
            "authorizationType",
            "authorizerId",
            "authorizationScopes",
            "apiKeyRequired",
            "operationName",
            "region",
        }
    )
    updatable = frozenset(
        {
            "target",
            "authorizationType",
            "apiKeyRequired",
            "authorizerId",
            "authorizationScopes",
            "operationName",
        }
    )
    identity = ("apiId", "routeKey")
    # A route names its authorizer by id; AWS refuses an authorizer it does not know yet.
    after = {AUTHORIZER: ("apiId",)}

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
            AuthorizationScopes=i.get("authorizationScopes"),
            OperationName=i.get("operationName"),
        )

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_route(ApiId=have.inputs["apiId"], RouteId=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        route = self.client(ctx, have.inputs).get_route(ApiId=have.inputs["apiId"], RouteId=have.id)
        live = {
            "routeKey": route.get("RouteKey"),
            "target": route.get("Target") or None,
            "authorizationType": route.get("AuthorizationType") or "NONE",
            "authorizerId": route.get("AuthorizerId") or None,
            "authorizationScopes": route.get("AuthorizationScopes") or [],
            "apiKeyRequired": bool(route.get("ApiKeyRequired")),
            "operationName": route.get("OperationName") or None,
        }
        defaults: Inputs = {
            "target": None,
            "authorizationType": "NONE",
            "authorizerId": None,
            "apiKeyRequired": False,
        }
        return live_inputs(have.inputs, live, defaults)

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        routes = self.client(ctx, i).get_routes(ApiId=i["apiId"]).get("Items", [])
        found = next((r for r in routes if r.get("RouteKey") == i["routeKey"]), None)
        return found["RouteId"] if found else None


@provides
class Authorizer(Provider):
    """Who may call the routes that name it: a JWT issuer's tokens (`JWT`: `identitySources`,
    `jwtConfiguration` with the issuer and the accepted audiences) or a Lambda's verdict
    (`REQUEST`).

    A Cognito user pool's issuer, `https://` + the pool's `endpoint`
    (`https://cognito-idp.<region>.amazonaws.com/<pool id>`), is what AWS gives and what the
    emulator's tokens carry; MiniStack 1.5.33 then fetches the pool's keys from itself, not
    from the internet, so the issuer is applied as written. Any other issuer must be
    reachable from the machine (MiniStack reads its OpenID discovery document and JWKS)."""

    type_token = AUTHORIZER
    service = "apigatewayv2"
    inputs = frozenset(
        {
            "apiId",
            "authorizerType",
            "name",
            "identitySources",
            "jwtConfiguration",
            "authorizerUri",
            "authorizerCredentialsArn",
            "authorizerPayloadFormatVersion",
            "authorizerResultTtlInSeconds",
            "enableSimpleResponses",
            "region",
        }
    )
    updatable = frozenset(
        {
            "name",
            "identitySources",
            "jwtConfiguration",
            "authorizerUri",
            "authorizerCredentialsArn",
            "authorizerPayloadFormatVersion",
            "authorizerResultTtlInSeconds",
            "enableSimpleResponses",
        }
    )
    auto_name = AutoName("name", max_length=128)

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        found = self.client(ctx, i).create_authorizer(
            ApiId=i["apiId"], AuthorizerType=i["authorizerType"], **self._settings(i)
        )
        return Created(found["AuthorizerId"])

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        i = want.inputs
        self.client(ctx, i).update_authorizer(
            ApiId=i["apiId"], AuthorizerId=have.id, **self._settings(i)
        )
        return {}

    @staticmethod
    def _settings(i: Inputs) -> dict[str, Any]:
        jwt = i.get("jwtConfiguration")
        return drop_none(
            Name=i["name"],
            IdentitySource=i.get("identitySources"),
            JwtConfiguration=(
                drop_none(Audience=jwt.get("audiences"), Issuer=jwt.get("issuer")) if jwt else None
            ),
            AuthorizerUri=i.get("authorizerUri"),
            AuthorizerCredentialsArn=i.get("authorizerCredentialsArn"),
            AuthorizerPayloadFormatVersion=i.get("authorizerPayloadFormatVersion"),
            AuthorizerResultTtlInSeconds=as_int(i.get("authorizerResultTtlInSeconds")),
            EnableSimpleResponses=i.get("enableSimpleResponses"),
        )

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_authorizer(
            ApiId=have.inputs["apiId"], AuthorizerId=have.id
        )

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        i = have.inputs
        found = self.client(ctx, i).get_authorizer(ApiId=i["apiId"], AuthorizerId=have.id)
        jwt = found.get("JwtConfiguration") or {}
        recorded_jwt = i.get("jwtConfiguration") or {}
        ttl = found.get("AuthorizerResultTtlInSeconds")
        live = {
            "authorizerType": found.get("AuthorizerType"),
            "name": found.get("Name"),
            "identitySources": list(found.get("IdentitySource") or []),
            "jwtConfiguration": only_keys(
                {"audiences": list(jwt.get("Audience") or []), "issuer": jwt.get("Issuer")}
                if jwt
                else None,
                recorded_jwt,
            ),
            "authorizerUri": found.get("AuthorizerUri") or None,
            "authorizerCredentialsArn": found.get("AuthorizerCredentialsArn") or None,
            "authorizerPayloadFormatVersion": found.get("AuthorizerPayloadFormatVersion"),
            "authorizerResultTtlInSeconds": None if ttl is None else float(ttl),
            "enableSimpleResponses": bool(found.get("EnableSimpleResponses")),
        }
        audiences = (live["jwtConfiguration"] or {}).get("audiences")
        if audiences is not None and sorted(audiences) == sorted(
            recorded_jwt.get("audiences") or []
        ):
            live["jwtConfiguration"]["audiences"] = recorded_jwt.get("audiences")
        defaults: Inputs = {"authorizerUri": None, "enableSimpleResponses": False}
        return live_inputs(i, live, defaults)

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        client = self.client(ctx, i)
        if self.lookup(client.get_api, ApiId=i["apiId"]) is None:
            return None
        items = client.get_authorizers(ApiId=i["apiId"]).get("Items", [])
        found = next((a for a in items if a.get("Name") == i["name"]), None)
        return found["AuthorizerId"] if found else None


@provides
class Stage(Provider):
    type_token = "aws:apigatewayv2/stage:Stage"
    service = "apigatewayv2"
    inputs = frozenset(
        {
            "apiId",
            "name",
            "autoDeploy",
            "deploymentId",
            "stageVariables",
            "defaultRouteSettings",
            "routeSettings",
            "accessLogSettings",
            "description",
            "tags",
            "region",
        }
    )
    outputs = frozenset({"invokeUrl", "executionArn", "arn"})
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
        try:
            _link_stage_variable_origins(client, i["apiId"])
        except BaseException:
            client.delete_stage(ApiId=i["apiId"], StageName=i["name"])
            raise
        return Created(i["name"], self._outputs(ctx, i))

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        i = want.inputs
        client = self.client(ctx, i)
        client.update_stage(ApiId=i["apiId"], StageName=i["name"], **self._settings(i))
        _link_stage_variable_origins(client, i["apiId"])
        outputs = self._outputs(ctx, i)
        API_GATEWAY_V2.retag(client, outputs["arn"], have.inputs.get("tags"), i.get("tags"))
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
            # The path half of a URL variable, with or without its scheme; see module doc.
            url = _as_url(str(value), "http")
            if url.netloc and (urlparse(str(value)).netloc or not str(value).isalnum()):
                variables[name + PATH_SUFFIX] = url.path or "/"
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

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        i = have.inputs
        client = self.client(ctx, i)
        stage = client.get_stage(ApiId=i["apiId"], StageName=have.id)
        variables = {
            k: v
            for k, v in (stage.get("StageVariables") or {}).items()
            if not k.endswith(PATH_SUFFIX)  # the emulator's halves of URL variables
        }
        log = stage.get("AccessLogSettings") or {}
        by_route = stage.get("RouteSettings") or {}
        recorded_routes = i.get("routeSettings") or []
        live = {
            "autoDeploy": bool(stage.get("AutoDeploy")),
            "deploymentId": stage.get("DeploymentId") or None,
            "stageVariables": variables,
            "defaultRouteSettings": only_keys(
                _program_route_settings(stage.get("DefaultRouteSettings")),
                i.get("defaultRouteSettings"),
            ),
            "routeSettings": [
                only_keys(
                    {
                        "routeKey": s["routeKey"],
                        **_program_route_settings(by_route.get(s["routeKey"])),
                    },
                    s,
                )
                for s in recorded_routes
            ]
            if len(by_route) == len(recorded_routes)
            else [{"routeKey": k, **_program_route_settings(v)} for k, v in by_route.items()],
            "accessLogSettings": (
                {"destinationArn": log.get("DestinationArn"), "format": log.get("Format")}
                if log.get("DestinationArn")
                else None
            ),
            "description": stage.get("Description") or None,
            "tags": API_GATEWAY_V2.read(client, self._outputs(ctx, i)["arn"]),
        }
        if i.get("autoDeploy") and "deploymentId" not in i:
            del live["deploymentId"]  # auto-deploy makes deployments of its own
        defaults: Inputs = {
            "autoDeploy": False,
            "stageVariables": {},
            "routeSettings": [],
            "accessLogSettings": None,
            "description": None,
            "tags": {},
        }
        return live_inputs(have.inputs, live, defaults)

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        found = self.lookup(self.client(ctx, i).get_stage, ApiId=i["apiId"], StageName=i["name"])
        return i["name"] if found else None


_ROUTE_SETTING_NAMES = {
    "ThrottlingBurstLimit": "throttlingBurstLimit",
    "ThrottlingRateLimit": "throttlingRateLimit",
    "DetailedMetricsEnabled": "detailedMetricsEnabled",
    "LoggingLevel": "loggingLevel",
    "DataTraceEnabled": "dataTraceEnabled",
}


def _program_route_settings(settings: dict[str, Any] | None) -> dict[str, Any]:
    return {name: (settings or {}).get(aws) for aws, name in _ROUTE_SETTING_NAMES.items()}


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
    stages point at it until they move to the new one. `triggers` is applied by replacement.
    A deployment has no name, so `find` finds none (an orphan goes with its API)."""

    type_token = "aws:apigatewayv2/deployment:Deployment"
    service = "apigatewayv2"
    inputs = frozenset({"apiId", "description", "triggers", "region"})
    updatable = frozenset({"description"})
    # AWS deploys only an API with a route; the deployment snapshots its routes and integrations.
    after = {ROUTE: ("apiId",), INTEGRATION: ("apiId",), AUTHORIZER: ("apiId",)}

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

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        deployment = self.client(ctx, have.inputs).get_deployment(
            ApiId=have.inputs["apiId"], DeploymentId=have.id
        )
        return live_inputs(
            have.inputs,
            {"description": deployment.get("Description") or None},
            {"description": None},
        )
