"""A REST API in front of a SageMaker endpoint with no Lambda in between, in the shape of
aws-solutions-constructs' aws-apigateway-sagemakerendpoint: an `AWS` integration to the
SageMaker runtime's InvokeEndpoint, called as a role allowed only that endpoint, a request
template, and integration responses (the default one for success, a client error kept as
400) with their method responses."""

import json

import pulumi
import pulumi_aws as aws

endpoint_name = "sentiment"
region = aws.get_region().region

role = aws.iam.Role(
    "invoke-endpoint",
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
)
aws.iam.RolePolicy(
    "invoke-endpoint",
    role=role.id,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sagemaker:InvokeEndpoint",
                    "Resource": f"arn:aws:sagemaker:{region}:*:endpoint/{endpoint_name}",
                }
            ],
        }
    ),
)

api = aws.apigateway.RestApi("sentiment-api", description="Sentiment from a SageMaker endpoint")
predict = aws.apigateway.Resource(
    "predict", rest_api=api.id, parent_id=api.root_resource_id, path_part="predict"
)
method = aws.apigateway.Method(
    "predict-post",
    rest_api=api.id,
    resource_id=predict.id,
    http_method="POST",
    authorization="NONE",
)
integration = aws.apigateway.Integration(
    "predict-post",
    rest_api=api.id,
    resource_id=predict.id,
    http_method=method.http_method,
    type="AWS",
    integration_http_method="POST",
    uri=f"arn:aws:apigateway:{region}:runtime.sagemaker:path/endpoints/{endpoint_name}/invocations",
    credentials=role.arn,
    request_templates={"application/json": "{\"inputs\": $input.json('$.text')}"},
    passthrough_behavior="NEVER",
)
responses = []
for status, pattern, template in (
    ("200", None, None),
    ("400", "4\\d\\d", {"application/json": '{"message": "Bad request"}'}),
    ("500", "5\\d\\d", {"application/json": '{"message": "The model failed"}'}),
):
    method_response = aws.apigateway.MethodResponse(
        f"predict-{status}",
        rest_api=api.id,
        resource_id=predict.id,
        http_method=method.http_method,
        status_code=status,
    )
    responses.append(
        aws.apigateway.IntegrationResponse(
            f"predict-{status}",
            rest_api=api.id,
            resource_id=predict.id,
            http_method=method.http_method,
            status_code=method_response.status_code,
            selection_pattern=pattern,
            response_templates=template,
            opts=pulumi.ResourceOptions(depends_on=[integration]),
        )
    )

deployment = aws.apigateway.Deployment(
    "sentiment-api",
    rest_api=api.id,
    opts=pulumi.ResourceOptions(depends_on=[integration, *responses]),
)
stage = aws.apigateway.Stage("prod", rest_api=api.id, deployment=deployment.id, stage_name="prod")

pulumi.export("url", pulumi.Output.concat(stage.invoke_url, "/predict"))
