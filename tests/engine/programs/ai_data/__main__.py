"""What an AI service keeps next to its API: a table of conversations, a queue of jobs with its
dead-letter queue and its policy, and a topic that fans results out to the queue. Every
resource is auto-named, as Pulumi's examples leave them.

retention     the jobs queue's message retention in seconds (default 86400): updates in place
owner         the owner tag on the table and the topic (default "first"): updates in place
"""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
owner = config.get("owner") or "first"

conversations = aws.dynamodb.Table(
    "conversations",
    hash_key="sessionId",
    range_key="turn",
    attributes=[
        {"name": "sessionId", "type": "S"},
        {"name": "turn", "type": "N"},
        {"name": "userId", "type": "S"},
    ],
    billing_mode="PAY_PER_REQUEST",
    global_secondary_indexes=[
        {"name": "byUser", "hash_key": "userId", "projection_type": "KEYS_ONLY"}
    ],
    ttl={"attribute_name": "expiresAt", "enabled": True},
    point_in_time_recovery={"enabled": True},
    stream_enabled=True,
    stream_view_type="NEW_AND_OLD_IMAGES",
    tags={"owner": owner},
)

dead_letters = aws.sqs.Queue("dead-letters", message_retention_seconds=1209600)
jobs = aws.sqs.Queue(
    "jobs",
    visibility_timeout_seconds=60,
    message_retention_seconds=config.get_int("retention") or 86400,
    receive_wait_time_seconds=10,
    redrive_policy=dead_letters.arn.apply(
        lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 5})
    ),
)

results = aws.sns.Topic("results", display_name="Model results", tags={"owner": owner})

aws.sqs.QueuePolicy(
    "jobs-policy",
    queue_url=jobs.url,
    policy=pulumi.Output.all(jobs.arn, results.arn).apply(
        lambda arns: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "sns.amazonaws.com"},
                        "Action": "sqs:SendMessage",
                        "Resource": arns[0],
                        "Condition": {"ArnEquals": {"aws:SourceArn": arns[1]}},
                    }
                ],
            }
        )
    ),
)
aws.sns.TopicSubscription(
    "results-to-jobs",
    topic=results.arn,
    protocol="sqs",
    endpoint=jobs.arn,
    raw_message_delivery=True,
)

pulumi.export("tableName", conversations.name)
pulumi.export("tableArn", conversations.arn)
pulumi.export("streamArn", conversations.stream_arn)
pulumi.export("jobsUrl", jobs.url)
pulumi.export("jobsArn", jobs.arn)
pulumi.export("deadLettersUrl", dead_letters.url)
pulumi.export("topicArn", results.arn)
