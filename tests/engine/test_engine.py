"""The local engine against a real emulator: every kind of step, crash recovery, the lock."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from shared.errors import UserError
from shared.local.engine.engine import Action
from shared.local.engine.providers import REGISTRY
from shared.local.engine.state import exclusive

pytestmark = pytest.mark.emulator

PROJECT = "enginetest"


@pytest.fixture
def harness(engine_harness):
    """The engine on the `basic` program, its API named uniquely; destroyed after the test."""
    h = engine_harness("basic", PROJECT, name=f"engine-{uuid.uuid4().hex[:8]}")
    yield h
    h.engine().destroy()


def test_first_deploy_creates_everything_in_dependency_order(harness):
    outputs = harness.up()

    api_id = outputs["apiId"].value
    assert harness.api_exists(api_id)
    assert outputs["path"].value == "/one"
    state = harness.state()
    assert {r.name for r in state.resources.values()} == {
        "api",
        "resource",
        "method",
        "integration",
    }
    created = [line.split()[2].split("::")[-1] for line in harness.lines if "created" in line]
    assert (
        created.index("aws:apigateway/restApi:RestApi")
        < created.index("aws:apigateway/resource:Resource")
        < created.index("aws:apigateway/method:Method")
    )
    integration = harness.gateway.get_integration(
        restApiId=api_id, resourceId=harness.record("resource").id, httpMethod="GET"
    )
    assert integration["type"] == "MOCK"


def test_redeploy_without_change_changes_nothing(harness):
    first = harness.up()
    before = {k: r.id for k, r in harness.state().resources.items()}

    plan = harness.engine().plan()
    second = harness.up()

    assert not plan.has_changes
    assert plan.count(Action.SAME) == 4
    assert {k: r.id for k, r in harness.state().resources.items()} == before
    assert second["apiId"].value == first["apiId"].value
    assert not [line for line in harness.lines if "created" in line or "updated" in line]


def test_changed_description_updates_in_place(harness):
    api_id = harness.up()["apiId"].value

    plan = harness.engine(description="second").plan()
    harness.up(description="second")

    assert [(s.action, s.name) for s in plan.steps if s.action is not Action.SAME] == [
        (Action.UPDATE, "api")
    ]
    assert harness.record("api").id == api_id
    assert harness.gateway.get_rest_api(restApiId=api_id)["description"] == "second"


def test_changed_path_replaces_resource_and_what_hangs_on_it(harness):
    api_id = harness.up()["apiId"].value
    old_resource = harness.record("resource").id

    plan = harness.engine(path="two").plan()
    outputs = harness.up(path="two")

    replaced = {s.name for s in plan.steps if s.action is Action.REPLACE}
    assert "resource" in replaced
    assert outputs["path"].value == "/two"
    paths = {r["path"] for r in harness.gateway.get_resources(restApiId=api_id)["items"]}
    assert paths == {"/", "/two"}
    assert harness.record("resource").id != old_resource
    method = harness.gateway.get_method(
        restApiId=api_id, resourceId=harness.record("resource").id, httpMethod="GET"
    )
    assert method["httpMethod"] == "GET"


def test_resource_removed_from_program_is_deleted(harness):
    outputs = harness.up(withKey="true")
    key_id = outputs["keyId"].value
    assert harness.gateway.get_api_key(apiKey=key_id)["id"] == key_id

    plan = harness.engine(withKey="false").plan()
    harness.up(withKey="false")

    assert [(s.action, s.name) for s in plan.steps if s.action is not Action.SAME] == [
        (Action.DELETE, "key")
    ]
    with pytest.raises(ClientError):
        harness.gateway.get_api_key(apiKey=key_id)
    assert "key" not in {r.name for r in harness.state().resources.values()}


def test_destroy_removes_everything_it_made_and_nothing_else(harness):
    bystander = harness.gateway.create_rest_api(name=f"bystander-{uuid.uuid4().hex[:6]}")["id"]
    api_id = harness.up(withKey="true")["apiId"].value

    deleted = harness.engine().destroy()

    assert deleted == 5
    assert not harness.api_exists(api_id)
    assert harness.api_exists(bystander)
    assert harness.state().resources == {}
    harness.gateway.delete_rest_api(restApiId=bystander)


def test_interrupted_deploy_resumes_and_converges(harness, monkeypatch):
    method_provider = REGISTRY["aws:apigateway/method:Method"]

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C mid-deploy

    monkeypatch.setattr(method_provider, "create", interrupted)
    with pytest.raises(KeyboardInterrupt):
        harness.up()
    recorded = {r.name for r in harness.state().resources.values()}
    assert recorded == {"api", "resource"}  # applied before the interruption, and recorded
    api_id = harness.record("api").id
    monkeypatch.undo()

    plan = harness.engine().plan()
    outputs = harness.up()

    assert {s.name for s in plan.steps if s.action is Action.CREATE} == {"method", "integration"}
    assert outputs["apiId"].value == api_id  # the API made before the crash was kept
    name = harness.config["enginetest:name"]
    apis = harness.gateway.get_rest_apis(limit=500)["items"]
    assert [a["id"] for a in apis if a["name"] == name] == [api_id]


def test_second_deploy_while_one_runs_fails_fast(harness):
    engine = harness.engine()
    lock = harness.state_path.with_suffix(".lock")
    busy = "Another deploy or destroy of enginetest/local"
    with exclusive(lock, "enginetest/local"), pytest.raises(UserError, match=busy):
        engine.up()
    assert harness.state().resources == {}


def test_resources_vanished_from_emulator_are_recreated(harness):
    old_api = harness.up()["apiId"].value
    harness.gateway.delete_rest_api(restApiId=old_api)  # as if the emulator had been wiped

    outputs = harness.up()

    new_api = outputs["apiId"].value
    assert new_api != old_api and harness.api_exists(new_api)
    assert any("vanished" in line for line in harness.lines)
    resources = harness.gateway.get_resources(restApiId=new_api)["items"]
    assert {r["path"] for r in resources} == {"/", "/one"}


def test_unsupported_type_is_reported_before_anything_is_applied(engine_harness):
    harness = engine_harness("unsupported", PROJECT, name=f"engine-{uuid.uuid4().hex[:8]}")

    with pytest.raises(UserError, match=r"aws:ec2/vpc:Vpc"):
        harness.up()

    assert harness.state().resources == {}
    names = [a["name"] for a in harness.gateway.get_rest_apis(limit=500)["items"]]
    assert "never-created" not in names


def test_an_input_the_engine_does_not_apply_is_refused_by_name_before_anything_is_applied(
    engine_harness,
):
    name = f"engine-{uuid.uuid4().hex[:8]}"
    harness = engine_harness("unapplied", PROJECT, name=name)

    with pytest.raises(UserError) as refused:
        harness.up()

    message = str(refused.value)
    assert "aws:apigateway/restApi:RestApi 'api': minimumCompressionSize, policy" in message
    assert "Nothing was changed" in message
    assert harness.state().resources == {}
    assert name not in [a["name"] for a in harness.gateway.get_rest_apis(limit=500)["items"]]


def test_every_provider_declares_the_inputs_it_applies():
    """What makes the refusal above possible for every type: each declares inputs, each of
    them a real input of its pulumi-aws type, `region` among them for a regional type (pulumi-aws
    7's per-resource region; global ones, IAM and Route 53, have none)."""
    import importlib
    import inspect

    from shared.local.engine.providers import REGISTRY

    assert sorted(t for t, p in REGISTRY.items() if p.inputs is None) == []
    for token, provider in REGISTRY.items():
        assert provider.inputs is not None
        module = type(provider).__module__.rsplit(".", 1)[-1]
        cls = getattr(importlib.import_module(f"pulumi_aws.{module}"), token.split(":")[2])
        args = inspect.signature(cls._internal_init).parameters
        real = {_camel(a) for a in args if a not in ("self", "resource_name", "opts")}
        assert provider.inputs <= real, (token, sorted(provider.inputs - real))
        assert ("region" in provider.inputs) == ("region" in real), token
        assert provider.updatable <= provider.inputs, token


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(word.title() for word in rest)
