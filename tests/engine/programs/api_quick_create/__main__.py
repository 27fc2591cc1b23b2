"""An HTTP API made by quick create, as Pulumi's serverless examples write it: the API's
`target` is a Lambda function and AWS makes the route, the integration and the auto-deployed
`$default` stage; the program adds only the invoke permission.

name      the function's and role's name (unique per test, since tests share one emulator)
routeKey  the quick-created route (default `$default`)
"""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
name = config.require("name")

role = aws.iam.Role(
    "role",
    name=name,
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
handler = """
import json

def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"path": event.get("rawPath")})}
"""
function = aws.lambda_.Function(
    "function",
    name=name,
    role=role.arn,
    runtime="python3.12",
    handler="index.handler",
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset(handler)}),
)
api = aws.apigatewayv2.Api(
    "api",
    protocol_type="HTTP",
    target=function.arn,
    route_key=config.get("routeKey") or "$default",
)
aws.lambda_.Permission(
    "invoke",
    action="lambda:InvokeFunction",
    function=function.name,
    principal="apigateway.amazonaws.com",
    source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/*"),
)

pulumi.export("apiId", api.id)
pulumi.export("endpoint", api.api_endpoint)
