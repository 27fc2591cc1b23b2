"""The AI application the seed leaves to the reader: POST /ai {"prompt"} answers the prompt's
tokens and their count."""

import json


def handler(event, context):
    prompt = json.loads(event.get("body") or "{}").get("prompt", "")
    tokens = prompt.split()
    body = {"tokens": tokens, "count": len(tokens)}
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }
