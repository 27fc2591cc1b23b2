"""The proxy stack deployed locally and called through the emulator's gateway, with the API key
of one of its clients (as `Pulumi.local.yaml` declares them, on a tier throttled low enough to
be seen)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.ops import local
from tests.e2e import callers

pytestmark = pytest.mark.emulator

STACK = "proxy"
# One tier, throttled so that 40 quick requests overrun it; the access mode is local's own.
ACCESS = {
    "mode": "api_key",
    "tiers": {"standard": {"rateLimit": 5, "burstLimit": 10, "quota": 10000, "period": "DAY"}},
    "clients": [{"name": "web", "tier": "standard"}],
}


def overrides(model_server: Any) -> dict[str, str]:
    return {
        f"{STACK}:model": json.dumps({"type": "http", "url": f"{model_server.url}/invocations"}),
        f"{STACK}:access": json.dumps(ACCESS),
    }


@pytest.fixture(scope="module")
def deployed(emulator_server, model_server):
    """Deploy once for the module (through the same code `invoke deploy` runs), destroy after."""
    lines: list[str] = []
    outputs = local.deploy(STACK, out=lines.append, overrides=overrides(model_server))
    yield outputs
    local.destroy(STACK, out=lines.append)


@pytest.fixture(scope="module")
def proxy(deployed):
    return {name: out.value for name, out in deployed.items()}


@pytest.fixture(scope="module")
def post(deployed, http):
    """`post(url, body, raw=None)` with the first client's API key."""
    caller = callers.for_stack(STACK, deployed, http)
    assert caller.mode == "api_key"

    def send(url: str, body: Any, raw: bytes | None = None) -> Any:
        return caller("POST", url, body, raw=raw)

    return send


def test_predict_without_api_key_is_forbidden(proxy, http):
    reply = callers.anonymous(http)("POST", proxy["url"], {"inputs": "great service"})
    assert reply.status == 403


def test_the_api_key_output_is_the_first_clients(proxy, post):
    assert proxy["apiKey"] == proxy["credentials"]["apiKeys"]["web"]
    assert post(proxy["url"], {"inputs": "fine"}).status == 200


def test_predict_with_key_returns_a_real_prediction(proxy, post):
    happy = post(proxy["url"], {"inputs": "I love this, it is wonderful"})
    sad = post(proxy["url"], {"inputs": ["terrible, awful, broken"]})

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
def test_invalid_body_is_rejected_by_the_gateway(proxy, post, body):
    reply = post(proxy["url"], body)
    assert reply.status == 400
    assert "Invalid request body" in reply.body.get("message", "")


def test_non_json_body_is_rejected(proxy, post):
    reply = post(proxy["url"], None, raw=b"inputs=hello")
    assert reply.status == 400


def test_more_requests_than_the_plan_allows_are_throttled(proxy, post):
    statuses = [post(proxy["url"], {"inputs": "ok"}).status for _ in range(40)]
    assert 429 in statuses
    assert set(statuses) <= {200, 429}


def test_destroy_leaves_nothing_in_the_emulator(emulator_client, model_server, physical_ids):
    outputs = local.deploy(STACK, out=lambda line: None, overrides=overrides(model_server))
    api_id = outputs["url"].value.split("/restapis/")[1].split("/")[0]
    key_id = outputs["apiKeyId"].value
    ids = physical_ids(STACK)
    plan_ids = {ids[f"api-plans-{tier}"] for tier in ACCESS["tiers"]}
    apigw, logs = emulator_client("apigateway"), emulator_client("logs")
    # Everything is there first, so the checks below are not vacuous.
    assert plan_ids <= {p["id"] for p in apigw.get_usage_plans(limit=500)["items"]}
    assert key_id in {k["id"] for k in apigw.get_api_keys(limit=500)["items"]}

    local.destroy(STACK, out=lambda line: None)

    assert api_id not in {a["id"] for a in apigw.get_rest_apis(limit=500)["items"]}
    assert key_id not in {k["id"] for k in apigw.get_api_keys(limit=500)["items"]}
    assert not plan_ids & {p["id"] for p in apigw.get_usage_plans(limit=500)["items"]}
    groups = logs.describe_log_groups(logGroupNamePrefix="/aws/apigateway/proxy-local")
    assert groups["logGroups"] == []
    assert not local.is_deployed(STACK)
