"""The proxy stack deployed locally and called through the emulator's gateway."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

import pytest

from shared.ops import local

pytestmark = pytest.mark.emulator


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict


def post(url: str, body: object, key: str | None = None, raw: bytes | None = None) -> Reply:
    headers = {"Content-Type": "application/json"}
    if key:
        headers["x-api-key"] = key
    data = raw if raw is not None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Reply(response.status, json.loads(response.read() or b"{}"))
    except urllib.error.HTTPError as error:
        return Reply(error.code, json.loads(error.read() or b"{}"))


@pytest.fixture(scope="module")
def proxy(emulator_server, model_server):
    """Deploy once for the module (through the same code `invoke deploy` runs), destroy after."""
    overrides = {
        "proxy:modelEndpoint": f"{model_server.url}/invocations",
        "proxy:planRateLimit": "5",
        "proxy:planBurstLimit": "10",
    }
    lines: list[str] = []
    outputs = local.deploy("proxy", out=lines.append, overrides=overrides)
    yield {name: out.value for name, out in outputs.items()}
    local.destroy("proxy", out=lines.append)


def test_predict_without_api_key_is_forbidden(proxy):
    reply = post(proxy["url"], {"inputs": "great service"})
    assert reply.status == 403


def test_predict_with_key_returns_a_real_prediction(proxy):
    happy = post(proxy["url"], {"inputs": "I love this, it is wonderful"}, proxy["apiKey"])
    sad = post(proxy["url"], {"inputs": ["terrible, awful, broken"]}, proxy["apiKey"])

    assert happy.status == 200 and sad.status == 200
    assert happy.body["model"] == "sentiment-nb" and happy.body["version"] == "v1"
    assert happy.body["predictions"][0]["label"] == "positive"
    assert sad.body["predictions"][0]["label"] == "negative"


@pytest.mark.parametrize(
    "body",
    [
        {"input": "typo in the field name"},
        {"inputs": 42},
        {"inputs": ""},
        {"inputs": "fine", "extra": True},
        {"inputs": "fine", "parameters": "not an object"},
    ],
)
def test_invalid_body_is_rejected_by_the_gateway(proxy, body):
    reply = post(proxy["url"], body, proxy["apiKey"])
    assert reply.status == 400
    assert "Invalid request body" in reply.body.get("message", "")


def test_non_json_body_is_rejected(proxy):
    reply = post(proxy["url"], None, proxy["apiKey"], raw=b"inputs=hello")
    assert reply.status == 400


def test_more_requests_than_the_plan_allows_are_throttled(proxy):
    statuses = [post(proxy["url"], {"inputs": "ok"}, proxy["apiKey"]).status for _ in range(40)]
    assert 429 in statuses
    assert set(statuses) <= {200, 429}


def test_destroy_leaves_nothing_in_the_emulator(emulator_client, model_server):
    overrides = {"proxy:modelEndpoint": f"{model_server.url}/invocations"}
    outputs = local.deploy("proxy", out=lambda line: None, overrides=overrides)
    api_id = outputs["url"].value.split("/restapis/")[1].split("/")[0]
    key_id = outputs["apiKeyId"].value

    local.destroy("proxy", out=lambda line: None)

    apigw, logs = emulator_client("apigateway"), emulator_client("logs")
    assert api_id not in {a["id"] for a in apigw.get_rest_apis(limit=500)["items"]}
    assert key_id not in {k["id"] for k in apigw.get_api_keys(limit=500)["items"]}
    assert not [p for p in apigw.get_usage_plans(limit=500)["items"] if "proxy-local" in p["name"]]
    groups = logs.describe_log_groups(logGroupNamePrefix="/aws/apigateway/proxy-local")
    assert groups["logGroups"] == []
    assert not local.is_deployed("proxy")
