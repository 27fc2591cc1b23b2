"""API Gateway rules: who may call, what a stage records and how fast it may be called, and the
account setting a logging REST stage needs."""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from aigw_policy.values import (
    BOOTSTRAP_PROJECT,
    LOCAL,
    UNKNOWN,
    describe,
    dig,
    environment,
    linked,
    of_type,
    plain,
    region_of,
    unknown,
)

REST_METHOD = "aws:apigateway/method:Method"
HTTP_ROUTE = "aws:apigatewayv2/route:Route"
REST_STAGE = "aws:apigateway/stage:Stage"
HTTP_STAGE = "aws:apigatewayv2/stage:Stage"
METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
STACK_REFERENCE = "pulumi:pulumi:StackReference"
# What the bootstrap stack exports: the regions where it set API Gateway's CloudWatch role.
LOGGING_REGIONS_OUTPUT = "apiGatewayLoggingRegions"


def _requires_credentials(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """API Gateway lets anyone call a method whose authorization is NONE and that needs no API
    key (REST), or a route whose authorizationType is NONE (HTTP APIs)."""
    if environment(args.urn) == LOCAL:
        return
    props = plain(args.props)
    key_required = props.get("apiKeyRequired", False)
    if args.resource_type == REST_METHOD:
        authorization = props.get("authorization", "NONE")
        what = f"{props.get('httpMethod', '?')} method"
        change = "set authorization (an authorizer, AWS_IAM) or api_key_required=True"
    elif args.resource_type == HTTP_ROUTE:
        authorization = props.get("authorizationType", "NONE")
        what = f"route {props.get('routeKey', '?')!r}"
        change = "set authorization_type (JWT, AWS_IAM or CUSTOM) with an authorizer"
    else:
        return
    if unknown(authorization) or unknown(key_required):
        return
    if authorization == "NONE" and key_required is not True:
        report(f"The {what} {args.name!r} accepts calls without credentials: {change}.", None)


requires_credentials = ResourceValidationPolicy(
    name="requires-credentials",
    description="Every REST method and HTTP API route outside local requires credentials.",
    validate=_requires_credentials,
)


def _method_settings_of(
    stage: PolicyResource, resources: list[PolicyResource]
) -> list[PolicyResource]:
    """The MethodSettings of a REST stage: depending on it, or naming its API and stage."""

    def names_it(stage: PolicyResource, settings: PolicyResource) -> bool:
        mine, theirs = plain(stage.props), plain(settings.props)
        pairs = [
            (mine.get("restApi"), theirs.get("restApi")),
            (mine.get("stageName"), theirs.get("stageName")),
        ]
        return all(a is not None and a is not UNKNOWN and a == b for a, b in pairs)

    return linked(stage, of_type(resources, METHOD_SETTINGS), matches=names_it)


def _log_group_of(stage: PolicyResource, resources: list[PolicyResource]) -> list[PolicyResource]:
    """The stack's log groups a stage's access logs go to: by dependency, or by ARN."""
    destination = dig(plain(stage.props), "accessLogSettings", "destinationArn")

    def is_destination(_stage: PolicyResource, group: PolicyResource) -> bool:
        arn = plain(group.props).get("arn")
        return (
            isinstance(arn, str)
            and isinstance(destination, str)
            and destination.removesuffix(":*") == arn.removesuffix(":*")
        )

    return linked(stage, of_type(resources, LOG_GROUP), matches=is_destination)


def _positive(value: Any) -> bool:
    """A throttling limit that is set and above zero (an unknown one may well be)."""
    return value is UNKNOWN or (isinstance(value, int | float) and value > 0)


def _stage_logs_and_throttling(args: StackValidationArgs, report: ReportViolation) -> None:
    """A stage without access logs leaves no record of who called; without throttling a
    client can use the whole account's API Gateway quota (10,000 requests per second shared
    by every API of the region)."""
    for stage in of_type(args.resources, REST_STAGE, HTTP_STAGE):
        props = plain(stage.props)
        destination = dig(props, "accessLogSettings", "destinationArn")
        if destination is None:
            report(
                f"The stage {describe(stage)} keeps no access logs: set "
                "access_log_settings with destination_arn=<a log group of this stack>.arn.",
                stage.urn,
            )
        else:
            groups = _log_group_of(stage, args.resources)
            if not groups and destination is not UNKNOWN:
                report(
                    f"The stage {describe(stage)} sends access logs to {destination}, which is "
                    "not a log group of this stack: create an aws.cloudwatch.LogGroup with "
                    "retention_in_days and use its arn.",
                    stage.urn,
                )
            for group in groups:
                if plain(group.props).get("retentionInDays") in (None, 0):
                    report(
                        f"The access log group {describe(group)} of the stage {stage.name!r} "
                        "keeps logs forever: set retention_in_days.",
                        group.urn,
                    )
        if stage.resource_type == REST_STAGE:
            settings = [
                plain(s.props).get("settings") or {}
                for s in _method_settings_of(stage, args.resources)
            ]
            throttled = any(
                isinstance(s, dict)
                and _positive(s.get("throttlingRateLimit"))
                and _positive(s.get("throttlingBurstLimit"))
                for s in settings
            ) or any(s is UNKNOWN for s in settings)
            change = (
                "add an aws.apigateway.MethodSettings for it (method_path='*/*') with "
                "throttling_rate_limit and throttling_burst_limit above 0"
            )
        else:
            route = props.get("defaultRouteSettings")
            throttled = route is UNKNOWN or (
                isinstance(route, dict)
                and _positive(route.get("throttlingRateLimit"))
                and _positive(route.get("throttlingBurstLimit"))
            )
            change = (
                "set default_route_settings with throttling_rate_limit and "
                "throttling_burst_limit above 0"
            )
        if not throttled:
            report(f"The stage {describe(stage)} is not throttled: {change}.", stage.urn)


stage_logs_and_throttling = StackValidationPolicy(
    name="stage-logs-and-throttling",
    description=(
        "Every API stage writes access logs to a log group of the stack with a retention, "
        "and is throttled."
    ),
    validate=_stage_logs_and_throttling,
)


def _logs(stage: PolicyResource, resources: list[PolicyResource]) -> bool:
    """Whether a REST stage makes API Gateway write to CloudWatch Logs (access or execution
    logs), which needs the account's CloudWatch role in that region."""
    if dig(plain(stage.props), "accessLogSettings", "destinationArn") is not None:
        return True
    for settings in _method_settings_of(stage, resources):
        values = plain(settings.props).get("settings") or {}
        if isinstance(values, dict) and (
            values.get("loggingLevel") in ("INFO", "ERROR")
            or values.get("dataTraceEnabled") is True
        ):
            return True
    return False


def _bootstrap_before_logging(args: StackValidationArgs, report: ReportViolation) -> None:
    """API Gateway refuses a stage with logging ("CloudWatch Logs role ARN must be set in
    account settings to enable logging") until the account's API Gateway settings name a
    CloudWatch role in that region: the bootstrap stack of the environment sets it, and a
    stack that reads that stack's outputs proves it ran there."""
    for stage in of_type(args.resources, REST_STAGE):
        env = environment(stage.urn)
        if env == LOCAL or not _logs(stage, args.resources):
            continue
        region = region_of(stage)
        if region is None or region is UNKNOWN:
            continue
        references = [
            plain(r.props)
            for r in of_type(args.resources, STACK_REFERENCE)
            if str(plain(r.props).get("name", "")).endswith(f"/{BOOTSTRAP_PROJECT}/{env}")
        ]
        regions = [dig(r, "outputs", LOGGING_REGIONS_OUTPUT) for r in references]
        if any(r is UNKNOWN or (isinstance(r, list) and region in r) for r in regions):
            continue
        listed = sorted(r for found in regions if isinstance(found, list) for r in found)
        where = (
            f"its outputs list {LOGGING_REGIONS_OUTPUT} {listed} without {region}"
            if references
            else f"the stack reads no {BOOTSTRAP_PROJECT}/{env} stack reference"
        )
        report(
            f"The stage {describe(stage)} logs to CloudWatch in {region}, which needs the "
            f"bootstrap stack's API Gateway CloudWatch role there, but {where}: run `invoke "
            f"bootstrap --env={env}` with {region} among its regions, and read its outputs "
            f"with pulumi.StackReference('<org>/{BOOTSTRAP_PROJECT}/{env}').",
            stage.urn,
        )


bootstrap_before_logging = StackValidationPolicy(
    name="bootstrap-before-logging",
    description=(
        "A REST stage with logging outside local reads the bootstrap stack of its environment, "
        "which set API Gateway's CloudWatch role in the stage's region."
    ),
    validate=_bootstrap_before_logging,
)
