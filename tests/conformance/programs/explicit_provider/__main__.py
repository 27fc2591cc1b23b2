"""An explicit `aws.Provider` for a second region: its queue and the parameter recording the
queue's URL are made there, not in the stack's region."""

import pulumi
import pulumi_aws as aws

west = aws.Provider("us-west-2", region="us-west-2")
in_west = pulumi.ResourceOptions(provider=west)

jobs = aws.sqs.Queue(
    "jobs",
    visibility_timeout_seconds=45,
    message_retention_seconds=3600,
    opts=in_west,
)
jobs_url = aws.ssm.Parameter(
    "jobs-queue-url",
    type="String",
    value=jobs.url,
    description="Where workers in us-west-2 read jobs from",
    opts=in_west,
)

pulumi.export("queueUrl", jobs.url)
pulumi.export("queueArn", jobs.arn)
pulumi.export("parameterName", jobs_url.name)
