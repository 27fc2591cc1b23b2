"""A state is tied to the emulator it was applied to: another emulator, or the same one wiped,
is refused in one sentence with the ways out; `refresh` makes the state say what the emulator
at hand holds; a resource deleted behind the engine's back shows in the plan and is recreated."""

from __future__ import annotations

import urllib.request
import uuid
from collections.abc import Iterator

import boto3
import pytest

from shared.errors import UserError
from shared.local import emulator
from shared.local.engine.engine import Action, EmulatorMismatch, Engine
from shared.local.engine.providers import Context
from shared.local.processes import Server, free_port
from tests.engine.conftest import PROGRAMS, REGION

pytestmark = pytest.mark.emulator

PROJECT = "tie"


@pytest.fixture
def other_emulator() -> Iterator[Server]:
    """A second MiniStack of this test's own."""
    server, _ = emulator.start(free_port())
    try:
        yield server
    finally:
        server.stop()


def engine_on(url: str, state_path, lines: list[str], name: str) -> Engine:
    return Engine(
        PROGRAMS / "basic",
        PROJECT,
        "local",
        {f"{PROJECT}:name": name},
        Context(url, REGION),
        state_path,
        out=lines.append,
        command_name="tie-stack",
    )


def rest_api_names(url: str) -> list[str]:
    client = boto3.client(
        "apigateway",
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    return [a["name"] for a in client.get_rest_apis(limit=500)["items"]]


def test_another_emulator_is_refused_then_refresh_and_deploy_recover(
    emulator_server, other_emulator, tmp_path
):
    name = f"tie-{uuid.uuid4().hex[:8]}"
    state_path = tmp_path / "state.json"
    lines: list[str] = []
    first = engine_on(emulator_server.url, state_path, lines, name)
    first.up()
    moved = engine_on(other_emulator.url, state_path, lines, name)

    for attempt in (lambda: moved.plan(live=True), moved.up, moved.destroy):
        with pytest.raises(EmulatorMismatch) as refused:
            attempt()
        message = str(refused.value)
        assert f"AIGW_EMULATOR_PORT={emulator_server.port}" in message
        assert "invoke refresh --stack=tie-stack" in message and "invoke reset" in message
        assert "Nothing was changed" in message
    assert name not in rest_api_names(other_emulator.url)

    # Going back to the first emulator works as before.
    assert not first.plan(live=True).has_changes

    assert moved.refresh() == (4, 0)
    plan = moved.plan(live=True)
    assert plan.count(Action.CREATE) == 4
    moved.up()
    assert name in rest_api_names(other_emulator.url)
    assert moved.destroy() == 4
    assert name not in rest_api_names(other_emulator.url)
    # The copy on the first emulator was given up by the refresh: remove it by hand.
    gateway = boto3.client(
        "apigateway",
        endpoint_url=emulator_server.url,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    for api in gateway.get_rest_apis(limit=500)["items"]:
        if api["name"] == name:
            gateway.delete_rest_api(restApiId=api["id"])


def test_a_wiped_emulator_is_refused_then_refresh_and_deploy_recover(other_emulator, tmp_path):
    name = f"tie-{uuid.uuid4().hex[:8]}"
    lines: list[str] = []
    eng = engine_on(other_emulator.url, tmp_path / "state.json", lines, name)
    eng.up()
    request = urllib.request.Request(f"{other_emulator.url}/_ministack/reset", method="POST")
    urllib.request.urlopen(request, timeout=10).close()

    with pytest.raises(EmulatorMismatch, match="was wiped") as refused:
        eng.plan(live=True)
    assert "invoke refresh --stack=tie-stack" in str(refused.value)

    eng.refresh()
    eng.up()
    assert rest_api_names(other_emulator.url) == [name]
    eng.destroy()
    assert rest_api_names(other_emulator.url) == []


def test_a_resource_deleted_behind_the_engines_back_shows_and_is_recreated(engine_harness):
    harness = engine_harness("basic", PROJECT, name=f"tie-{uuid.uuid4().hex[:8]}")
    harness.up()
    api_id = harness.record("api").id
    harness.gateway.delete_rest_api(restApiId=api_id)

    plan = harness.engine().plan(live=True)
    step = next(s for s in plan.steps if s.name == "api")
    assert step.action is Action.CREATE and "gone from the emulator" in step.describe()

    harness.up()
    assert harness.api_exists(harness.record("api").id)
    assert not harness.engine().plan(live=True).has_changes
    harness.destroy()


def test_a_missing_state_file_never_duplicates_what_the_emulator_holds(
    engine_harness, emulator_client
):
    name = f"tie-{uuid.uuid4().hex[:8]}"
    harness = engine_harness("tagged", f"tagged{uuid.uuid4().hex[:6]}", name=name)
    harness.up()
    harness.state_path.unlink()  # the snapshot; the journal was folded into it

    with pytest.raises(UserError, match="records no resources") as refused:
        harness.up()
    message = str(refused.value)
    assert "2 resources tagged as its own" in message and "invoke reset" in message
    # A refresh cannot paper over it: without state there is nothing to refresh.
    with pytest.raises(UserError, match="nothing to refresh"):
        harness.engine().refresh()
    with pytest.raises(UserError, match="records no resources"):
        harness.up()

    apis = emulator_client("apigatewayv2").get_apis()["Items"]
    assert [a["Name"] for a in apis if a["Name"] == f"{name}-api"] == [f"{name}-api"]
    for api in apis:
        if api["Name"] == f"{name}-api":
            emulator_client("apigatewayv2").delete_api(ApiId=api["ApiId"])
    emulator_client("s3").delete_bucket(Bucket=f"{name}-data")


def test_a_destroyed_stack_deploys_again_on_a_wiped_emulator(other_emulator, tmp_path):
    """The state keeps the emulator it was last applied to, not the first one."""
    name = f"tie-{uuid.uuid4().hex[:8]}"
    eng = engine_on(other_emulator.url, tmp_path / "state.json", [], name)
    eng.up()
    eng.destroy()
    request = urllib.request.Request(f"{other_emulator.url}/_ministack/reset", method="POST")
    urllib.request.urlopen(request, timeout=10).close()

    engine_on(other_emulator.url, tmp_path / "state.json", [], name).up()
    again = engine_on(other_emulator.url, tmp_path / "state.json", [], name)
    assert not again.plan(live=True).has_changes
    assert again.destroy() == 4
