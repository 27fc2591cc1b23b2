"""A REST API (API Gateway v1) published to one stage, as one component.

Default settings (a caller's `rest_api_args` / `stage_args` override the first kind; what is
marked fixed is insisted on):
- endpoint type REGIONAL (`endpoint_type`), auto-named API, tags merged over the caller's;
- one Resource per path segment, one Method and Integration per route; `body_schema` adds a
  JSON-schema Model and the API's one body validator (400 before the backend is called);
- every method requires credentials as `access` says (fixed): `api_key` an API key (and
  `UsagePlans`: one plan per tier, one key per client), `cognito` a token from the stack's own
  `ClientCredentialsIssuer` carrying the route's scopes (a COGNITO_USER_POOLS authorizer), `iam`
  a SigV4 signature (AWS_IAM); `none` (local only) nothing;
- Lambda targets get one invoke permission each, scoped to this API, method and path;
  model targets an `AWS` integration of their own (`model_integration`);
- a Deployment redeployed through `triggers` whenever anything that defines the API changes,
  depending on every method, integration and permission (fixed), replaced create-before-delete
  so the stage never points at nothing;
- the stage (fixed: its name, deployment and access log): access logs as one JSON line per
  request to a log group of its own with `log_retention_days`, X-Ray per `tracing`;
- MethodSettings `*/*`: the stage's throttle, execution logging level and metrics; with
  execution logging on, its log group `API-Gateway-Execution-Logs_<api id>/<stage>` made first,
  with the stage's retention (fixed name, so replaced delete-before-create);
- outside `local`, a StackReference to this environment's bootstrap stack (`aigw-bootstrap`),
  which sets the account's CloudWatch role every logging stage needs; the stage waits for it.

Outputs: `api_id`, `root_resource_id`, `execution_arn`, `stage_name`, `url` (the stage's
invoke URL, no trailing slash), `access` (what a caller needs, plain) and `credentials` (API keys
or client secrets, a secret).

These fix the seeds' defects: the Deployment waits for the routes and follows every change;
stages are explicit resources (pulumi-aws 7 removed `Deployment.stage_name`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from shared.components import identity, model_integration, naming
from shared.components.access import Access, caller_outputs
from shared.components.api import (
    EXECUTION_LOG_LEVELS,
    MAX_REST_INTEGRATION_TIMEOUT_MS,
    HttpTarget,
    LambdaTarget,
    ModelTarget,
    Route,
    Stage,
    access_log_format,
    check_function_timeout,
    check_route_names,
)
from shared.components.function import allow_api_gateway
from shared.components.identity import ClientCredentialsIssuer
from shared.components.usage_plan import UsagePlans, UsagePlansArgs

TYPE = "aigw:apigateway:RestApi"
ENDPOINT_TYPES = ("EDGE", "REGIONAL", "PRIVATE")
# The log group API Gateway writes a stage's execution logs to (+ "<api id>/<stage>").
EXECUTION_LOG_GROUP_PREFIX = "API-Gateway-Execution-Logs_"
# The bootstrap project (bootstrap/): one stack per environment, named after it.
BOOTSTRAP_PROJECT = "aigw-bootstrap"
LOCAL_ENVIRONMENT = "local"


def bootstrap_stack_name() -> str:
    """The bootstrap stack of this stack's environment, as a StackReference names it."""
    return f"{pulumi.get_organization()}/{BOOTSTRAP_PROJECT}/{pulumi.get_stack()}"


@dataclass(frozen=True, kw_only=True)
class RestApiArgs:
    routes: Sequence[Route]
    stage: Stage
    access: Access
    # Another RestApi (the home region's copy) whose callers this one accepts too: the same
    # token issuer (cognito) or the same key values (api_key), so a latency-routed caller is
    # let in by whichever region answers.
    callers_from: RestApi | None = None
    description: str = ""
    endpoint_type: str = "REGIONAL"
    region: str | None = None
    rest_api_args: Mapping[str, Any] = field(default_factory=dict)  # extra aws.apigateway.RestApi
    stage_args: Mapping[str, Any] = field(default_factory=dict)  # extra aws.apigateway.Stage


