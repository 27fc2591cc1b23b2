"""POST /notes/{author} {"text"} adds a note numbered after the author's last one;
GET /notes/{author} answers {"author", "notes": [texts in order], "words": total word count}."""

import json
import os

import boto3
from boto3.dynamodb.conditions import Key

_table = None


def table():
    global _table
    if _table is None:
        _table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    return _table


def notes_of(author):
    found = table().query(KeyConditionExpression=Key("author").eq(author))["Items"]
    return sorted(found, key=lambda item: item["sequence"])


def handler(event, context):
    author = event["pathParameters"]["author"]
    existing = notes_of(author)
    if event["requestContext"]["http"]["method"] == "POST":
        text = json.loads(event.get("body") or "{}")["text"]
        sequence = int(existing[-1]["sequence"]) + 1 if existing else 1
        table().put_item(Item={"author": author, "sequence": sequence, "text": text})
        body = {"author": author, "sequence": sequence}
    else:
        texts = [item["text"] for item in existing]
        body = {"author": author, "notes": texts, "words": sum(len(t.split()) for t in texts)}
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }
