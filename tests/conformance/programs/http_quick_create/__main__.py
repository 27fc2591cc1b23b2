"""An HTTP API made by quick create, in the style of pulumi/examples
aws-py-apigatewayv2-http-api-quickcreate: `target` and `route_key` on the Api make the
integration, the route and the auto-deployed `$default` stage. Resources are passed as inputs
(`role=role`, `function=reverser`), as pulumi-aws accepts."""

import json

import pulumi
import pulumi_aws as aws

role = aws.iam.Role(
    "reverser-role",
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
    "reverser-logs",
    role=role,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
)

reverser = aws.lambda_.Function(
    "reverser",
    runtime="python3.12",
    handler="handler.handler",
    role=role.arn,
    code=pulumi.FileArchive("./app"),
)

api = aws.apigatewayv2.Api(
    "reverser-api",
    protocol_type="HTTP",
    target=reverser.arn,
    route_key="POST /reverse",
)

aws.lambda_.Permission(
    "reverser-invoke",
    action="lambda:InvokeFunction",
    function=reverser,
    principal="apigateway.amazonaws.com",
    source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/*"),
)

pulumi.export("endpoint", api.api_endpoint)
