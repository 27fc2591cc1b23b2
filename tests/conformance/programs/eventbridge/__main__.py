"""A custom event bus; a rule matching `shop.orders` events targets a function that prices each
order and queues the result, so what the rule delivered can be read back."""

import json

import pulumi
import pulumi_aws as aws

bus = aws.cloudwatch.EventBus("shop")
priced = aws.sqs.Queue("priced-orders")

role = aws.iam.Role(
    "pricer-role",
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
aws.iam.RolePolicy(
    "pricer-send",
    role=role.id,
    policy=priced.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": arn}],
            }
        )
    ),
)

pricer = aws.lambda_.Function(
    "pricer",
    runtime="python3.12",
    handler="handler.handler",
    role=role.arn,
    code=pulumi.FileArchive("./app"),
    environment={"variables": {"QUEUE_URL": priced.url}},
    timeout=10,
)

placed = aws.cloudwatch.EventRule(
    "order-placed",
    event_bus_name=bus.name,
    description="Orders placed in the shop",
    event_pattern=json.dumps({"source": ["shop.orders"], "detail-type": ["OrderPlaced"]}),
)

aws.lambda_.Permission(
    "events-invoke-pricer",
    action="lambda:InvokeFunction",
    function=pricer.name,
    principal="events.amazonaws.com",
    source_arn=placed.arn,
)

aws.cloudwatch.EventTarget(
    "price-order",
    rule=placed.name,
    event_bus_name=bus.name,
    arn=pricer.arn,
)

pulumi.export("busName", bus.name)
pulumi.export("queueUrl", priced.url)
