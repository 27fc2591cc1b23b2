"""POST /orders {"id", "lines": [{"price", "quantity"}]}: the order's total is computed, the
priced order queued on $QUEUE_URL and announced on $TOPIC_ARN; answers
{"id", "total", "messageId"}."""

import json
import os

import boto3

_sqs = _sns = None


def handler(event, context):
    global _sqs, _sns
    if _sqs is None:
        _sqs, _sns = boto3.client("sqs"), boto3.client("sns")
    order = json.loads(event.get("body") or "{}")
    total = round(sum(line["price"] * line["quantity"] for line in order["lines"]), 2)
    priced = {"id": order["id"], "total": total}
    sent = _sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps(priced))
    _sns.publish(TopicArn=os.environ["TOPIC_ARN"], Message=json.dumps(priced), Subject="order")
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({**priced, "messageId": sent["MessageId"]}),
    }
