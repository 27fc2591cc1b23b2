"""The data sources programs use most: the account, region, partition and zones the program
deploys to, and IAM policy documents built with `aws.iam.get_policy_document`."""

import pulumi
import pulumi_aws as aws

current = aws.get_caller_identity()
region = aws.get_region()
partition = aws.get_partition()
zones = aws.get_availability_zones(state="available")

assume_role = aws.iam.get_policy_document(
    statements=[
        {
            "effect": "Allow",
            "actions": ["sts:AssumeRole"],
            "principals": [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}],
        }
    ]
)
write_logs = aws.iam.get_policy_document(
    statements=[
        {
            "effect": "Allow",
            "actions": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "resources": [f"arn:{partition.partition}:logs:{region.region}:{current.account_id}:*"],
        }
    ]
)

role = aws.iam.Role("whoami-role", assume_role_policy=assume_role.json)
aws.iam.RolePolicy("whoami-logs", role=role.id, policy=write_logs.json)

whoami = aws.lambda_.Function(
    "whoami",
    runtime="python3.12",
    handler="handler.handler",
    role=role.arn,
    code=pulumi.FileArchive("./app"),
    environment={
        "variables": {
            "ACCOUNT_ID": current.account_id,
            "PARTITION": partition.partition,
            "DEPLOY_REGION": region.region,
            "ZONE": zones.names[0],
        }
    },
)

pulumi.export("accountId", current.account_id)
pulumi.export("region", region.region)
pulumi.export("partition", partition.partition)
pulumi.export("zones", zones.names)
pulumi.export("functionName", whoami.name)
pulumi.export("functionArn", whoami.arn)
