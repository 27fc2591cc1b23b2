"""POST /v1/score {"values": [...]} answers {"count", "mean", "max"} of the values."""

import json


def handler(event, context):
    values = json.loads(event.get("body") or "{}").get("values") or []
    if not values:
        return {"statusCode": 400, "body": json.dumps({"error": "values must not be empty"})}
    body = {"count": len(values), "mean": sum(values) / len(values), "max": max(values)}
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }
