"""`protect` against a real emulator, as Pulumi enforces it: a protected resource is never
deleted (not by destroy, not by leaving the program, not by a replacement), every refusal comes
before anything changes, and turning protect off is a change of the record only."""

from __future__ import annotations

import contextlib
import json
import uuid

import pytest
from botocore.exceptions import ClientError

from shared.errors import UserError
from shared.local.engine.engine import Action, ProtectedResources
from shared.local.engine.providers import REGISTRY
from shared.local.engine.state import StateStore

pytestmark = pytest.mark.emulator

PROJECT = "protectproj"
BUCKET = "aws:s3/bucket:Bucket"
STORE = f"{BUCKET} 'data'"


@pytest.fixture
def harness(engine_harness):
    """The `protected` program with fresh bucket names; whatever is left is unprotected and
    destroyed after the test."""
    suffix = uuid.uuid4().hex[:8]
    h = engine_harness("protected", PROJECT, name=f"store-{suffix}", scratch=f"scratch-{suffix}")
    yield h
    with contextlib.suppress(UserError):
        h.up(protect="false", keep="true")
        h.destroy()


def bucket_exists(h, name: str) -> bool:
    try:
        h.client("s3").head_bucket(Bucket=name)
    except ClientError:
        return False
    return True


def test_a_child_inherits_protect_from_its_component_and_the_record_keeps_it(harness):
    harness.up()

    assert harness.record("data").protect is True
    assert harness.record("scratch").protect is False
    snapshot = json.loads(harness.state_path.read_text())
    assert {r["name"]: r["protect"] for r in snapshot["resources"].values()} == {
        "data": True,
        "scratch": False,
    }


def test_a_record_written_before_protect_was_recorded_loads_unprotected(tmp_path):
    path = tmp_path / "local.json"
    record = {"type": BUCKET, "name": "data", "id": "b", "inputs": {}, "outputs": {}}
    path.write_text(json.dumps({"version": 3, "resources": {f"{BUCKET}::data": record}}))

    assert StateStore(path).resources[f"{BUCKET}::data"].protect is False


def test_destroy_refuses_before_deleting_anything_naming_each_protected_resource(harness):
    harness.up()
    before = harness.state_path.read_text()

    with pytest.raises(ProtectedResources) as refused:
        harness.destroy()

    message = str(refused.value)
    assert f"{PROJECT}/local protects {STORE}, so destroy deletes nothing" in message
    assert f"`{PROJECT}:protect: false`" not in message  # the program's default protects it
    assert "`invoke reset`" in message and message.endswith("Nothing was changed.")
    # Not even the unprotected bucket went: Pulumi's destroy stops at the protected one.
    assert bucket_exists(harness, harness.record("data").id)
    assert bucket_exists(harness, harness.record("scratch").id)
    assert harness.state_path.read_text() == before


def test_the_refusal_names_the_config_setting_that_protects(harness):
    harness.up(protect="true")

    with pytest.raises(ProtectedResources, match=f"e.g. `{PROJECT}:protect: false`"):
        harness.engine().check_destroy()


def test_a_protected_resource_left_out_of_the_program_is_not_deleted(harness):
    harness.up()
    store = harness.record("data").id

    with pytest.raises(ProtectedResources) as refused:
        harness.plan(keep="false")
    with pytest.raises(ProtectedResources):
        harness.up()

    message = str(refused.value)
    assert f"no longer declares {STORE}, which is protected" in message
    assert message.endswith("Nothing was changed.")
    assert bucket_exists(harness, store)
    assert harness.record("data").id == store


def test_a_protected_resource_the_apply_no_longer_declares_is_not_deleted(harness):
    # The plan saw it declared; the apply did not. The deletion checks again, as Pulumi's
    # delete step does after its step generator (a new scratch name makes the apply run).
    harness.up()
    store = harness.record("data").id

    with pytest.raises(ProtectedResources, match=f"Refusing to delete {STORE} of {PROJECT}"):
        harness.up(keep="preview", scratch=f"scratch-{uuid.uuid4().hex[:8]}")

    assert bucket_exists(harness, store)
    assert harness.record("data").id == store


def test_a_replacement_of_a_protected_resource_is_refused_at_plan_time(harness):
    harness.up()
    store = harness.record("data").id
    other = f"other-{uuid.uuid4().hex[:8]}"

    # AWS names a bucket once: a new name is a new bucket, and the old one would be deleted.
    with pytest.raises(ProtectedResources) as refused:
        harness.up(name=other)

    message = str(refused.value)
    assert f"would replace {STORE}, which is protected" in message
    assert message.endswith("Nothing was changed.")
    assert bucket_exists(harness, store) and not bucket_exists(harness, other)
    assert harness.record("data").id == store


def test_turning_protect_off_changes_the_record_only_then_destroy_deletes(harness, monkeypatch):
    harness.up()
    store = harness.record("data").id

    step = next(s for s in harness.plan(protect="false").steps if s.name == "data")
    assert (step.action, step.changed) == (Action.UPDATE, ("protect",))

    def not_asked(*args, **kwargs):
        raise AssertionError("protect is not an input: the emulator must not be asked")

    bucket = REGISTRY[BUCKET]
    for call in ("create", "update", "delete_if_present"):
        monkeypatch.setattr(bucket, call, not_asked)
    harness.up(protect="false")
    monkeypatch.undo()

    assert f"   ~ updated   {BUCKET}  data  (protect off: the record only)" in harness.lines
    assert harness.record("data").protect is False
    assert harness.record("data").id == store
    assert harness.destroy() == 2
    assert not bucket_exists(harness, store)


def test_unprotecting_and_replacing_in_one_deploy_is_allowed(harness):
    # Pulumi checks the program's protect and the record's: turning it off lets this very
    # deploy replace the resource.
    harness.up()
    store = harness.record("data").id
    other = f"other-{uuid.uuid4().hex[:8]}"

    harness.up(protect="false", name=other)

    assert harness.record("data").id == other and harness.record("data").protect is False
    assert bucket_exists(harness, other) and not bucket_exists(harness, store)
