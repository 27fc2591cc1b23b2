"""A customer managed policy (read-only access to a bucket) attached to a role, the role and
the policy passed to the attachment as resources."""

import json

import pulumi
import pulumi_aws as aws

reports = aws.s3.Bucket("reports")

read_reports = aws.iam.Policy(
    "read-reports",
    description="Read the reports bucket",
    policy=reports.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": arn},
                    {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"{arn}/*"},
                ],
            }
        )
    ),
)

reader = aws.iam.Role(
    "report-reader",
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

aws.iam.RolePolicyAttachment("reader-reads-reports", role=reader, policy_arn=read_reports.arn)

pulumi.export("roleName", reader.name)
pulumi.export("policyArn", read_reports.arn)
pulumi.export("bucket", reports.bucket)
