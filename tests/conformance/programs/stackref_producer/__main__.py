"""The shared part of a two-project system: a notes table. conformance-stackref-consumer reads
its name and ARN through a StackReference."""

import pulumi
import pulumi_aws as aws

notes = aws.dynamodb.Table(
    "notes",
    billing_mode="PAY_PER_REQUEST",
    hash_key="author",
    range_key="sequence",
    attributes=[
        {"name": "author", "type": "S"},
        {"name": "sequence", "type": "N"},
    ],
    tags={"owner": "conformance-stackref-producer"},
)

pulumi.export("tableName", notes.name)
pulumi.export("tableArn", notes.arn)
