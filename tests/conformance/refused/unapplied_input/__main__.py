"""A function attached to a VPC (`vpc_config`): the local engine does not apply it (the
emulator has no VPC networking for functions), so it must refuse the program at plan time
rather than create a function that is not what the program says."""

import json

import pulumi
import pulumi_aws as aws

role = aws.iam.Role(
    "vpc-function-role",
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

aws.lambda_.Function(
    "vpc-function",
    runtime="python3.12",
    handler="handler.handler",
    role=role.arn,
    code=pulumi.AssetArchive(
        {"handler.py": pulumi.StringAsset("def handler(event, context):\n    return {}\n")}
    ),
    vpc_config={"subnet_ids": ["subnet-0a1b2c3d"], "security_group_ids": ["sg-0a1b2c3d"]},
)
