"""A function that signs messages: its greeting comes from an SSM parameter and its signing key
from a Secrets Manager secret, both read at run time (only their names are in its environment)."""

import json

import pulumi
import pulumi_aws as aws

signing_key = aws.secretsmanager.Secret("signing-key", description="Key the signer uses")
aws.secretsmanager.SecretVersion(
    "signing-key-value",
    secret_id=signing_key.id,
    secret_string=pulumi.Output.secret(json.dumps({"key": "conformance-signing-key"})),
)

greeting = aws.ssm.Parameter("greeting", type="String", value="Hello")

role = aws.iam.Role(
    "signer-role",
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
aws.iam.RolePolicy(
    "signer-reads-config",
    role=role.id,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": signing_key.arn,
                },
                {"Effect": "Allow", "Action": "ssm:GetParameter", "Resource": greeting.arn},
            ],
        }
    ),
)

signer = aws.lambda_.Function(
    "signer",
    runtime="python3.12",
    handler="handler.handler",
    role=role.arn,
    code=pulumi.FileArchive("./app"),
    environment={"variables": {"SECRET_ID": signing_key.id, "GREETING_PARAMETER": greeting.name}},
    timeout=10,
)

pulumi.export("functionName", signer.name)
pulumi.export("secretArn", signing_key.arn)
pulumi.export("parameterName", greeting.name)
