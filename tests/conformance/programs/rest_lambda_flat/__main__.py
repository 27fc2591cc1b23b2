"""A REST API with a greedy `{proxy+}` resource in front of one Lambda function, flat, in the
style of pulumi/examples aws-py-apigateway-lambda-serverless."""

import json

import pulumi
import pulumi_aws as aws

role = aws.iam.Role(
    "calculator-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "sts:AssumeRole",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Effect": "Allow",
                }
            ],
        }
    ),
)

aws.iam.RolePolicyAttachment(
    "calculator-logs",
    role=role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
)

calculator = aws.lambda_.Function(
    "calculator",
    runtime="python3.12",
    handler="handler.handler",
    role=role.arn,
    code=pulumi.AssetArchive({".": pulumi.FileArchive("./app")}),
    timeout=10,
)

api = aws.apigateway.RestApi("calculator-api", description="Adds the numbers it is given")

proxy = aws.apigateway.Resource(
    "proxy",
    rest_api=api.id,
    parent_id=api.root_resource_id,
    path_part="{proxy+}",
)

proxy_method = aws.apigateway.Method(
    "proxy-any",
    rest_api=api.id,
    resource_id=proxy.id,
    http_method="ANY",
    authorization="NONE",
)

proxy_integration = aws.apigateway.Integration(
    "proxy-lambda",
    rest_api=api.id,
    resource_id=proxy.id,
    http_method=proxy_method.http_method,
    integration_http_method="POST",
    type="AWS_PROXY",
    uri=calculator.invoke_arn,
)

aws.lambda_.Permission(
    "apigateway-invoke",
    action="lambda:InvokeFunction",
    function=calculator.name,
    principal="apigateway.amazonaws.com",
    source_arn=pulumi.Output.concat(api.execution_arn, "/*/*"),
)

deployment = aws.apigateway.Deployment(
    "calculator-deployment",
    rest_api=api.id,
    opts=pulumi.ResourceOptions(depends_on=[proxy_integration]),
)

stage = aws.apigateway.Stage(
    "calculator-stage",
    rest_api=api.id,
    deployment=deployment.id,
    stage_name="dev",
)

pulumi.export("url", stage.invoke_url)
