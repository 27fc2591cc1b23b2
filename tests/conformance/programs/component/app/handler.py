"""GET /count?word=<word> answers {"vowels": <how many letters of word are in $VOWELS>}."""

import json
import os


def handler(event, context):
    word = (event.get("queryStringParameters") or {}).get("word", "")
    vowels = sum(1 for letter in word.lower() if letter in os.environ["VOWELS"])
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"word": word, "vowels": vowels}),
    }
