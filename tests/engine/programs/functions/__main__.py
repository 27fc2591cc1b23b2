"""A Lambda function with its role, inline policy, managed-policy attachment and permission.

name          function and role name (unique per test, since tests share one emulator)
code          path of the code: a .zip file or a folder (FileArchive), or with codeKind=assets
              a folder whose handler.py goes into an AssetArchive next to a StringAsset
codeKind      archive (default) or assets
message       the MESSAGE environment variable: configuration, updates in place
timeout       function timeout in seconds: configuration, updates in place
policyAction  the action the inline policy allows: updates the RolePolicy in place
description   the role's description: updates the Role in place
region        the function's and permission's own region (default: the provider's)
"""

import json
from pathlib import Path

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
name = config.require("name")

role = aws.iam.Role(
    "role",
    name=name,
    description=config.get("description") or "first",
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
    tags={"project": "providertest"},
)
aws.iam.RolePolicy(
    "policy",
    role=role.name,
    name="logs",
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": config.get("policyAction") or "logs:PutLogEvents",
                    "Resource": "*",
                }
            ],
        }
    ),
)
aws.iam.RolePolicyAttachment(
    "basic",
    role=role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
)

code_path = config.require("code")
if config.get("codeKind") == "assets":
    code = pulumi.AssetArchive(
        {
            "handler.py": pulumi.FileAsset(str(Path(code_path) / "handler.py")),
            "extra.txt": pulumi.StringAsset("from a StringAsset"),
        }
    )
else:
    code = pulumi.FileArchive(code_path)

function = aws.lambda_.Function(
    "function",
    name=name,
    runtime="python3.12",
    handler="handler.handler",
    role=role.arn,
    code=code,
    timeout=config.get_int("timeout") or 5,
    memory_size=128,
    environment={"variables": {"MESSAGE": config.get("message") or "hello"}},
    tags={"project": "providertest"},
    region=config.get("region"),
)
permission = aws.lambda_.Permission(
    "invoke",
    action="lambda:InvokeFunction",
    function=function.arn,  # an ARN here; a name works as well
    principal="apigateway.amazonaws.com",
    source_arn="arn:aws:execute-api:us-east-1:000000000000:abcdef1234/*/*",
    region=config.get("region"),
)

pulumi.export("functionName", function.name)
pulumi.export("functionArn", function.arn)
pulumi.export("invokeArn", function.invoke_arn)
pulumi.export("qualifiedArn", function.qualified_arn)
pulumi.export("version", function.version)
pulumi.export("roleArn", role.arn)
pulumi.export("roleName", role.name)
pulumi.export("statementId", permission.statement_id)
