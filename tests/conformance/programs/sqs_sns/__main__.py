"""An orders API: the function prices each order, queues it for fulfilment (SQS) and announces
it (SNS). The role's policy is built with `aws.iam.get_policy_document_output` from the queue's
and topic's ARNs."""

import json

import pulumi
import pulumi_aws as aws

orders_queue = aws.sqs.Queue("orders", visibility_timeout_seconds=30)
orders_topic = aws.sns.Topic("order-events")

role = aws.iam.Role(
    "orders-role",
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
send_and_publish = aws.iam.get_policy_document_output(
    statements=[
        {"effect": "Allow", "actions": ["sqs:SendMessage"], "resources": [orders_queue.arn]},
        {"effect": "Allow", "actions": ["sns:Publish"], "resources": [orders_topic.arn]},
    ]
)
aws.iam.RolePolicy("orders-send", role=role.id, policy=send_and_publish.json)

orders = aws.lambda_.Function(
    "orders",
    runtime="python3.12",
    handler="handler.handler",
    role=role.arn,
    code=pulumi.FileArchive("./app"),
    environment={"variables": {"QUEUE_URL": orders_queue.url, "TOPIC_ARN": orders_topic.arn}},
    timeout=10,
)

api = aws.apigatewayv2.Api("orders-api", protocol_type="HTTP")
integration = aws.apigatewayv2.Integration(
    "orders-lambda",
    api_id=api.id,
    integration_type="AWS_PROXY",
    integration_uri=orders.invoke_arn,
    payload_format_version="2.0",
)
aws.apigatewayv2.Route(
    "post-orders",
    api_id=api.id,
    route_key="POST /orders",
    target=pulumi.Output.concat("integrations/", integration.id),
)
stage = aws.apigatewayv2.Stage("orders-stage", api_id=api.id, name="prod", auto_deploy=True)
aws.lambda_.Permission(
    "orders-invoke",
    action="lambda:InvokeFunction",
    function=orders.name,
    principal="apigateway.amazonaws.com",
    source_arn=pulumi.Output.concat(api.execution_arn, "/*/POST/orders"),
)

pulumi.export("url", stage.invoke_url)
pulumi.export("queueUrl", orders_queue.url)
pulumi.export("topicArn", orders_topic.arn)
