"""The API Gateway providers against a real emulator: REST and HTTP APIs defined by an OpenAPI
`body`, HTTP API quick create, a REST API declared in any order, and for every API Gateway type
the contract's read (no false drift, drift after a change behind the engine's back) and find."""

from __future__ import annotations

import json
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from botocore.exceptions import ClientError

from shared.errors import UserError
from shared.local.engine.engine import Action
from shared.local.engine.providers import REGISTRY, Context, Desired

pytestmark = pytest.mark.emulator

PROJECT = "openapitest"
REGION = "us-east-1"
# Types whose resources have no name to find them by (see their providers' docstrings).
UNFINDABLE = {"aws:apigateway/deployment:Deployment", "aws:apigatewayv2/deployment:Deployment"}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return answer.status, answer.read().decode()


def gone(call, **kwargs) -> bool:
    try:
        call(**kwargs)
    except ClientError:
        return True
    return False


class Backend(BaseHTTPRequestHandler):
    """An HTTP backend that names the path it was called on."""

    def do_GET(self) -> None:
        body = json.dumps({"backend": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def backend(serve_in_thread):
    with serve_in_thread(ThreadingHTTPServer(("127.0.0.1", 0), Backend)) as url:
        yield url


def api_gateway_records(harness) -> list:
    return [r for r in harness.state().resources.values() if ":apigateway" in r.type]


def assert_contract(harness) -> None:
    """Every API Gateway record reads back as recorded (no false drift), and `find` finds what
    `create` made."""
    ctx = Context(harness.emulator_url, REGION)
    for record in api_gateway_records(harness):
        provider = REGISTRY[record.type]
        live = provider.read(ctx, record)
        assert isinstance(live, dict), record.type
        recorded = {k: record.inputs.get(k) for k in live}
        assert live == recorded, f"{record.type} {record.name}: false drift"
        assert set(live) <= (provider.inputs or set()), record.type  # inputs only
        if (
            record.type not in UNFINDABLE
            and record.type != "aws:apigatewayv2/integration:Integration"
        ):
            found = provider.find(ctx, Desired(record.name, record.name, record.inputs))
            assert found == record.id, f"{record.type} {record.name}: not found"


def drift(harness, name: str) -> dict[str, tuple[Any, Any]]:
    """The inputs of `name` whose live value differs from the record: (recorded, live)."""
    record = harness.record(name)
    live = REGISTRY[record.type].read(Context(harness.emulator_url, REGION), record)
    assert isinstance(live, dict)
    return {k: (record.inputs.get(k), v) for k, v in live.items() if record.inputs.get(k) != v}


# -- OpenAPI bodies -----------------------------------------------------------------------------


@pytest.fixture
def openapi(engine_harness, backend):
    h = engine_harness("api_openapi", PROJECT, backend=backend)
    yield h
    h.destroy()


def test_rest_api_from_an_openapi_body_serves_its_proxy_and_mock_routes(openapi, backend):
    outputs = openapi.up()

    api_id = outputs["restApiId"].value
    resources = openapi.gateway.get_resources(restApiId=api_id)["items"]
    root = next(r["id"] for r in resources if r["path"] == "/")
    assert outputs["rootResourceId"].value == root
    assert (
        outputs["restExecutionArn"].value == f"arn:aws:execute-api:{REGION}:000000000000:{api_id}"
    )
    assert {r["path"] for r in resources} == {"/", "/hello", "/greeting"}
    # The name is the program's (pulumi-aws's auto-name), not the document's title.
    assert openapi.gateway.get_rest_api(restApiId=api_id)["name"].startswith("rest-")
    assert get(outputs["restUrl"].value + "/hello") == (200, json.dumps({"backend": "/hello"}))
    status, text = get(outputs["restUrl"].value + "/greeting")
    assert (status, json.loads(text)) == (200, {"greeting": "hello"})
    assert_contract(openapi)


def test_http_api_from_an_openapi_body_serves_its_route(openapi):
    outputs = openapi.up()

    api_id = outputs["httpApiId"].value
    routes = openapi.client("apigatewayv2").get_routes(ApiId=api_id)["Items"]
    assert [r["RouteKey"] for r in routes] == ["GET /hello"]
    assert get(outputs["httpUrl"].value + "/hello") == (200, json.dumps({"backend": "/hello"}))


def test_changed_document_updates_the_api_in_place_and_redeploys(openapi):
    first = openapi.up()
    deployment = openapi.record("deployment").id

    plan = openapi.plan(greeting="bonjour")
    second = openapi.up(greeting="bonjour")

    steps = {(s.action, s.name) for s in plan.steps if s.action is not Action.SAME}
    assert steps == {(Action.UPDATE, "rest"), (Action.REPLACE, "deployment"), (Action.UPDATE, "v1")}
    assert second["restApiId"].value == first["restApiId"].value
    assert openapi.record("deployment").id != deployment
    status, text = get(second["restUrl"].value + "/greeting")
    assert json.loads(text) == {"greeting": "bonjour"}
    paths = {
        r["path"]
        for r in openapi.gateway.get_resources(restApiId=second["restApiId"].value)["items"]
    }
    assert paths == {"/", "/hello", "/greeting"}  # overwritten, not merged twice
    assert_contract(openapi)


def test_unchanged_openapi_program_changes_nothing(openapi):
    openapi.up()

    plan = openapi.plan()

    assert not plan.has_changes


def test_destroy_removes_both_apis(openapi):
    outputs = openapi.up()

    openapi.destroy()

    assert gone(openapi.gateway.get_rest_api, restApiId=outputs["restApiId"].value)
    assert gone(openapi.client("apigatewayv2").get_api, ApiId=outputs["httpApiId"].value)


@pytest.mark.parametrize(
    ("token", "extension"),
    [
        ("aws:apigateway/restApi:RestApi", "x-amazon-apigateway-gateway-responses"),
        ("aws:apigatewayv2/api:Api", "x-amazon-apigateway-policy"),
    ],
)
def test_a_document_the_import_cannot_translate_is_refused_and_leaves_nothing(
    emulator_server, emulator_client, token, extension
):
    """On the emulator the engine applies the document itself; what it does not translate is
    refused by name, and the API it had made is removed again."""
    name = unique("refused")
    body = json.dumps({"openapi": "3.0.1", "info": {"title": name}, "paths": {}, extension: {}})
    provider = REGISTRY[token]
    ctx = Context(emulator_server.url, REGION)

    with pytest.raises(UserError, match=extension):
        provider.create(ctx, Desired(name, name, {"name": name, "body": body}))

    assert provider.find(ctx, Desired(name, name, {"name": name})) is None


# -- quick create -------------------------------------------------------------------------------


@pytest.fixture
def quick(engine_harness):
    h = engine_harness("api_quick_create", PROJECT, name=unique("quick"))
    yield h
    h.destroy()


def test_quick_create_makes_the_route_integration_and_default_stage(quick):
    """AWS's quick create: CreateApi with a target makes a `$default` route to an AWS_PROXY
    integration (payload 2.0) and an auto-deployed `$default` stage."""
    outputs = quick.up()

    gateway = quick.client("apigatewayv2")
    api_id = outputs["apiId"].value
    [route] = gateway.get_routes(ApiId=api_id)["Items"]
    [integration] = gateway.get_integrations(ApiId=api_id)["Items"]
    [stage] = gateway.get_stages(ApiId=api_id)["Items"]
    assert route["RouteKey"] == "$default"
    assert route["Target"] == f"integrations/{integration['IntegrationId']}"
    assert (integration["IntegrationType"], integration["PayloadFormatVersion"]) == (
        "AWS_PROXY",
        "2.0",
    )
    assert (stage["StageName"], stage["AutoDeploy"]) == ("$default", True)
    status, text = get(outputs["endpoint"].value + "/anything")
    assert status == 200 and json.loads(text) == {"path": "/anything"}
    assert not quick.plan().has_changes
    assert_contract(quick)


def test_a_changed_route_key_makes_a_new_api(quick):
    first = quick.up()["apiId"].value

    plan = quick.plan(routeKey="GET /hello")
    second = quick.up(routeKey="GET /hello")["apiId"].value

    assert (Action.REPLACE, "api") in {(s.action, s.name) for s in plan.steps}
    assert second != first
    gateway = quick.client("apigatewayv2")
    assert [r["RouteKey"] for r in gateway.get_routes(ApiId=second)["Items"]] == ["GET /hello"]
    assert gone(gateway.get_api, ApiId=first)


# -- declared in any order ----------------------------------------------------------------------


@pytest.fixture
def any_order(engine_harness):
    h = engine_harness("api_any_order", PROJECT, name=unique("order"))
    yield h
    h.destroy()


def test_pieces_declared_before_what_they_need_deploy_every_time(any_order):
    """AWS refuses an integration before its method and a deployment of an API with no
    method; the providers' `after` makes the engine apply them in that order whatever order
    the program declares them in, on every run."""
    for _ in range(3):
        outputs = any_order.up()
        assert get(outputs["url"].value + "/ping") == (200, '{"pong": true}')
        assert_contract(any_order)
        any_order.destroy()
        assert any_order.state().resources == {}


def test_changed_throttle_updates_plan_and_settings_in_place(any_order):
    any_order.up()

    plan = any_order.plan(rate="5")
    any_order.up(rate="5")

    steps = {(s.action, s.name) for s in plan.steps if s.action is not Action.SAME}
    assert steps == {(Action.UPDATE, "settings"), (Action.UPDATE, "plan")}
    assert drift(any_order, "settings") == {} and drift(any_order, "plan") == {}
    stage = any_order.gateway.get_stage(restApiId=any_order.record("api").id, stageName="v1")
    assert stage["methodSettings"]["*/*"]["throttlingRateLimit"] == 5.0


def test_changes_behind_the_engines_back_show_as_drift(any_order):
    any_order.up()
    gateway = any_order.gateway
    api_id = any_order.record("api").id
    resource_id = any_order.record("resource").id
    method = {"restApiId": api_id, "resourceId": resource_id, "httpMethod": "GET"}

    gateway.update_rest_api(
        restApiId=api_id, patchOperations=[{"op": "replace", "path": "/description", "value": "x"}]
    )
    gateway.update_integration(
        **method, patchOperations=[{"op": "replace", "path": "/timeoutInMillis", "value": "1000"}]
    )
    gateway.update_stage(
        restApiId=api_id,
        stageName="v1",
        patchOperations=[
            {"op": "replace", "path": "/variables/backend", "value": "green"},
            {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "99"},
        ],
    )
    gateway.untag_resource(
        resourceArn=f"arn:aws:apigateway:{REGION}::/restapis/{api_id}/stages/v1", tagKeys=["team"]
    )
    gateway.update_api_key(
        apiKey=any_order.record("key").id,
        patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"}],
    )
    gateway.update_usage_plan(
        usagePlanId=any_order.record("plan").id,
        patchOperations=[{"op": "replace", "path": "/quota/limit", "value": "5"}],
    )

    assert drift(any_order, "api") == {"description": ("any order", "x")}
    # Unset by the program, so AWS's default (29 s) is what it drifted from.
    assert drift(any_order, "integration") == {"timeoutMilliseconds": (None, 1000)}
    assert drift(any_order, "stage") == {
        "variables": ({"backend": "blue"}, {"backend": "green"}),
        "tags": ({"team": "engine"}, {}),
    }
    settings = drift(any_order, "settings")["settings"]
    assert settings[1]["throttlingBurstLimit"] == 99
    assert drift(any_order, "key") == {"enabled": (True, False)}
    assert drift(any_order, "plan")["quotaSettings"][1] == {"limit": 5, "period": "DAY"}


def test_http_api_stage_and_route_drift(openapi):
    outputs = openapi.up()
    gateway = openapi.client("apigatewayv2")
    api_id = outputs["httpApiId"].value

    gateway.update_stage(ApiId=api_id, StageName="live", StageVariables={"color": "red"})
    gateway.update_api(ApiId=api_id, Description="changed")

    assert drift(openapi, "http-live") == {"stageVariables": (None, {"color": "red"})}
    assert drift(openapi, "http") == {"description": (None, "changed")}


def test_integration_credentials_are_applied_and_read_back(emulator_server, emulator_client):
    """pulumi-aws's `credentials`: the role API Gateway assumes for an AWS integration."""
    gateway = emulator_client("apigateway")
    api = gateway.create_rest_api(name=unique("credentials"))
    ctx = Context(emulator_server.url, REGION)
    key = {"restApi": api["id"], "resourceId": api["rootResourceId"], "httpMethod": "POST"}
    REGISTRY["aws:apigateway/method:Method"].create(
        ctx, Desired("m", "m", {**key, "authorization": "NONE"})
    )
    role = "arn:aws:iam::000000000000:role/apigateway-sqs"
    inputs = {
        **key,
        "type": "AWS",
        "integrationHttpMethod": "POST",
        "credentials": role,
        "uri": f"arn:aws:apigateway:{REGION}:sqs:path/000000000000/queue",
    }
    provider = REGISTRY["aws:apigateway/integration:Integration"]
    try:
        created = provider.create(ctx, Desired("i", "i", inputs))
        live = gateway.get_integration(
            restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="POST"
        )
        assert live["credentials"] == role
        from shared.local.engine.state import ResourceRecord

        record = ResourceRecord(provider.type_token, "i", created.id, inputs, {})
        assert provider.read(ctx, record)["credentials"] == role
    finally:
        gateway.delete_rest_api(restApiId=api["id"])
