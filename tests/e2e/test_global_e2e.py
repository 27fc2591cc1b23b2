"""The global stack deployed locally: first as configured for `local` (one edge API), then copied
to a second region behind a custom domain with latency records. Both scenarios deploy the stack
`global`, so the second destroys whatever the first left before it deploys."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from shared.ops import local
from tests.e2e import callers

pytestmark = pytest.mark.emulator

STACK = "global"
HOME = "us-east-1"
EXTRA = "eu-west-1"
POSITIVE = {"inputs": "I love this, it is wonderful and great"}
NEGATIVE = {"inputs": "This is terrible, awful and broken"}


def quiet(line: str) -> None:
    pass


def model_override(model_server) -> dict[str, str]:
    return {"global:model": json.dumps({"type": "http", "url": f"{model_server.url}/invocations"})}


def api_id(url: str) -> str:
    """The API id in the emulator's stage URL `.../restapis/<id>/<stage>/_user_request_/ai`."""
    return url.split("/restapis/")[1].split("/")[0]


# --- (a) the default local deployment -------------------------------------------------------


@pytest.fixture(scope="module")
def default_outputs(emulator_server, model_server):
    """The stack as `Pulumi.local.yaml` configures it (cognito access), but for the model URL."""
    try:
        yield local.deploy(STACK, out=quiet, overrides=model_override(model_server))
    finally:
        local.destroy(STACK, out=quiet)


@pytest.fixture(scope="module")
def default_deploy(default_outputs):
    return {name: out.value for name, out in default_outputs.items()}


@pytest.fixture(scope="module")
def default_caller(default_outputs, http):
    """Calls with a token of the stack's first client (client credentials)."""
    caller = callers.for_stack(STACK, default_outputs, http)
    assert caller.mode == "cognito"
    return caller


def test_default_post_without_a_token_is_refused(default_deploy, http):
    reply = callers.anonymous(http)("POST", default_deploy["url"], POSITIVE)
    assert reply.status == 401, reply.body


def test_default_deploy_has_one_edge_api(default_deploy, emulator_client, physical_ids):
    assert set(default_deploy["regionalUrls"]) == {"home"}
    assert default_deploy["url"] == default_deploy["regionalUrls"]["home"]
    assert "domainUrl" not in default_deploy
    api = emulator_client("apigateway").get_rest_api(restApiId=api_id(default_deploy["url"]))
    assert api["id"] == physical_ids(STACK)["api"]
    assert api["endpointConfiguration"]["types"] == ["EDGE"]


def test_default_post_answers_from_the_model(default_deploy, default_caller):
    reply = default_caller("POST", default_deploy["url"], POSITIVE)
    assert reply.status == 200, reply.body
    assert reply.body["region"] == HOME
    assert reply.body["model"] == "sentiment-nb"
    assert reply.body["predictions"][0]["label"] == "positive"
    reply = default_caller("POST", default_deploy["url"], NEGATIVE)
    assert reply.status == 200 and reply.body["predictions"][0]["label"] == "negative"


@pytest.mark.parametrize("body", [{"input": "typo"}, {"inputs": 5}, {"inputs": []}])
def test_default_bad_body_is_400_with_a_reason(default_deploy, default_caller, body):
    reply = default_caller("POST", default_deploy["url"], body)
    assert reply.status == 400
    assert reply.body["error"] and "Traceback" not in json.dumps(reply.body)


def test_default_undefined_method_is_missing_authentication_token(default_deploy, default_caller):
    reply = default_caller("GET", default_deploy["url"])
    assert reply.status == 403
    assert "Missing Authentication Token" in json.dumps(reply.body)


# --- (b) two regions behind a custom domain -------------------------------------------------


def zone_records(route53, zone_id: str) -> list[dict[str, Any]]:
    pages = route53.get_paginator("list_resource_record_sets").paginate(HostedZoneId=zone_id)
    return [r for page in pages for r in page["ResourceRecordSets"]]


def regions_of(records: list[dict[str, Any]], domain: str) -> list[dict[str, Any]]:
    return [
        r
        for r in records
        if r["Type"] == "A" and r["Name"].rstrip(".") == domain and "AliasTarget" in r
    ]


@pytest.fixture(scope="module")
def regional(emulator_client, model_server):
    """Zone first, then the stack in two regions on `ai.<unique>.test`; destroyed after."""
    route53 = emulator_client("route53")
    apex = f"global-{uuid.uuid4().hex[:10]}.test"
    zone = route53.create_hosted_zone(Name=apex, CallerReference=str(uuid.uuid4()))
    zone_id = zone["HostedZone"]["Id"].rsplit("/", 1)[-1]
    domain = f"ai.{apex}"
    overrides = {
        **model_override(model_server),
        "global:endpointType": "REGIONAL",
        "global:extraRegions": json.dumps([EXTRA]),
        "global:domainName": domain,
        "global:hostedZoneId": zone_id,
    }
    local.destroy(STACK, out=quiet)  # the default deployment, if it is still there
    try:
        outputs = local.deploy(STACK, out=quiet, overrides=overrides)
        yield {
            "outputs": {name: out.value for name, out in outputs.items()},
            "stack_outputs": outputs,
            "zone_id": zone_id,
            "domain": domain,
            "route53": route53,
        }
    finally:
        local.destroy(STACK, out=quiet)
        for record in zone_records(route53, zone_id):
            if record["Type"] not in ("NS", "SOA"):  # only if a test failed half-way
                route53.change_resource_record_sets(
                    HostedZoneId=zone_id,
                    ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": record}]},
                )
        route53.delete_hosted_zone(Id=zone_id)


