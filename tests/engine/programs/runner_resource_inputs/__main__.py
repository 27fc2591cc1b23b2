"""Resources passed as inputs, as pulumi-aws accepts them: the role object itself for a policy
attachment and a function, the function object for a permission."""

import json

import pulumi
import pulumi_aws as aws

role = aws.iam.Role(
    "role",
    name="runner-role",
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
    "basic",
    role=role,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
)
function = aws.lambda_.Function(
    "function",
    name="runner-function",
    runtime="python3.12",
    handler="handler.handler",
    role=role,
    code=pulumi.AssetArchive({"handler.py": pulumi.StringAsset("def handler(e, c): return 1")}),
)
aws.lambda_.Permission(
    "invoke",
    function=function,
    action="lambda:InvokeFunction",
    principal="apigateway.amazonaws.com",
)
