"""A REST API defined by its OpenAPI document (`body`), the Lambda integration given as
`x-amazon-apigateway-integration`; the deployment's trigger is the document's hash, so any
change to the API is redeployed."""

import hashlib
import json

import pulumi
import pulumi_aws as aws

role = aws.iam.Role(
    "greeter-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
)
aws.iam.RolePolicyAttachment(
    "greeter-logs",
    role=role.name,
    policy_arn=aws.iam.ManagedPolicy.AWS_LAMBDA_BASIC_EXECUTION_ROLE,
)

greeter = aws.lambda_.Function(
    "greeter",
    runtime="python3.12",
    handler="handler.handler",
    role=role.arn,
    code=pulumi.FileArchive("./app"),
)


def openapi(invoke_arn: str) -> str:
    return json.dumps(
        {
            "openapi": "3.0.1",
            "info": {"title": "greeter", "version": "1.0"},
            "paths": {
                "/greet": {
                    "get": {
                        "parameters": [
                            {"name": "name", "in": "query", "schema": {"type": "string"}}
                        ],
                        "x-amazon-apigateway-integration": {
                            "type": "aws_proxy",
                            "httpMethod": "POST",
                            "uri": invoke_arn,
                        },
                    }
                }
            },
        }
    )


body = greeter.invoke_arn.apply(openapi)

api = aws.apigateway.RestApi(
    "greeter-api",
    body=body,
    endpoint_configuration={"types": "REGIONAL"},
)

aws.lambda_.Permission(
    "greeter-invoke",
    action="lambda:InvokeFunction",
    function=greeter.name,
    principal="apigateway.amazonaws.com",
    source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/GET/greet"),
)

deployment = aws.apigateway.Deployment(
    "greeter-deployment",
    rest_api=api.id,
    triggers={"redeployment": body.apply(lambda b: hashlib.sha1(b.encode()).hexdigest())},
)

stage = aws.apigateway.Stage(
    "greeter-v1",
    rest_api=api.id,
    deployment=deployment.id,
    stage_name="v1",
)

pulumi.export("url", stage.invoke_url)
