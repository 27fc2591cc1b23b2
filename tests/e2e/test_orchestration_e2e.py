"""The orchestration stack deployed locally: every route through the emulator's HTTP API to its
Lambda function, the function to the local model and to the bucket; then destroy leaves nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.ops import local
from shared.runtime import ModelClient
from tests.e2e import callers

pytestmark = pytest.mark.emulator

STACK = "orchestration"
POSITIVE = "I love this product, it is wonderful and works great"
NEGATIVE = "Terrible experience, awful quality, I hate it and want a refund"
REVIEW = (
    "The battery lasts two full days. "
    "I ordered it on a Tuesday. "
    "The battery charges fast and the battery never gets hot. "
    "Shipping was slow and the box arrived damaged! "
    "Overall the battery is excellent."
)


# Every service, its function's logical name; each has a role and a log group of its own.
SERVICES = ("classifier", "summarizer", "chat", "health")


@pytest.fixture(scope="module")
def stack_outputs(emulator_server, model_server):
    model = {"type": "http", "url": f"{model_server.url}/invocations"}
    overrides = {f"{STACK}:model": json.dumps(model)}
    outputs = local.deploy(STACK, out=lambda line: None, overrides=overrides)
    try:
        yield outputs
    finally:
        if local.is_deployed(STACK):
            local.destroy(STACK, out=lambda line: None)


@pytest.fixture(scope="module")
def deployed(stack_outputs):
    return {name: output.value for name, output in stack_outputs.items()}


@pytest.fixture(scope="module")
def caller(stack_outputs, http):
    """Calls with a bearer token of the stack's first client (every service's scope)."""
    found = callers.for_stack(STACK, stack_outputs, http)
    assert found.mode == "jwt"
    return found


@pytest.mark.parametrize("path", ["/classify", "/summarize", "/chat", "/health"])
def test_every_route_refuses_a_call_without_a_token(url, http, path):
    method = "GET" if path == "/health" else "POST"
    reply = callers.anonymous(http)(method, f"{url}{path}", None if method == "GET" else {})
    assert reply.status == 401, (path, reply.body)


def test_a_token_without_the_routes_scope_is_forbidden(stack_outputs, url, http):
    """`reporting` may summarize only: its token is valid, /classify still refuses it (403)."""
    reporting = callers.for_stack(STACK, stack_outputs, http, client="reporting")
    assert reporting("POST", f"{url}/summarize", {"inputs": REVIEW}).status == 200
    reply = reporting("POST", f"{url}/classify", {"inputs": POSITIVE})
    assert reply.status == 403, reply.body


@pytest.fixture(scope="module")
def url(deployed) -> str:
    return deployed["url"]


def stored(emulator_client, bucket: str, key: str) -> Any:
    got = emulator_client("s3").get_object(Bucket=bucket, Key=key)
    return json.loads(got["Body"].read())


def test_classify_labels_clear_texts_and_keeps_the_records(deployed, url, caller, emulator_client):
    reply = caller("POST", f"{url}/classify", {"inputs": [POSITIVE, NEGATIVE]})

    assert reply.status == 200, reply.body
    assert [p["label"] for p in reply.body["predictions"]] == ["positive", "negative"]
    assert (reply.body["model"], reply.body["version"]) == ("sentiment-nb", "v1")
    request_id = reply.body["requestId"]
    assert reply.headers["X-Request-Id"] == request_id
    prefix = f"classifier/{request_id}/"
    assert reply.body["stored"] == f"s3://{deployed['bucket']}/{prefix}"

    request = stored(emulator_client, deployed["bucket"], f"{prefix}request.json")
    assert request == {"inputs": [POSITIVE, NEGATIVE], "parameters": {}}
    result = stored(emulator_client, deployed["bucket"], f"{prefix}result.json")
    assert result == {k: v for k, v in reply.body.items() if k != "stored"}


def test_summarize_answers_and_keeps_the_records(
    deployed, url, caller, emulator_client, model_server
):
    reply = caller("POST", f"{url}/summarize", {"inputs": REVIEW, "parameters": {"sentences": 2}})

    assert reply.status == 200, reply.body
    chosen = [s["text"] for s in reply.body["sentences"]]
    assert chosen == [
        "The battery charges fast and the battery never gets hot.",
        "Overall the battery is excellent.",
    ]
    assert reply.body["summary"] == " ".join(chosen)
    tones = ModelClient(f"{model_server.url}/invocations", timeout_s=5).invoke(chosen)
    assert [s["tone"] for s in reply.body["sentences"]] == [
        p["label"] for p in tones["predictions"]
    ]
    assert reply.body["tone"] in {"positive", "negative", "neutral"}
    prefix = f"summarizer/{reply.body['requestId']}/"
    assert reply.body["stored"] == f"s3://{deployed['bucket']}/{prefix}"
    request = stored(emulator_client, deployed["bucket"], f"{prefix}request.json")
    assert request == {"inputs": REVIEW, "parameters": {"sentences": 2}}
    result = stored(emulator_client, deployed["bucket"], f"{prefix}result.json")
    assert result["summary"] == reply.body["summary"]


def test_health_reports_the_model_up(url, caller):
    reply = caller("GET", f"{url}/health")
    assert reply.status == 200
    assert reply.body == {"status": "ok", "model": "up"}


def test_each_service_writes_under_its_own_prefix_only(deployed, url, caller, emulator_client):
    caller("POST", f"{url}/classify", {"inputs": POSITIVE})
    caller("GET", f"{url}/health")
    s3 = emulator_client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=deployed["bucket"])["Contents"]]
    assert keys
    for key in keys:
        prefix, request_id, name = key.split("/")
        assert prefix in ("classifier", "summarizer")
        assert request_id and name in ("request.json", "result.json")


@pytest.mark.parametrize(
    ("path", "raw", "reason"),
    [
        ("/classify", b'{"inputs": "great",', "body is not valid JSON"),
        ("/classify", b'{"input": "typo"}', "unknown fields: input"),
        ("/classify", b'{"inputs": []}', '"inputs" must be a string or a non-empty list'),
        ("/summarize", b"not json at all", "body is not valid JSON"),
        ("/summarize", b'{"inputs": "x", "parameters": {"sentences": 0}}', "parameters.sentences"),
    ],
)
def test_bad_requests_are_400_with_a_reason_and_store_nothing(
    deployed, url, caller, emulator_client, path, raw, reason
):
    reply = caller("POST", f"{url}{path}", raw=raw)
    assert reply.status == 400
    assert reason in reply.body["error"]
    request_id = reply.body["requestId"]
    listed = emulator_client("s3").list_objects_v2(Bucket=deployed["bucket"])
    assert not any(request_id in o["Key"] for o in listed.get("Contents", []))


def test_oversized_body_is_413(url, caller):
    reply = caller("POST", f"{url}/classify", {"inputs": "x" * 70_000})
    assert reply.status == 413
    assert reply.body["limitBytes"] == 65_536


@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/nope"), ("GET", "/classify"), ("POST", "/health")]
)
def test_unknown_routes_are_404(url, caller, method, path):
    reply = caller(method, f"{url}{path}", {"inputs": POSITIVE} if method == "POST" else None)
    assert reply.status == 404


def test_destroy_leaves_nothing_behind(deployed, emulator_client, physical_ids):
    api_id = deployed["url"].split("/execute-api/")[1].split("/")[0]
    bucket = deployed["bucket"]
    apis = emulator_client("apigatewayv2")
    functions = emulator_client("lambda")
    iam = emulator_client("iam")
    s3 = emulator_client("s3")
    logs = emulator_client("logs")

    def lambda_names() -> set[str]:
        pages = functions.get_paginator("list_functions").paginate()
        return {f["FunctionName"] for page in pages for f in page["Functions"]}

    def role_names() -> set[str]:
        return {r["RoleName"] for r in iam.list_roles()["Roles"]}

    def log_groups() -> set[str]:
        groups = logs.describe_log_groups()["logGroups"]
        return {g["logGroupName"] for g in groups}

    # Everything is there first, so the checks below are not vacuous.
    assert api_id in {a["ApiId"] for a in apis.get_apis()["Items"]}
    ids = physical_ids(STACK)
    ours = {ids[s] for s in SERVICES}
    roles = {ids[f"{s}-role"] for s in SERVICES}
    groups = {g for name, g in ids.items() if name.endswith("logs")}
    assert ours <= lambda_names()
    assert roles <= role_names()
    assert groups <= log_groups()
    assert {f"/aws/lambda/{name}" for name in ours} <= groups
    assert bucket in {b["Name"] for b in s3.list_buckets()["Buckets"]}

    local.destroy(STACK, out=lambda line: None)

    assert not local.is_deployed(STACK)
    assert api_id not in {a["ApiId"] for a in apis.get_apis()["Items"]}
    assert not ours & lambda_names()
    assert not roles & role_names()
    assert bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert not groups & log_groups()
