"""An HTTP API (API Gateway v2) published to one or more stages, as one component.

Default settings (a caller's `api_args` / `stage_args` override the first kind; what is marked
fixed is insisted on):
- protocol HTTP (fixed), auto-named API, tags merged over the caller's;
- one Route per route and one Integration per target (routes to the same function or URL share
  it); HTTP targets are HTTP_PROXY, Lambda targets AWS_PROXY with payload format 2.0;
- every route requires credentials as `access` says (fixed): `jwt` a bearer token a JWT
  authorizer accepts, carrying the route's scopes: from the stack's own
  `ClientCredentialsIssuer` (Cognito), or from an external OIDC issuer and audience; `iam` a
  SigV4 signature (AWS_IAM); `none` (local only) nothing;
- Lambda targets get one invoke permission per route, scoped to this API, method and path;
- each stage (fixed: its name, auto-deploy and access log) is auto-deployed, so a change to
  routes is live on every stage at once while what differs per stage lives in its variables;
  it waits for every route and permission (no 500 at start), throttles every route with the
  stage's throttle and writes one JSON access-log line per request to a log group of its own
  with `log_retention_days`.

HTTP APIs have no API keys, body models, X-Ray, execution logs or signed model integrations
(an HTTP API integration cannot sign a request): a route or stage asking for them is refused,
not silently deployed without.

Outputs: `api_id`, `api_endpoint`, `execution_arn`, `stage_urls` (stage name -> invoke URL),
`url` (the first stage's), `access` (what a caller needs, plain) and `credentials` (client
secrets, a secret).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from shared.components import identity, naming
from shared.components.access import Access, caller_outputs
from shared.components.api import (
    MAX_HTTP_INTEGRATION_TIMEOUT_MS,
    HttpTarget,
    LambdaTarget,
    ModelTarget,
    Route,
    Stage,
    Target,
    access_log_format,
    check_function_timeout,
    check_route_names,
)
from shared.components.function import allow_api_gateway
from shared.components.identity import ClientCredentialsIssuer

TYPE = "aigw:apigatewayv2:HttpApi"


@dataclass(frozen=True, kw_only=True)
class HttpApiArgs:
    routes: Sequence[Route]
    stages: Sequence[Stage]
    access: Access
    description: str = ""
    region: str | None = None  # None: the stack's region
    api_args: Mapping[str, Any] = field(default_factory=dict)  # extra aws.apigatewayv2.Api
    stage_args: Mapping[str, Any] = field(default_factory=dict)  # extra, for every stage


class HttpApi(pulumi.ComponentResource):
    api_id: pulumi.Output[str]
    api_endpoint: pulumi.Output[str]
    execution_arn: pulumi.Output[str]
    stage_urls: dict[str, pulumi.Output[str]]
    url: pulumi.Output[str]
    access: pulumi.Output[dict[str, Any]]
    credentials: pulumi.Output[dict[str, Any]]

    def __init__(
        self, name: str, args: HttpApiArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        _check(args)  # before any resource exists
        super().__init__(TYPE, name, None, opts)
        self._name = name
        self._region = args.region
        self._api = aws.apigatewayv2.Api(
            name,
            **naming.merged(
                TYPE,
                defaults={"description": args.description or None, "region": args.region},
                extra=args.api_args,
                insisted={"protocol_type": "HTTP", "tags": naming.tags()},
            ),
            opts=naming.child(self),
        )
        self._integrations: dict[Any, aws.apigatewayv2.Integration] = {}
        self._access = args.access
        self._issuer: ClientCredentialsIssuer | None = None
        self._authorizer: aws.apigatewayv2.Authorizer | None = None
        if args.access.mode == "jwt":
            self._authorize_with_tokens(name, args)
        members: list[pulumi.Resource] = []
        for route in args.routes:
            integration = self._integration(route)
            members.append(
                aws.apigatewayv2.Route(
                    f"{name}-{route.slug}",
                    api_id=self._api.id,
                    route_key=route.key,
                    target=pulumi.Output.concat("integrations/", integration.id),
                    **self._route_authorization(route),
                    region=args.region,
                    opts=naming.child(self),
                )
            )
            if isinstance(route.target, LambdaTarget):
                members.append(
                    allow_api_gateway(
                        route.target.function,
                        f"{name}-{route.slug}",
                        self._api.execution_arn,
                        route.caller_path,
                        region=args.region,
                        opts=naming.child(self),
                    )
                )
        self.stage_urls = {
            stage.name: self._stage(stage, args.stage_args, members).invoke_url
            for stage in args.stages
        }
        self.api_id = self._api.id
        self.api_endpoint = self._api.api_endpoint
        self.execution_arn = self._api.execution_arn
        self.url = self.stage_urls[args.stages[0].name]
        issuer = self._issuer
        self.access, self.credentials = caller_outputs(
            args.access,
            args.region or aws.get_region_output().region,
            scopes=[f"{issuer.identifier}/{s}" for r in args.routes for s in r.scopes]
            if issuer
            else sorted({s for r in args.routes for s in r.scopes}),
            issuer=issuer.issuer if issuer else args.access.issuer,
            token_url=issuer.token_url if issuer else None,
            client_ids=issuer.client_ids if issuer else None,
            client_secrets=issuer.client_secrets if issuer else None,
        )
        self.register_outputs(
            {
                "api_id": self.api_id,
                "api_endpoint": self.api_endpoint,
                "execution_arn": self.execution_arn,
                "stage_urls": self.stage_urls,
                "url": self.url,
                "access": self.access,
                "credentials": self.credentials,
            }
        )

    def _authorize_with_tokens(self, name: str, args: HttpApiArgs) -> None:
        """The JWT authorizer every route names, trusting the stack's own token issuer unless
        the access mode names an external one."""
        if args.access.issuer is None:
            self._issuer = identity.for_routes(
                name, args.routes, args.access.clients, self._region, self
            )
            issuer: pulumi.Input[str] = self._issuer.issuer
            # Cognito access tokens carry no `aud`; API Gateway matches `client_id` instead.
            audience: pulumi.Input[list[str]] = pulumi.Output.all(*self._issuer.client_ids.values())
        else:
            issuer, audience = args.access.issuer, list(args.access.audience)
        self._authorizer = aws.apigatewayv2.Authorizer(
            f"{name}-jwt-authorizer",
            api_id=self._api.id,
            authorizer_type="JWT",
            identity_sources=["$request.header.Authorization"],
            jwt_configuration={"issuer": issuer, "audiences": audience},
            region=self._region,
            opts=naming.child(self),
        )

    def _route_authorization(self, route: Route) -> dict[str, Any]:
        """How a route asks for credentials, as the stack's access mode says."""
        mode = self._access.mode
        if mode == "jwt":
            assert self._authorizer is not None
            prefix = f"{self._issuer.identifier}/" if self._issuer else ""
            return {
                "authorization_type": "JWT",
                "authorizer_id": self._authorizer.id,
                "authorization_scopes": [prefix + s for s in route.scopes] or None,
            }
        if mode == "iam":
            return {"authorization_type": "AWS_IAM"}
        return {"authorization_type": "NONE"}

    def _integration(self, route: Route) -> aws.apigatewayv2.Integration:
        """One integration per target, shared by the routes that use it."""
        target: Target = route.target
        key = id(target.function) if isinstance(target, LambdaTarget) else target
        if key not in self._integrations:
            self._integrations[key] = aws.apigatewayv2.Integration(
                f"{self._name}-{route.slug}-integration",
                api_id=self._api.id,
                **_integration_args(route.slug, target),
                region=self._region,
                opts=naming.child(self),
            )
        return self._integrations[key]

    def _stage(
        self, stage: Stage, extra: Mapping[str, Any], members: list[pulumi.Resource]
    ) -> aws.apigatewayv2.Stage:
        log_group = aws.cloudwatch.LogGroup(
            f"{self._name}-{stage.name}-access-logs",
            retention_in_days=stage.log_retention_days,
            tags=naming.tags(),
            region=self._region,
            opts=naming.child(self),
        )
        return aws.apigatewayv2.Stage(
            f"{self._name}-{stage.name}",
            **naming.merged(
                f"{TYPE} stage",
                defaults={
                    "region": self._region,
                    "stage_variables": stage.variables or None,
                    "default_route_settings": {
                        "throttling_rate_limit": stage.throttle.rate_limit,
                        "throttling_burst_limit": stage.throttle.burst_limit,
                    },
                },
                extra=extra,
                insisted={
                    "api_id": self._api.id,
                    "name": stage.name,
                    "auto_deploy": True,
                    "access_log_settings": {
                        "destination_arn": log_group.arn,
                        "format": access_log_format("http"),
                    },
                    "tags": naming.tags(),
                },
            ),
            # Routes first, and (Lambda targets) their invoke permissions: no 500s at start.
            opts=naming.child(self, depends_on=members),
        )


