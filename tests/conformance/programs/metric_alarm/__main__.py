"""A function with its log group declared (so its retention is set and destroy removes it) and
a CloudWatch alarm on its errors that notifies an SNS topic."""

import json

import pulumi
import pulumi_aws as aws

alerts = aws.sns.Topic("alerts")

role = aws.iam.Role(
    "divider-role",
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
aws.iam.RolePolicyAttachment(
    "divider-logs",
    role=role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
)

divider = aws.lambda_.Function(
    "divider",
    runtime="python3.12",
    handler="handler.handler",
    role=role.arn,
    code=pulumi.FileArchive("./app"),
)

aws.cloudwatch.LogGroup(
    "divider-log-group",
    name=divider.name.apply(lambda name: f"/aws/lambda/{name}"),
    retention_in_days=7,
)

errors = aws.cloudwatch.MetricAlarm(
    "divider-errors",
    alarm_description="The divider failed at least once in a minute",
    namespace="AWS/Lambda",
    metric_name="Errors",
    dimensions={"FunctionName": divider.name},
    statistic="Sum",
    period=60,
    evaluation_periods=1,
    threshold=1,
    comparison_operator="GreaterThanOrEqualToThreshold",
    treat_missing_data="notBreaching",
    alarm_actions=[alerts.arn],
)

pulumi.export("functionName", divider.name)
pulumi.export("alarmName", errors.name)
pulumi.export("topicArn", alerts.arn)