class RestApi(pulumi.ComponentResource):
    api_id: pulumi.Output[str]
    root_resource_id: pulumi.Output[str]
    execution_arn: pulumi.Output[str]
    stage_name: pulumi.Output[str]
    url: pulumi.Output[str]
    access: pulumi.Output[dict[str, Any]]
    credentials: pulumi.Output[dict[str, Any]]
    api_key_ids: dict[str, pulumi.Output[str]]  # api_key access: client -> key id

    def __init__(
        self, name: str, args: RestApiArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        _check(args)  # before any resource exists
        super().__init__(TYPE, name, None, opts)
        self._name = name
        self._region = args.region
        self._api = aws.apigateway.RestApi(
            name,
            **naming.merged(
                TYPE,
                defaults={
                    "description": args.description or None,
                    "endpoint_configuration": {"types": args.endpoint_type},
                    "region": self._region,
                },
                extra=args.rest_api_args,
                insisted={"tags": naming.tags()},
            ),
            opts=naming.child(self),
        )
        self._resources: dict[str, aws.apigateway.Resource] = {}
        self._members: list[pulumi.Resource] = []  # what the deployment must wait for
        self.api_key_ids = {}
        self._validator: aws.apigateway.RequestValidator | None = None
        self._access = args.access
        # cognito access: the pool issuing callers' tokens; api_key access: the keys' values.
        # Another RestApi's `callers_from` shares them (one pool, the same keys per region).
        self.token_issuer: ClientCredentialsIssuer | None = None
        self._authorizer: aws.apigateway.Authorizer | None = None
        if args.access.mode == "cognito":
            self._authorize_with_tokens(name, args)
        self.key_values: pulumi.Output[dict[str, str]] | None = None
        for route in args.routes:
            self._add(route)
        stage = self._publish(args)
        self._publish_callers(name, args, stage)

        self.api_id = self._api.id
        self.root_resource_id = self._api.root_resource_id
        self.execution_arn = self._api.execution_arn
        self.stage_name = stage.stage_name
        self.url = stage.invoke_url
        self.register_outputs(
            {
                "api_id": self.api_id,
                "root_resource_id": self.root_resource_id,
                "execution_arn": self.execution_arn,
                "stage_name": self.stage_name,
                "url": self.url,
                "access": self.access,
                "credentials": self.credentials,
            }
        )

    def _authorize_with_tokens(self, name: str, args: RestApiArgs) -> None:
        """The stack's own token issuer and the authorizer every method names."""
        if args.callers_from is not None and args.callers_from.token_issuer is not None:
            self.token_issuer = args.callers_from.token_issuer
        else:
            self.token_issuer = identity.for_routes(
                name, args.routes, args.access.clients, self._region, self
            )
        self._authorizer = aws.apigateway.Authorizer(
            f"{name}-token-authorizer",
            rest_api=self._api.id,
            type="COGNITO_USER_POOLS",
            provider_arns=[self.token_issuer.user_pool_arn],
            identity_source="method.request.header.Authorization",
            region=self._region,
            opts=naming.child(self),
        )
        self._members.append(self._authorizer)

    def _publish_callers(self, name: str, args: RestApiArgs, stage: aws.apigateway.Stage) -> None:
        region: pulumi.Input[str] = self._region or aws.get_region_output().region
        issuer = self.token_issuer
        prefix = f"{issuer.identifier}/" if issuer else ""
        scopes = [prefix + s for r in args.routes for s in r.scopes] if issuer else []
        api_keys = None
        if args.access.mode == "api_key":
            plans = UsagePlans(
                f"{name}-plans",
                UsagePlansArgs(
                    api_id=self._api.id,
                    stage_name=stage.stage_name,
                    tiers=args.access.tiers,
                    clients=args.access.clients,
                    region=self._region,
                    key_values=args.callers_from.key_values if args.callers_from else None,
                ),
                opts=naming.child(self),
            )
            api_keys = self.key_values = plans.keys
            self.api_key_ids = plans.key_ids
        self.access, self.credentials = caller_outputs(
            args.access,
            region,
            scopes=scopes,
            issuer=issuer.issuer if issuer else None,
            token_url=issuer.token_url if issuer else None,
            client_ids=issuer.client_ids if issuer else None,
            client_secrets=issuer.client_secrets if issuer else None,
            api_keys=api_keys,
        )

    def _method_authorization(self, route: Route) -> dict[str, Any]:
        """How a method asks for credentials, as the stack's access mode says."""
        mode = self._access.mode
        if mode == "cognito":
            assert self._authorizer is not None and self.token_issuer is not None
            return {
                "authorization": "COGNITO_USER_POOLS",
                "api_key_required": False,
                "authorizer_id": self._authorizer.id,
                "authorization_scopes": [
                    f"{self.token_issuer.identifier}/{s}" for s in route.scopes
                ]
                or None,
            }
        if mode == "iam":
            return {"authorization": "AWS_IAM", "api_key_required": False}
        return {"authorization": "NONE", "api_key_required": mode == "api_key"}

    def _add(self, route: Route) -> None:
        resource_id = self._resource_id(route.path)
        models, validator_id = None, None
        if route.body_schema is not None:
            model = aws.apigateway.Model(
                f"{self._name}-{route.slug}-model",
                rest_api=self._api.id,
                # Model names are alphanumeric and unique per API; a replacement keeps the name.
                name="".join(w.capitalize() for w in route.slug.split("-")) + "Body",
                content_type="application/json",
                schema=json.dumps(route.body_schema, sort_keys=True),
                region=self._region,
                opts=naming.child(self, delete_before_replace=True),
            )
            models, validator_id = {"application/json": model.name}, self._body_validator().id
            self._members.append(model)
        method = aws.apigateway.Method(
            f"{self._name}-{route.slug}",
            rest_api=self._api.id,
            resource_id=resource_id,
            http_method=route.method,
            **self._method_authorization(route),
            request_models=models,
            request_validator_id=validator_id,
            region=self._region,
            opts=naming.child(self),
        )
        self._members.append(method)
        if isinstance(route.target, ModelTarget):
            self._members += model_integration.integrate(
                f"{self._name}-{route.slug}",
                model_integration.MethodRef(self._api.id, resource_id, method),
                route.target.backend,
                route.target.timeout_ms,
                region=self._region,
                parent=self,
            )
            return
        integration = aws.apigateway.Integration(
            f"{self._name}-{route.slug}-integration",
            rest_api=self._api.id,
            resource_id=resource_id,
            http_method=method.http_method,
            **_integration_args(route),
            region=self._region,
            opts=naming.child(self, depends_on=[method]),
        )
        self._members.append(integration)
        if isinstance(route.target, LambdaTarget):
            self._members.append(
                allow_api_gateway(
                    route.target.function,
                    f"{self._name}-{route.slug}",
                    self._api.execution_arn,
                    route.caller_path,
                    region=self._region,
                    opts=naming.child(self),
                )
            )

    def _publish(self, args: RestApiArgs) -> aws.apigateway.Stage:
        stage = args.stage
        definition: list[list[Any]] = [
            [r.method, r.path, r.scopes, r.body_schema, _integration_args(r)] for r in args.routes
        ]
        # A new authorizer pool is a new snapshot too: the stage serves what was deployed.
        pool = self.token_issuer.user_pool_arn if self.token_issuer else None
        definition.append(["access", args.access.mode, pool])
        trigger = pulumi.Output.json_dumps(definition).apply(
            lambda text: hashlib.sha256(text.encode()).hexdigest()
        )
        deployment = aws.apigateway.Deployment(
            f"{self._name}-deployment",
            rest_api=self._api.id,
            description=f"{self._name} routes",
            triggers={"redeployment": trigger},
            region=self._region,
            opts=naming.child(self, depends_on=self._members),
        )
        log_group = aws.cloudwatch.LogGroup(
            f"{self._name}-{stage.name}-access-logs",
            retention_in_days=stage.log_retention_days,
            tags=naming.tags(),
            region=self._region,
            opts=naming.child(self),
        )
        logs_needed: list[pulumi.Resource] = [log_group, *self._execution_log_group(stage)]
        if pulumi.get_stack() != LOCAL_ENVIRONMENT:
            # AWS refuses a stage that logs unless the account's API Gateway settings name a
            # CloudWatch role in this region ("CloudWatch Logs role ARN must be set in account
            # settings to enable logging"): the bootstrap stack of this environment sets it.
            # The reference makes that dependency visible, and the policy pack checks that the
            # bootstrap covers this stage's region. The emulator has no such setting.
            logs_needed.append(
                pulumi.StackReference(
                    f"{self._name}-bootstrap",
                    stack_name=bootstrap_stack_name(),
                    opts=pulumi.ResourceOptions(parent=self),
                )
            )
        published = aws.apigateway.Stage(
            f"{self._name}-{stage.name}",
            **naming.merged(
                f"{TYPE} stage",
                defaults={
                    "variables": stage.variables or None,
                    "xray_tracing_enabled": stage.tracing,
                    "region": self._region,
                },
                extra=args.stage_args,
                insisted={
                    "rest_api": self._api.id,
                    "deployment": deployment.id,
                    "stage_name": stage.name,
                    "access_log_settings": {
                        "destination_arn": log_group.arn,
                        "format": access_log_format("rest"),
                    },
                    "tags": naming.tags(),
                },
            ),
            opts=naming.child(self, depends_on=logs_needed),
        )
        aws.apigateway.MethodSettings(
            f"{self._name}-{stage.name}-method-settings",
            rest_api=self._api.id,
            stage_name=published.stage_name,
            method_path="*/*",
            settings={
                "throttling_rate_limit": stage.throttle.rate_limit,
                "throttling_burst_limit": stage.throttle.burst_limit,
                "logging_level": stage.logging_level,
                "metrics_enabled": stage.metrics,
            },
            region=self._region,
            opts=naming.child(self),
        )
        return published

    def _execution_log_group(self, stage: Stage) -> list[aws.cloudwatch.LogGroup]:
        """With execution logging on, API Gateway writes to
        `API-Gateway-Execution-Logs_<api id>/<stage>` and creates that group itself if it is
        missing: with no retention, and outside the stack, so it outlives `destroy`. Made here
        first, it has the stage's retention and goes with the stack. Its name is fixed, so a
        replacement deletes the old group before creating the new one."""
        if stage.logging_level == "OFF":
            return []
        return [
            aws.cloudwatch.LogGroup(
                f"{self._name}-{stage.name}-execution-logs",
                name=pulumi.Output.concat(
                    EXECUTION_LOG_GROUP_PREFIX, self._api.id, "/", stage.name
                ),
                retention_in_days=stage.log_retention_days,
                tags=naming.tags(),
                region=self._region,
                opts=naming.child(self, delete_before_replace=True),
            )
        ]

    def _body_validator(self) -> aws.apigateway.RequestValidator:
        if self._validator is None:
            self._validator = aws.apigateway.RequestValidator(
                f"{self._name}-body-validator",
                rest_api=self._api.id,
                validate_request_body=True,
                validate_request_parameters=False,
                region=self._region,
                opts=naming.child(self),
            )
            self._members.append(self._validator)
        return self._validator

    def _resource_id(self, path: str) -> pulumi.Output[str]:
        """The id of the resource at `path`, creating each missing segment once."""
        parent: pulumi.Output[str] = self._api.root_resource_id
        so_far = ""
        for segment in path.strip("/").split("/"):
            so_far += "/" + segment
            if so_far not in self._resources:
                self._resources[so_far] = aws.apigateway.Resource(
                    f"{self._name}-{naming.slug('', so_far)}",
                    rest_api=self._api.id,
                    parent_id=parent,
                    path_part=segment,
                    region=self._region,
                    opts=naming.child(self),
                )
                self._members.append(self._resources[so_far])
            parent = self._resources[so_far].id
        return parent


def _integration_args(route: Route) -> dict[str, Any]:
    target = route.target
    if isinstance(target, ModelTarget):  # its integration is model_integration's
        return {
            "type": "AWS",
            "backend": [target.backend.type, target.backend.endpoint, target.backend.model_id],
            "timeout_milliseconds": target.timeout_ms,
        }
    if isinstance(target, HttpTarget):
        return {
            "type": "HTTP_PROXY",
            "integration_http_method": target.method,
            "uri": target.uri,
            "timeout_milliseconds": target.timeout_ms,
        }
    timeout_ms = target.timeout_ms or MAX_REST_INTEGRATION_TIMEOUT_MS
    check_function_timeout(route.slug, target, timeout_ms)
    return {
        "type": "AWS_PROXY",
        "integration_http_method": "POST",
        "uri": target.function.invoke_arn,
        "timeout_milliseconds": timeout_ms,
    }


def _check(args: RestApiArgs) -> None:
    if args.endpoint_type not in ENDPOINT_TYPES:
        raise ValueError(
            f"endpoint_type must be one of {', '.join(ENDPOINT_TYPES)}, got {args.endpoint_type!r}"
        )
    if args.stage.logging_level not in EXECUTION_LOG_LEVELS:
        raise ValueError(
            f"logging_level must be one of {', '.join(EXECUTION_LOG_LEVELS)}, "
            f"got {args.stage.logging_level!r}"
        )
    check_route_names(args.routes, paths=True)
    if args.access.mode not in ("api_key", "cognito", "iam", "none"):
        raise ValueError(f"a REST API has no access mode {args.access.mode!r}")
    # AWS: a COGNITO_USER_POOLS method without authorization scopes takes ID tokens only, which
    # the client-credentials flow never issues; every route must name the scope it needs.
    unscoped = [r.key for r in args.routes if not r.scopes]
    if args.access.mode == "cognito" and unscoped:
        raise ValueError(f"cognito access: these routes name no scope: {', '.join(unscoped)}")
