"""An OrderPlaced event's detail {"id", "unitPrice", "quantity"} becomes
{"id", "total"} on $QUEUE_URL."""

import json
import os

import boto3

_sqs = None


def handler(event, context):
    global _sqs
    if _sqs is None:
        _sqs = boto3.client("sqs")
    detail = event["detail"]
    priced = {"id": detail["id"], "total": detail["unitPrice"] * detail["quantity"]}
    _sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps(priced))
    return priced
