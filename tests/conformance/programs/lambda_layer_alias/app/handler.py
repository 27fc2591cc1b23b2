"""GET /convert?celsius=<c> answers {"fahrenheit": <from the layer's units module>,
"version": <the function version serving the call>}."""

import json

import units


def handler(event, context):
    celsius = float((event.get("queryStringParameters") or {})["celsius"])
    body = {"fahrenheit": units.fahrenheit(celsius), "version": context.function_version}
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }
