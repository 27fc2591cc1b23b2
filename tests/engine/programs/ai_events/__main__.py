"""How an AI service reacts to events: a bus whose rule sends "inference completed" events to a
queue, a Step Functions workflow that post-processes a result, its log group, and an alarm on
the workflow's failures. Every resource is auto-named, as Pulumi's examples leave them.

description   the rule's description (default "completed inferences"): updates in place
"""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()

bus = aws.cloudwatch.EventBus("inference")
completed = aws.sqs.Queue("completed")
rule = aws.cloudwatch.EventRule(
    "on-completed",
    event_bus_name=bus.name,
    description=config.get("description") or "completed inferences",
    event_pattern=json.dumps({"source": ["ai.gateway"], "detail-type": ["InferenceCompleted"]}),
)
aws.cloudwatch.EventTarget(
    "to-queue",
    rule=rule.name,
    event_bus_name=bus.name,
    arn=completed.arn,
)
aws.sqs.QueuePolicy(
    "completed-policy",
    queue_url=completed.url,
    policy=pulumi.Output.all(completed.arn, rule.arn).apply(
        lambda arns: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "events.amazonaws.com"},
                        "Action": "sqs:SendMessage",
                        "Resource": arns[0],
                        "Condition": {"ArnEquals": {"aws:SourceArn": arns[1]}},
                    }
                ],
            }
        )
    ),
)

workflow_role = aws.iam.Role(
    "workflow-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "states.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
)
workflow_logs = aws.cloudwatch.LogGroup("workflow-logs", retention_in_days=7)
workflow = aws.sfn.StateMachine(
    "postprocess",
    role_arn=workflow_role.arn,
    definition=json.dumps(
        {
            "Comment": "Tags a model answer as post-processed",
            "StartAt": "Annotate",
            "States": {
                "Annotate": {
                    "Type": "Pass",
                    "Result": {"postprocessed": True},
                    "ResultPath": "$.annotation",
                    "End": True,
                }
            },
        }
    ),
    logging_configuration={
        "level": "ERROR",
        "include_execution_data": False,
        "log_destination": workflow_logs.arn.apply(lambda arn: f"{arn}:*"),
    },
)
aws.cloudwatch.MetricAlarm(
    "workflow-failures",
    namespace="AWS/States",
    metric_name="ExecutionsFailed",
    dimensions={"StateMachineArn": workflow.arn},
    statistic="Sum",
    period=60,
    evaluation_periods=1,
    comparison_operator="GreaterThanOrEqualToThreshold",
    threshold=1,
    treat_missing_data="notBreaching",
)

pulumi.export("busName", bus.name)
pulumi.export("ruleArn", rule.arn)
pulumi.export("queueUrl", completed.url)
pulumi.export("stateMachineArn", workflow.arn)
pulumi.export("stateMachineStatus", workflow.status)
pulumi.export("logGroupName", workflow_logs.name)
