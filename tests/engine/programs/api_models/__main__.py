"""A REST API in front of models where they live on AWS, the way issue 9's proxy calls them: a
REST `AWS` integration per backend, each with a role allowed exactly that call, its request
template, and integration responses mapping the backend's status code (400, 413, 429 kept,
SageMaker's 424 for a model's own client error made 400, every other 4xx/5xx 502, success
passed through), a method response declared for each.

- `POST /sagemaker`: SageMaker runtime InvokeEndpoint on endpoint `endpoint`, body passed
  through (`$input.body`);
- `POST /bedrock`: Bedrock runtime Converse on model `modelId`, the body's `inputs` made the
  user message;
- `POST /denied`: the SageMaker endpoint again, with a role allowed only another endpoint.

name      physical-name stem (unique per test)
endpoint  the SageMaker endpoint's name
modelId   the Bedrock model id
template  the SageMaker request template (default `$input.body`)
"""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
name = config.require("name")
endpoint = config.require("endpoint")
model_id = config.require("modelId")
sagemaker_template = config.get("template") or "$input.body"
region = "us-east-1"

ASSUME_APIGATEWAY = json.dumps(
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
)


def role(logical: str, action: str, resource: str) -> aws.iam.Role:
    made = aws.iam.Role(logical, name=f"{name}-{logical}", assume_role_policy=ASSUME_APIGATEWAY)
    aws.iam.RolePolicy(
        logical,
        role=made.name,
        policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}],
            }
        ),
    )
    return made


sagemaker_role = role(
    "sagemaker", "sagemaker:InvokeEndpoint", f"arn:aws:sagemaker:{region}:*:endpoint/{endpoint}"
)
bedrock_role = role(
    "bedrock", "bedrock:InvokeModel", f"arn:aws:bedrock:{region}::foundation-model/{model_id}"
)
other_role = role(
    "other", "sagemaker:InvokeEndpoint", f"arn:aws:sagemaker:{region}:*:endpoint/other"
)

MESSAGES = {
    "400": "The model rejected the request.",
    "413": "The request is too large for the model.",
    "429": "The model is busy; retry later.",
    "502": "The model failed to answer.",
}
# SageMaker's runtime answers a model container's own client error as 424 ModelError (its
# OriginalStatusCode in the body): a client fault too, so kept as 400 with the runtime's 400.
PATTERNS = {
    "400": "400|424",
    "413": "413",
    "429": "429",
    "502": r"(?!400|413|424|429)[45]\d\d",
}

api = aws.apigateway.RestApi("api", name=f"{name}-api")
parts = []
for path, uri, template, credentials in (
    (
        "sagemaker",
        f"arn:aws:apigateway:{region}:runtime.sagemaker:path/endpoints/{endpoint}/invocations",
        sagemaker_template,
        sagemaker_role.arn,
    ),
    (
        "bedrock",
        f"arn:aws:apigateway:{region}:bedrock-runtime:path/model/{model_id}/converse",
        '{"messages":[{"role":"user","content":[{"text":$input.json(\'$.inputs\')}]}]}',
        bedrock_role.arn,
    ),
    (
        "denied",
        f"arn:aws:apigateway:{region}:runtime.sagemaker:path/endpoints/{endpoint}/invocations",
        "$input.body",
        other_role.arn,
    ),
):
    resource = aws.apigateway.Resource(
        path, rest_api=api.id, parent_id=api.root_resource_id, path_part=path
    )
    method = aws.apigateway.Method(
        path, rest_api=api.id, resource_id=resource.id, http_method="POST", authorization="NONE"
    )
    integration = aws.apigateway.Integration(
        path,
        rest_api=api.id,
        resource_id=resource.id,
        http_method=method.http_method,
        type="AWS",
        integration_http_method="POST",
        uri=uri,
        credentials=credentials,
        request_templates={"application/json": template},
        passthrough_behavior="NEVER",
    )
    parts += [method, integration]
    for status in ("200", *MESSAGES):
        response = aws.apigateway.MethodResponse(
            f"{path}-{status}",
            rest_api=api.id,
            resource_id=resource.id,
            http_method=method.http_method,
            status_code=status,
        )
        parts.append(
            aws.apigateway.IntegrationResponse(
                f"{path}-{status}",
                rest_api=api.id,
                resource_id=resource.id,
                http_method=method.http_method,
                status_code=response.status_code,
                selection_pattern=PATTERNS.get(status),
                response_templates=(
                    {"application/json": json.dumps({"message": MESSAGES[status]})}
                    if status in MESSAGES
                    else None
                ),
                opts=pulumi.ResourceOptions(depends_on=[integration]),
            )
        )
        parts.append(response)

deployment = aws.apigateway.Deployment(
    "api", rest_api=api.id, opts=pulumi.ResourceOptions(depends_on=parts)
)
stage = aws.apigateway.Stage("api", rest_api=api.id, stage_name="v1", deployment=deployment.id)
pulumi.export("url", stage.invoke_url)
