"""The AI workflow step the seed leaves to the reader: any method on /ai-service runs the
steps named in the body over its text, in order: {"text", "steps": ["lower", "split", "count"]}."""

import json

STEPS = {
    "lower": lambda value: value.lower(),
    "upper": lambda value: value.upper(),
    "split": lambda value: value.split(),
    "count": lambda value: len(value),
}


def handler(event, context):
    request = json.loads(event.get("body") or "{}")
    value = request.get("text", "")
    for step in request.get("steps", []):
        value = STEPS[step](value)
    body = {"method": event.get("httpMethod"), "result": value}
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }
