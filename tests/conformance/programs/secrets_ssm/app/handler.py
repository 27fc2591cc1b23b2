"""{"name"} -> {"message": "<greeting>, <name>!", "signature": HMAC-SHA256 of the message
with the secret's key}."""

import hashlib
import hmac
import json
import os

import boto3


def handler(event, context):
    greeting = boto3.client("ssm").get_parameter(Name=os.environ["GREETING_PARAMETER"])
    secret = boto3.client("secretsmanager").get_secret_value(SecretId=os.environ["SECRET_ID"])
    key = json.loads(secret["SecretString"])["key"]
    message = f"{greeting['Parameter']['Value']}, {event['name']}!"
    signature = hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()
    return {"message": message, "signature": signature}