@pytest.fixture(scope="module")
def regional_caller(regional, http):
    """A token of the home region's pool: every region's authorizer trusts it."""
    return callers.for_stack(STACK, regional["stack_outputs"], http)


def test_regional_outputs_name_both_regions_and_the_domain(regional):
    outputs = regional["outputs"]
    assert set(outputs["regionalUrls"]) == {"home", EXTRA}
    assert outputs["url"] == outputs["regionalUrls"]["home"]
    assert outputs["domainUrl"] == f"https://{regional['domain']}/ai"


def test_each_regional_api_lives_in_its_region(regional, emulator_client, physical_ids):
    urls = regional["outputs"]["regionalUrls"]
    ids = physical_ids(STACK)
    for key, region in (("home", HOME), (EXTRA, EXTRA)):
        apis = emulator_client("apigateway", region).get_rest_apis()["items"]
        mine = [a for a in apis if a["id"] == api_id(urls[key])]
        assert len(mine) == 1, (key, region)
        assert mine[0]["endpointConfiguration"]["types"] == ["REGIONAL"]
        name = ids["ai" + ("" if key == "home" else f"-{EXTRA}")]
        function = emulator_client("lambda", region).get_function(FunctionName=name)
        assert function["Configuration"]["Runtime"] == "python3.12"
        logs = emulator_client("logs", region)
        groups = logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{name}")["logGroups"]
        assert [g["logGroupName"] for g in groups] == [f"/aws/lambda/{name}"], region


def test_each_regional_url_answers_with_its_own_region(regional, regional_caller, http):
    urls = regional["outputs"]["regionalUrls"]
    for key, region in (("home", HOME), (EXTRA, EXTRA)):
        reply = regional_caller("POST", urls[key], POSITIVE)
        assert reply.status == 200, (key, reply.body)
        assert reply.body["region"] == region
        assert reply.body["predictions"][0]["label"] == "positive"
        assert regional_caller("POST", urls[key], {"inputs": 5}).status == 400
        assert callers.anonymous(http)("POST", urls[key], POSITIVE).status == 401, key


def test_zone_has_a_latency_alias_per_region_and_the_validation_records(regional):
    records = zone_records(regional["route53"], regional["zone_id"])
    aliases = regions_of(records, regional["domain"])
    assert sorted(a["SetIdentifier"] for a in aliases) == sorted([HOME, EXTRA])
    for alias in aliases:
        assert alias["Region"] == alias["SetIdentifier"]
        assert alias["AliasTarget"]["DNSName"]
        assert alias["AliasTarget"]["EvaluateTargetHealth"] is True
    validations = [
        r
        for r in records
        if r["Type"] == "CNAME" and r["Name"].rstrip(".").endswith(regional["domain"])
    ]
    assert validations, records
    for record in validations:
        assert record["ResourceRecords"][0]["Value"]


def test_each_region_has_an_issued_certificate_for_the_domain(regional, emulator_client):
    for region in (HOME, EXTRA):
        acm = emulator_client("acm", region)
        mine = [
            c
            for c in acm.list_certificates()["CertificateSummaryList"]
            if c["DomainName"] == regional["domain"]
        ]
        assert len(mine) == 1, region
        described = acm.describe_certificate(CertificateArn=mine[0]["CertificateArn"])
        assert described["Certificate"]["Status"] == "ISSUED"
        assert f":{region}:" in mine[0]["CertificateArn"]


def test_the_custom_domain_answers_by_host_header(regional, emulator_server, regional_caller):
    reply = regional_caller(
        "POST", f"{emulator_server.url}/ai", POSITIVE, headers={"Host": regional["domain"]}
    )
    assert reply.status == 200, reply.body
    assert reply.body["region"] in (HOME, EXTRA)
    assert reply.body["predictions"][0]["label"] == "positive"


def test_destroy_removes_every_region_and_record(regional, emulator_client, physical_ids):
    """Last in the module: after it, the fixture's own destroy has nothing left to do."""
    outputs = regional["outputs"]
    ids = {key: api_id(url) for key, url in outputs["regionalUrls"].items()}
    names = physical_ids(STACK)

    local.destroy(STACK, out=quiet)

    assert not local.is_deployed(STACK)
    for key, region, function in (
        ("home", HOME, names["ai"]),
        (EXTRA, EXTRA, names[f"ai-{EXTRA}"]),
    ):
        apis = emulator_client("apigateway", region).get_rest_apis()["items"]
        assert ids[key] not in {a["id"] for a in apis}, region
        lam = emulator_client("lambda", region)
        with pytest.raises(ClientError) as raised:
            lam.get_function(FunctionName=function)
        assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
        acm = emulator_client("acm", region)
        domains = {c["DomainName"] for c in acm.list_certificates()["CertificateSummaryList"]}
        assert regional["domain"] not in domains, region
    records = zone_records(regional["route53"], regional["zone_id"])
    assert not regions_of(records, regional["domain"])
    assert {r["Type"] for r in records} <= {"NS", "SOA"}
