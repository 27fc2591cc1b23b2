"""API Gateway's CloudWatch role, set in the account settings of every region a stack logs in.

A REST stage with access or execution logging fails on AWS until the account's API Gateway
settings of its region name a role API Gateway may assume to write CloudWatch Logs ("CloudWatch
Logs role ARN must be set in account settings to enable logging"). The setting is one per account
and region, outside any pattern stack, so the bootstrap project makes it once:
- one IAM role (IAM is global) that only `apigateway.amazonaws.com` may assume, with the AWS
  managed policy made for this (`AmazonAPIGatewayPushToCloudWatchLogs`) attached;
- one `aws.apigateway.Account` per region naming that role.
Pass `opts=ResourceOptions(protect=True)`: children inherit it, so a stray `destroy` cannot leave
every stage of the account unable to log.

Outputs: `role_arn`, `regions` (sorted).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from shared.components import naming

TYPE = "aigw:apigateway:AccountLogging"
PUSH_TO_CLOUDWATCH = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
# The bootstrap's roles live on this IAM path; the deploy role may not change what is on it.
BOOTSTRAP_PATH = "/aigw-bootstrap/"
ASSUMED_BY_API_GATEWAY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "apigateway.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


class AccountLogging(pulumi.ComponentResource):
    role_arn: pulumi.Output[str]
    regions: list[str]

    def __init__(
        self, name: str, regions: Sequence[str], opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        if not regions:
            raise ValueError(f"{TYPE} {name}: no region to set the CloudWatch role in.")
        self.regions = sorted(set(regions))
        role = aws.iam.Role(
            f"{name}-role",
            path=BOOTSTRAP_PATH,
            description="API Gateway writes stage logs to CloudWatch Logs with this role.",
            assume_role_policy=ASSUMED_BY_API_GATEWAY,
            tags=naming.tags(),
            opts=naming.child(self),
        )
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-push-to-cloudwatch",
            role=role.name,
            policy_arn=PUSH_TO_CLOUDWATCH,
            opts=naming.child(self),
        )
        for region in self.regions:
            # One setting per account and region: a replacement must reset it before setting.
            aws.apigateway.Account(
                f"{name}-{region}",
                cloudwatch_role_arn=role.arn,
                region=region,
                opts=naming.child(self, depends_on=[attachment], delete_before_replace=True),
            )
        self.role_arn = role.arn
        self.register_outputs({"role_arn": self.role_arn, "regions": self.regions})
