"""The versions stack deployed locally: each stage answers from its own model version, to a
caller holding a token of the stack's own pool (jwt access, as `Pulumi.local.yaml` says)."""

from __future__ import annotations

import json

import pytest

from shared.ops import local
from tests.e2e import callers

pytestmark = pytest.mark.emulator

# A sentence the two local model versions disagree on (v2 reads the negation).
PROBE = {"inputs": "The coffee was not great"}


def overrides(model_url: str, live: str) -> dict[str, str]:
    versions = {v: f"{model_url}/{v}/invocations" for v in ("v1", "v2")}
    return {"versions:modelVersions": json.dumps(versions), "versions:liveVersion": live}


@pytest.fixture(scope="module")
def deployed(emulator_server, model_server):
    outputs = local.deploy(
        "versions", out=lambda line: None, overrides=overrides(model_server.url, "v1")
    )
    yield outputs
    local.destroy("versions", out=lambda line: None)


@pytest.fixture(scope="module")
def versions(deployed):
    return deployed["stageUrls"].value


@pytest.fixture(scope="module")
def caller(deployed, http):
    """Calls with a bearer token of the stack's first client (client credentials)."""
    found = callers.for_stack("versions", deployed, http)
    assert found.mode == "jwt"
    return found


def test_every_stage_refuses_a_call_without_a_token(versions, http):
    for stage, url in versions.items():
        reply = callers.anonymous(http)("POST", url, PROBE)
        assert reply.status == 401, (stage, reply.body)


def test_each_version_stage_answers_from_its_version(versions, caller):
    for version in ("v1", "v2"):
        reply = caller("POST", versions[version], PROBE)
        assert reply.status == 200
        assert reply.body["version"] == version
    assert caller("POST", versions["v1"], PROBE).body["predictions"][0]["label"] == "positive"
    assert caller("POST", versions["v2"], PROBE).body["predictions"][0]["label"] == "negative"


def test_live_follows_the_promoted_version(versions, caller, model_server):
    assert caller("POST", versions["live"], PROBE).body["version"] == "v1"
    lines: list[str] = []

    local.deploy("versions", out=lines.append, overrides=overrides(model_server.url, "v2"))

    assert caller("POST", versions["live"], PROBE).body["version"] == "v2"
    changed = [line for line in lines if "updated" in line or "created" in line]
    assert changed and all("api-live" in line for line in changed)  # only the live stage moved
    local.deploy("versions", out=lines.append, overrides=overrides(model_server.url, "v1"))
    assert caller("POST", versions["live"], PROBE).body["version"] == "v1"


@pytest.mark.parametrize("body", [{"input": "typo"}, {"inputs": 5}, {"inputs": []}])
def test_bad_requests_get_a_4xx_with_a_reason(versions, caller, body):
    reply = caller("POST", versions["v2"], body)
    assert reply.status == 400
    assert reply.body["error"]


def test_unknown_route_is_404(versions, caller):
    assert caller("POST", versions["v1"].replace("/predict", "/nope"), PROBE).status == 404


def test_destroy_leaves_no_http_api(emulator_client, model_server):
    outputs = local.deploy(
        "versions", out=lambda line: None, overrides=overrides(model_server.url, "v1")
    )
    api_id = outputs["url"].value.split("/execute-api/")[1].split("/")[0]

    local.destroy("versions", out=lambda line: None)

    client = emulator_client("apigatewayv2")
    assert api_id not in {a["ApiId"] for a in client.get_apis()["Items"]}
    assert not local.is_deployed("versions")
