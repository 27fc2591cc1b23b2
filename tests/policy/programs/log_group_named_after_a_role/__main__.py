"""A log group whose name the program builds from an auto-named role's name, without
delete_before_replace: a fixed name the pack sees only once pulumi-aws's Check has named the
role, as the CLI's preview shows it."""

import json

import pulumi_aws as aws

role = aws.iam.Role(
    "worker",
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
aws.cloudwatch.LogGroup(
    "worker-logs",
    name=role.name.apply(lambda name: f"/aigw/{name}"),
    retention_in_days=7,
)
