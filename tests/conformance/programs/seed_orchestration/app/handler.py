"""The AI service the seed leaves to the reader: GET /?text=... answers the text's word count
and its most frequent word."""

import json
from collections import Counter


def main(event, context):
    text = (event.get("queryStringParameters") or {}).get("text", "")
    words = text.lower().split()
    top = Counter(words).most_common(1)
    body = {"words": len(words), "mostFrequent": top[0][0] if top else None}
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }
