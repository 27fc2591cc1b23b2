"""The roles of the program, kept apart as pulumi/examples aws-py-stepfunctions does."""

import json

import pulumi_aws as aws


def assumed_by(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )


lambda_role = aws.iam.Role("lambdaRole", assume_role_policy=assumed_by("lambda.amazonaws.com"))

aws.iam.RolePolicyAttachment(
    "lambdaRoleLogs",
    role=lambda_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
)

sfn_role = aws.iam.Role("sfnRole", assume_role_policy=assumed_by("states.amazonaws.com"))

aws.iam.RolePolicy(
    "sfnRolePolicy",
    role=sfn_role.id,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"}],
        }
    ),
)
