"""A REST method that calls a SageMaker endpoint or a Bedrock model itself: an `AWS`
integration signed with a role of its own, and the API's error contract declared as method and
integration responses (what aws-solutions-constructs' aws-apigateway-sagemakerendpoint does).

- SageMaker: `POST .../runtime.sagemaker:path/endpoints/<name>/invocations`, the request body
  passed as is (the SageMaker inference contract), the model's answer passed back.
- Bedrock: `POST .../bedrock-runtime:path/model/<id>/converse`; the request template turns
  `{"inputs": "<prompt>"}` into a Converse request; the Converse answer is passed back.
- The role may be assumed by API Gateway only and allows exactly `sagemaker:InvokeEndpoint` on
  that endpoint or `bedrock:InvokeModel` on that model.
- Errors, chosen by the backend's HTTP status: the caller's faults keep their status (400 a
  request the model refuses, 413 too large, 429 throttled); every other failure (access denied,
  no such endpoint or model, the model's own error, the service down) is 502, so a caller never
  sees our configuration problems as theirs; a model slower than Bedrock waits is 504. Each
  answers `{"message": ...}`. API Gateway chooses by status alone, so a 400 the service gives
  for our own mistake (a SageMaker endpoint that does not exist is a ValidationError too) also
  reaches the caller as 400: the smoke checks after every deploy catch that one.

These are non-proxy integrations: API Gateway answers only the statuses declared here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared.components import boundary, naming
from shared.components.model import ModelBackend

# (status, selection pattern on the backend's status, message); None: the default response.
# The patterns never overlap, so the backend's status picks exactly one.
ERROR_RESPONSES: tuple[tuple[str, str, str], ...] = (
    ("400", "400", "The model refused the request as invalid."),
    ("413", "413", "The request is too large for the model."),
    ("429", "429", "Too many requests to the model; retry later."),
    # Bedrock's ModelTimeoutException: the model was slower than the service waits.
    ("504", "408", "The model did not answer in time."),
    (
        "502",
        r"40[1-79]|41[0-24-9]|42[0-8]|4[3-9]\d|5\d\d",
        "The model could not answer.",
    ),
)
SUCCESS_STATUS = "200"
# Bedrock Converse from the proxy's inference request: the prompt is `inputs` (a string), and
# the answer is capped, so one call's cost is bounded whatever the model's own default.
CONVERSE_MAX_TOKENS = 1024
CONVERSE_REQUEST_TEMPLATE = (
    '{"messages":[{"role":"user","content":[{"text":$input.json(\'$.inputs\')}]}],'
    f'"inferenceConfig":{{"maxTokens":{CONVERSE_MAX_TOKENS}}}}}'
)
PASSTHROUGH_TEMPLATE = "$input.body"


@dataclass(frozen=True)
class MethodRef:
    """The method an integration belongs to."""

    rest_api: pulumi.Input[str]
    resource_id: pulumi.Input[str]
    method: aws.apigateway.Method


def uri(backend: ModelBackend, region: pulumi.Input[str]) -> pulumi.Output[str]:
    """The integration URI API Gateway calls for `backend`."""
    if backend.type == "sagemaker":
        service, path = "runtime.sagemaker", f"endpoints/{backend.endpoint}/invocations"
    elif backend.type == "bedrock":
        service, path = "bedrock-runtime", f"model/{backend.model_id}/converse"
    else:
        raise ValueError(f"a {backend.type!r} model is called through an HTTP target")
    return pulumi.Output.concat("arn:aws:apigateway:", region, f":{service}:path/{path}")


def request_template(backend: ModelBackend) -> str:
    return CONVERSE_REQUEST_TEMPLATE if backend.type == "bedrock" else PASSTHROUGH_TEMPLATE


def integrate(
    name: str,
    ref: MethodRef,
    backend: ModelBackend,
    timeout_ms: int,
    *,
    region: str | None,
    parent: pulumi.Resource,
) -> list[pulumi.Resource]:
    """The role, integration and responses of one method; what the deployment waits for."""
    home: pulumi.Input[str] = region or aws.get_region_output().region
    arn = backend.arn(region)
    role = aws.iam.Role(  # IAM is global: no region
        f"{name}-model-role",
        assume_role_policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "apigateway.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
        permissions_boundary=boundary.for_stack(),
        tags=naming.tags(),
        opts=naming.child(parent),
    )
    policy = aws.iam.RolePolicy(
        f"{name}-model-policy",
        role=role.id,
        policy=pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": [backend.action], "Resource": arn}],
            }
        ),
        opts=naming.child(parent),
    )
    integration = aws.apigateway.Integration(
        f"{name}-integration",
        rest_api=ref.rest_api,
        resource_id=ref.resource_id,
        http_method=ref.method.http_method,
        type="AWS",
        integration_http_method="POST",
        uri=uri(backend, home),
        credentials=role.arn,
        request_templates={"application/json": request_template(backend)},
        # A body of another content type would reach the model untranslated: refuse it (415).
        passthrough_behavior="NEVER",
        timeout_milliseconds=timeout_ms,
        region=region,
        opts=naming.child(parent, depends_on=[ref.method, policy]),
    )
    members: list[pulumi.Resource] = [role, policy, integration]
    statuses = [(SUCCESS_STATUS, None, None), *ERROR_RESPONSES]
    for status, pattern, message in statuses:
        method_response = aws.apigateway.MethodResponse(
            f"{name}-{status}",
            rest_api=ref.rest_api,
            resource_id=ref.resource_id,
            http_method=ref.method.http_method,
            status_code=status,
            response_models={"application/json": "Empty"},
            region=region,
            opts=naming.child(parent, depends_on=[ref.method]),
        )
        members.append(
            aws.apigateway.IntegrationResponse(
                f"{name}-{status}-response",
                rest_api=ref.rest_api,
                resource_id=ref.resource_id,
                http_method=ref.method.http_method,
                status_code=method_response.status_code,
                selection_pattern=pattern,
                # The model's own answer on success; our one-line reason on failure.
                response_templates={
                    "application/json": PASSTHROUGH_TEMPLATE
                    if message is None
                    else json.dumps({"message": message})
                },
                region=region,
                opts=naming.child(parent, depends_on=[integration, method_response]),
            )
        )
        members.append(method_response)
    return members
