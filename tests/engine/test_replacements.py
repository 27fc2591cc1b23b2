"""Auto-names and replacements against a real emulator: two projects with the same logical names
side by side, names kept across redeploys and renewed by a replacement, and both replace
orders (create-before-delete, delete-before-replace)."""

from __future__ import annotations

import contextlib
import re
import uuid

import pytest
from botocore.exceptions import ClientError

from shared.errors import UserError
from shared.local.engine.engine import Action, ApplyError

pytestmark = pytest.mark.emulator

NAMED = ("logGroup", "roleName", "bucket", "apiName")
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


@pytest.fixture
def project(engine_harness):
    """`project(name, **config)`: the engine on the `autonamed` program as project `name`;
    everything deployed is destroyed after the test."""
    made = []

    def make(name: str, **config: str):
        harness = engine_harness("autonamed", name, **config)
        made.append(harness)
        return harness

    yield make
    for harness in made:
        with contextlib.suppress(UserError):  # a test may have destroyed it already
            harness.destroy()


def names(outputs) -> dict[str, str]:
    return {key: outputs[key].value for key in NAMED}


def log_group(harness, name: str) -> dict | None:
    groups = harness.client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    return next((g for g in groups if g["logGroupName"] == name), None)


def exists(harness, found: dict[str, str]) -> dict[str, bool]:
    iam, s3 = harness.client("iam"), harness.client("s3")

    def ok(call, **kwargs) -> bool:
        try:
            call(**kwargs)
        except ClientError:
            return False
        return True

    return {
        "logGroup": log_group(harness, found["logGroup"]) is not None,
        "roleName": ok(iam.get_role, RoleName=found["roleName"]),
        "bucket": ok(s3.head_bucket, Bucket=found["bucket"]),
    }


def test_two_projects_with_the_same_logical_names_deploy_side_by_side(project):
    alpha, beta = project(f"alpha{uuid.uuid4().hex[:6]}"), project(f"beta{uuid.uuid4().hex[:6]}")

    a, b = names(alpha.up()), names(beta.up())

    assert re.fullmatch(r"logs-[0-9a-f]{7}", a["logGroup"])
    assert re.fullmatch(r"role-[0-9a-f]{7}", a["roleName"])
    assert re.fullmatch(r"data-bucket-[0-9a-f]{7}", a["bucket"])  # lowercase, valid for S3
    assert re.fullmatch(r"api-[0-9a-f]{7}", a["apiName"])
    assert all(a[key] != b[key] for key in NAMED)
    everything = dict.fromkeys(("logGroup", "roleName", "bucket"), True)
    assert exists(alpha, a) == exists(beta, b) == everything
    assert alpha.record("logs").defaults == ["name"]  # the name is the engine's, kept in state

    alpha.destroy()

    assert exists(beta, b) == everything
    assert not any(exists(alpha, a).values())


def test_a_redeploy_keeps_the_names(project):
    alpha = project(f"alpha{uuid.uuid4().hex[:6]}")
    first = names(alpha.up())
    ids = alpha.ids()

    plan = alpha.plan()
    second = names(alpha.up())

    assert not plan.has_changes
    assert second == first and alpha.ids() == ids
    assert not [line for line in alpha.lines if "created" in line or "replaced" in line]


def test_a_replacement_gets_a_new_name_and_is_created_before_the_old_one_goes(project):
    alpha = project(f"alpha{uuid.uuid4().hex[:6]}")
    old = names(alpha.up())["logGroup"]

    plan = alpha.plan(logClass="INFREQUENT_ACCESS")
    new = names(alpha.up(logClass="INFREQUENT_ACCESS"))["logGroup"]

    assert [(s.action, s.name) for s in plan.steps if s.action is not Action.SAME] == [
        (Action.REPLACE, "logs")
    ]
    assert new != old and re.fullmatch(r"logs-[0-9a-f]{7}", new)
    group = log_group(alpha, new)
    assert group is not None and group["logGroupClass"] == "INFREQUENT_ACCESS"
    assert log_group(alpha, old) is None
    replaced = next(i for i, line in enumerate(alpha.lines) if "replaced" in line)
    deleted = next(i for i, line in enumerate(alpha.lines) if "deleted" in line)
    assert replaced < deleted  # create-before-delete, the old copy deleted at the end
    assert "deleted first" not in alpha.lines[replaced]
    assert alpha.state().retired == {}


@pytest.mark.parametrize(
    ("dbr", "reason"),
    [("true", "delete_before_replace is set"), ("false", "the program names it (name)")],
)
def test_a_named_resource_is_deleted_before_its_replacement(project, dbr, reason):
    """With delete_before_replace, and also without: two log groups cannot share a name, so
    pulumi-aws asks Pulumi to delete first whenever the program set the name itself."""
    name = f"/test/{uuid.uuid4().hex[:8]}"
    alpha = project(f"alpha{uuid.uuid4().hex[:6]}", logName=name, dbr=dbr)
    alpha.up()

    alpha.up(logClass="INFREQUENT_ACCESS")

    [line] = [line for line in alpha.lines if "replaced" in line]
    assert LOG_GROUP in line and f"the old one deleted first: {reason}" in line
    groups = alpha.client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    assert [g["logGroupName"] for g in groups] == [name]
    assert alpha.record("logs").inputs["name"] == name and alpha.record("logs").defaults == []
    assert alpha.state().retired == {}


def test_the_same_explicit_name_in_two_projects_is_a_clear_error(project):
    name = f"/test/{uuid.uuid4().hex[:8]}"
    alpha = project(f"alpha{uuid.uuid4().hex[:6]}", logName=name)
    beta = project(f"beta{uuid.uuid4().hex[:6]}", logName=name)
    alpha.up()

    with pytest.raises(ApplyError, match=rf"Could not create {LOG_GROUP} 'logs': .*already exists"):
        beta.up()

    assert "aws:cloudwatch/logGroup:LogGroup::logs" not in beta.state().resources
    assert log_group(alpha, name) is not None  # alpha's group is untouched
