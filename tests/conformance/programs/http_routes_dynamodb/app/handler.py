"""PUT /items/{id} stores the JSON body under the id; GET /items/{id} reads it back from
DynamoDB with the total price of its lines ({"id", "lines", "total"}), or 404."""

import json
import os

import boto3

_table = None


def table():
    global _table
    if _table is None:
        _table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    return _table


def answer(status, body):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }


def handler(event, context):
    item_id = event["pathParameters"]["id"]
    method = event["requestContext"]["http"]["method"]
    if method == "PUT":
        document = json.loads(event.get("body") or "{}")
        table().put_item(Item={"id": item_id, "document": json.dumps(document)})
        return answer(200, {"stored": item_id})
    found = table().get_item(Key={"id": item_id}).get("Item")
    if found is None:
        return answer(404, {"error": f"no item {item_id}"})
    lines = json.loads(found["document"])["lines"]
    total = sum(line["price"] * line["quantity"] for line in lines)
    return answer(200, {"id": item_id, "lines": len(lines), "total": total})
