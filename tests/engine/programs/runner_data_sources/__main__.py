"""The data sources programs use most, in their plain and `_output` forms, and a policy
document passed to a role the way Pulumi's examples write it."""

import pulumi
import pulumi_aws as aws

identity = aws.get_caller_identity()
region = aws.get_region()
partition = aws.get_partition()
zones = aws.get_availability_zones(exclude_names=[f"{region.region}c"])

assume = aws.iam.get_policy_document(
    statements=[
        aws.iam.GetPolicyDocumentStatementArgs(
            actions=["sts:AssumeRole"],
            principals=[
                aws.iam.GetPolicyDocumentStatementPrincipalArgs(
                    type="Service", identifiers=["lambda.amazonaws.com"]
                )
            ],
        )
    ]
)
bucket = aws.s3.Bucket("bucket")
access = aws.iam.get_policy_document_output(
    policy_id="access",
    statements=[
        {
            "sid": "Read",
            "actions": ["s3:GetObject", "s3:ListBucket"],
            "resources": [bucket.arn, pulumi.Output.concat(bucket.arn, "/&{aws:username}/*")],
            "conditions": [
                {
                    "test": "StringEquals",
                    "variable": "aws:SourceAccount",
                    "values": [identity.account_id],
                },
                {"test": "ArnLike", "variable": "aws:SourceArn", "values": ["arn:a", "arn:b"]},
            ],
        },
        {  # a dict literal keeps its snake_case keys on the wire
            "effect": "Deny",
            "not_actions": ["s3:*"],
            "not_resources": ["*"],
            "not_principals": [
                {"type": "AWS", "identifiers": [f"arn:aws:iam::{identity.account_id}:root"]}
            ],
        },
    ],
)
role = aws.iam.Role("role", assume_role_policy=assume.json)

pulumi.export(
    "identity",
    {
        "account": identity.account_id,
        "arn": identity.arn,
        "user": identity.user_id,
        "id": identity.id,
    },
)
pulumi.export(
    "region",
    {
        "name": region.name,
        "region": region.region,
        "id": region.id,
        "endpoint": region.endpoint,
        "description": region.description,
    },
)
pulumi.export(
    "partition",
    {
        "partition": partition.partition,
        "dnsSuffix": partition.dns_suffix,
        "reverse": partition.reverse_dns_prefix,
    },
)
pulumi.export("zones", {"names": zones.names, "zoneIds": zones.zone_ids})
pulumi.export("assumeJson", assume.json)
pulumi.export("accessJson", access.json)
pulumi.export("accessMinified", access.minified_json)
pulumi.export("outputForm", aws.get_caller_identity_output().account_id)
