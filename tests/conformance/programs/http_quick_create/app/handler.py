"""POST /reverse {"text": ...} answers {"reversed": <text backwards>, "words": <word count>}."""

import base64
import json


def handler(event, context):
    raw = event.get("body") or "{}"
    if event.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode()
    text = json.loads(raw).get("text", "")
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"reversed": text[::-1], "words": len(text.split())}),
    }
