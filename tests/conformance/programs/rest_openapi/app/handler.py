"""GET /greet?name=<name> answers {"greeting": "Hello, <name>!", "letters": <len(name)>}."""

import json


def handler(event, context):
    name = (event.get("queryStringParameters") or {}).get("name") or "world"
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"greeting": f"Hello, {name}!", "letters": len(name)}),
    }