def _integration_args(route_key: str, target: Target) -> dict[str, Any]:
    if isinstance(target, HttpTarget):
        return {
            "integration_type": "HTTP_PROXY",
            "integration_method": target.method,
            "integration_uri": target.uri,
            "timeout_milliseconds": target.timeout_ms,
        }
    assert isinstance(target, LambdaTarget), "model targets are refused by _check"
    timeout_ms = target.timeout_ms or MAX_HTTP_INTEGRATION_TIMEOUT_MS
    check_function_timeout(route_key, target, timeout_ms)
    return {
        "integration_type": "AWS_PROXY",
        "integration_method": "POST",
        "integration_uri": target.function.invoke_arn,
        "payload_format_version": "2.0",
        "timeout_milliseconds": timeout_ms,
    }


def _check(args: HttpApiArgs) -> None:
    if not args.stages:
        raise ValueError("an HTTP API needs at least one stage")
    for route in args.routes:
        if route.body_schema is not None:
            raise ValueError(f"{route.key}: HTTP APIs have no body models; use a REST API")
        if isinstance(route.target, ModelTarget):
            raise ValueError(
                f"{route.key}: an HTTP API integration cannot sign a request to SageMaker or "
                "Bedrock; call the model from a function (LambdaTarget) or use a REST API"
            )
    if args.access.mode not in ("jwt", "iam", "none"):
        raise ValueError(f"an HTTP API has no access mode {args.access.mode!r}")
    for stage in args.stages:
        if stage.tracing or stage.metrics or stage.logging_level != "OFF":
            raise ValueError(
                f"stage {stage.name!r}: HTTP API stages have no X-Ray, detailed metrics or "
                "execution logs; use a REST API"
            )
    check_route_names(args.routes, paths=False)
