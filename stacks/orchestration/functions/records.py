"""Each service keeps what it was asked and what it answered, under its own bucket prefix:
s3://$DATA_BUCKET/$DATA_PREFIX/<request id>/{request,result}.json"""

import json
import os

import boto3

_s3 = None  # one client per container, made on first use


def _client():
    global _s3
    if _s3 is None:
        _s3 = boto3.client("s3")
    return _s3


def store(request_id: str, request: dict, result: dict) -> str:
    """Write both documents; returns the key prefix they were written under."""
    bucket, prefix = os.environ["DATA_BUCKET"], os.environ["DATA_PREFIX"]
    base = f"{prefix}/{request_id}"
    for name, document in (("request", request), ("result", result)):
        _client().put_object(
            Bucket=bucket,
            Key=f"{base}/{name}.json",
            Body=json.dumps(document).encode(),
            ContentType="application/json",
        )
    return f"s3://{bucket}/{base}/"
