"""A function on python3.8, a runtime Lambda deprecated."""

import pulumi
import pulumi_aws as aws

aws.lambda_.Function(
    "old",
    runtime="python3.8",
    handler="index.handler",
    role="arn:aws:iam::000000000000:role/runner",
    code=pulumi.AssetArchive(
        {"index.py": pulumi.StringAsset("def handler(e, c):\n    return e\n")}
    ),
)
