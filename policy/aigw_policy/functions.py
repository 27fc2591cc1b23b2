"""Lambda: runtimes AWS still supports, and timeouts shorter than the API's in front."""

from __future__ import annotations

from datetime import date
from typing import Any

from pulumi_policy import (
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from aigw_policy.values import UNKNOWN, describe, of_type, plain

FUNCTION = "aws:lambda/function:Function"
REST_INTEGRATION = "aws:apigateway/integration:Integration"
HTTP_INTEGRATION = "aws:apigatewayv2/integration:Integration"
# Runtimes Lambda supports, with the date each is deprecated, from the "Supported runtimes" table
# of "Lambda runtimes" in the Lambda developer guide, checked on 2026-12-02
# (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html). Only runtimes not yet
# deprecated on that day are listed: from its deprecation date a runtime gets no security
# patches, and Lambda then blocks creating, later updating, functions on it. Already deprecated
# then, and so refused: nodejs20.x (2026-04-30), python3.10, python3.11, java11, java17,
# java8.al2, provided.al2 (2026-06-30), ruby3.2 (2026-03-31), dotnet8 (2026-11-10).
# Check the table again before the earliest date below, and drop what it deprecates.
RUNTIME_DEPRECATION_DATES = {
    "nodejs22.x": date(2027, 4, 30),
    "nodejs24.x": date(2028, 4, 30),
    "python3.12": date(2028, 10, 31),
    "python3.13": date(2029, 6, 30),
    "python3.14": date(2029, 6, 30),
    "java21": date(2029, 6, 30),
    "java25": date(2029, 6, 30),
    "dotnet10": date(2028, 11, 14),
    "ruby3.3": date(2027, 3, 31),
    "ruby3.4": date(2028, 3, 31),
    "provided.al2023": date(2029, 6, 30),
}
SUPPORTED_RUNTIMES = frozenset(RUNTIME_DEPRECATION_DATES)
# Lambda's default timeout, and the integration timeouts of API Gateway when none is set
# (REST: 29 s, which is also its maximum by default; HTTP APIs: 30 s).
DEFAULT_FUNCTION_TIMEOUT_S = 3
DEFAULT_INTEGRATION_TIMEOUT_MS = {REST_INTEGRATION: 29_000, HTTP_INTEGRATION: 30_000}


def _supported_runtime(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = plain(args.props)
    runtime = props.get("runtime")
    if runtime is None or runtime is UNKNOWN or props.get("packageType") == "Image":
        return
    if runtime not in SUPPORTED_RUNTIMES:
        report(
            f"The function {args.name!r} uses the runtime {runtime!r}, which Lambda no longer "
            f"supports (or never did): use one of {', '.join(sorted(SUPPORTED_RUNTIMES))}.",
            None,
        )


supported_lambda_runtimes = ResourceValidationPolicy(
    name="supported-lambda-runtimes",
    description="Lambda functions use a runtime AWS supports.",
    validate=_supported_runtime,
)


def _invokes(integration: PolicyResource, function: PolicyResource) -> bool:
    """Whether an integration calls the function: it depends on it and its URI (when known)
    is a Lambda invocation."""
    if function not in integration.dependencies:
        return False
    props = plain(integration.props)
    uri = props.get("integrationUri", props.get("uri"))
    if isinstance(uri, str):
        return ":lambda:" in uri
    return props.get("integrationType", props.get("type")) in ("AWS_PROXY", "AWS", UNKNOWN)


def _number(value: Any, default: float) -> float | None:
    if value is None:
        return default
    return float(value) if isinstance(value, int | float) else None


def _timeout_below_integration(args: StackValidationArgs, report: ReportViolation) -> None:
    """API Gateway answers 504 when its integration times out; a function allowed to run
    longer keeps running (and costs) after the caller got that error, and its answer is lost."""
    functions = of_type(args.resources, FUNCTION)
    for integration in of_type(args.resources, REST_INTEGRATION, HTTP_INTEGRATION):
        limit_ms = _number(
            plain(integration.props).get("timeoutMilliseconds"),
            DEFAULT_INTEGRATION_TIMEOUT_MS[integration.resource_type],
        )
        if limit_ms is None:
            continue
        for function in functions:
            if not _invokes(integration, function):
                continue
            timeout_s = _number(plain(function.props).get("timeout"), DEFAULT_FUNCTION_TIMEOUT_S)
            if timeout_s is not None and timeout_s * 1000 >= limit_ms:
                report(
                    f"The function {describe(function)} may run {timeout_s:g} s, but the "
                    f"integration {integration.name!r} gives up after {limit_ms / 1000:g} s: "
                    f"set the function's timeout below {limit_ms / 1000:g} s.",
                    function.urn,
                )


function_timeout_below_integration = StackValidationPolicy(
    name="function-timeout-below-integration",
    description=(
        "A function's timeout is shorter than the timeout of every API integration invoking it."
    ),
    validate=_timeout_below_integration,
)
