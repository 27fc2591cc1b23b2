"""Resources the program does not name: the engine names them as pulumi-aws does, once, and
keeps the names in its state.

logName   an explicit log group name (default: none, the group is auto-named)
logClass  the log group class, STANDARD (default) or INFREQUENT_ACCESS: replaces the group
dbr       "true": the log group is replaced delete-before-replace
"""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()

group = aws.cloudwatch.LogGroup(
    "logs",
    name=config.get("logName"),
    log_group_class=config.get("logClass") or "STANDARD",
    retention_in_days=7,
    opts=pulumi.ResourceOptions(delete_before_replace=config.get_bool("dbr") or False),
)
role = aws.iam.Role(
    "role",
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
bucket = aws.s3.Bucket("Data_Bucket", force_destroy=True)
api = aws.apigateway.RestApi("api")

pulumi.export("logGroup", group.name)
pulumi.export("roleName", role.name)
pulumi.export("bucket", bucket.bucket)
pulumi.export("apiName", api.name)
pulumi.export("apiId", api.id)
