"""GET /add?a=..&b=.. answers {"sum": a + b}; any other path is 404."""

import json


def handler(event, context):
    if event.get("path") != "/add":
        return {"statusCode": 404, "body": json.dumps({"error": f"no route {event.get('path')}"})}
    params = event.get("queryStringParameters") or {}
    try:
        total = float(params["a"]) + float(params["b"])
    except (KeyError, ValueError):
        return {"statusCode": 400, "body": json.dumps({"error": "a and b must be numbers"})}
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"sum": total}),
    }
