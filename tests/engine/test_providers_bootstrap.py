"""The providers the bootstrap project needs (API Gateway's account setting, the IAM OIDC
provider, KMS keys and aliases) against a real emulator: create, read back the recorded inputs
with no false drift, update in place, drift made with boto3 behind the engine's back, find after
an interrupted create, delete leaving nothing. The bootstrap project itself (tests/bootstrap/)
is the program that deploys them through the engine."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from botocore.exceptions import ClientError

from shared.local.engine.providers import REGISTRY

pytestmark = pytest.mark.emulator

ACCOUNT = REGISTRY["aws:apigateway/account:Account"]
OIDC = REGISTRY["aws:iam/openIdConnectProvider:OpenIdConnectProvider"]
KEY = REGISTRY["aws:kms/key:Key"]
ALIAS = REGISTRY["aws:kms/alias:Alias"]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# -- API Gateway account setting ----------------------------------------------------------------


def test_account_sets_the_regions_cloudwatch_role_and_delete_resets_it(applied, emulator_client):
    region = "eu-west-1"
    gateway = emulator_client("apigateway", region)
    role = f"arn:aws:iam::000000000000:role/{unique('logs')}"
    default_region = emulator_client("apigateway")
    before = default_region.get_account().get("cloudwatchRoleArn")
    record = applied.create(ACCOUNT, "account", {"cloudwatchRoleArn": role, "region": region})

    assert gateway.get_account()["cloudwatchRoleArn"] == role
    # One setting per region: the default region's is untouched.
    assert default_region.get_account().get("cloudwatchRoleArn") == before
    assert applied.drift(ACCOUNT, record) == {}
    assert applied.find(ACCOUNT, record) == record.id

    other = f"arn:aws:iam::000000000000:role/{unique('logs')}"
    record = applied.update(ACCOUNT, record, {"cloudwatchRoleArn": other, "region": region})
    assert gateway.get_account()["cloudwatchRoleArn"] == other
    assert applied.drift(ACCOUNT, record) == {}

    # Reset behind the engine's back: stages in the region could no longer log.
    gateway.update_account(
        patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": ""}]
    )
    assert applied.drift(ACCOUNT, record) == {"cloudwatchRoleArn": ""}
    assert applied.find(ACCOUNT, record) is None

    ACCOUNT.delete(applied.ctx, record)
    assert not gateway.get_account().get("cloudwatchRoleArn")


# -- IAM OIDC provider --------------------------------------------------------------------------


def test_oidc_provider_reads_back_is_found_and_deleted(applied, emulator_client):
    iam = emulator_client("iam")
    url = f"https://{unique('token')}.example.com"
    inputs = {
        "url": url,
        "clientIdLists": ["sts.amazonaws.com"],
        "thumbprintLists": [],
        "tags": {"purpose": "ci"},
    }
    record = applied.create(OIDC, "github", inputs)

    assert record.id == f"arn:aws:iam::000000000000:oidc-provider/{url[len('https://') :]}"
    assert record.outputs["arn"] == record.id
    live = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=record.id)
    assert live["ClientIDList"] == ["sts.amazonaws.com"]
    assert applied.drift(OIDC, record) == {}
    assert applied.find(OIDC, record) == record.id

    OIDC.delete(applied.ctx, record)
    with pytest.raises(ClientError):
        iam.get_open_id_connect_provider(OpenIDConnectProviderArn=record.id)
    assert applied.find(OIDC, record) is None


def test_oidc_provider_audience_changed_behind_the_engines_back_is_drift(applied, emulator_client):
    # MiniStack has no call that changes a provider's client ids, so the change is a provider
    # made again with another audience: the ARN stays (it is the URL's), the audience differs.
    iam = emulator_client("iam")
    url = f"https://{unique('token')}.example.com"
    record = applied.create(OIDC, "github", {"url": url, "clientIdLists": ["sts.amazonaws.com"]})
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=record.id)
    iam.create_open_id_connect_provider(Url=url, ClientIDList=["someone-else"])

    assert applied.drift(OIDC, record) == {"clientIdLists": ["someone-else"]}


# -- KMS ----------------------------------------------------------------------------------------


def test_key_rotation_description_tags_drift_and_scheduled_deletion(applied, emulator_client):
    kms = emulator_client("kms")
    inputs = {
        "description": "Pulumi secrets",
        "enableKeyRotation": True,
        "deletionWindowInDays": 7.0,
        "tags": {"environment": "dev"},
    }
    record = applied.create(KEY, "secrets", inputs)

    assert record.outputs["keyId"] == record.id
    assert record.outputs["arn"].endswith(f":key/{record.id}")
    assert kms.get_key_rotation_status(KeyId=record.id)["KeyRotationEnabled"] is True
    assert applied.drift(KEY, record) == {}
    # KMS names keys itself: nothing a create was given can find one.
    assert applied.find(KEY, record) is None

    changed = {**inputs, "description": "Pulumi secrets (dev)", "tags": {"environment": "qa"}}
    record = applied.update(KEY, record, changed)
    assert kms.describe_key(KeyId=record.id)["KeyMetadata"]["Description"] == (
        "Pulumi secrets (dev)"
    )
    assert applied.drift(KEY, record) == {}

    # Rotation switched off behind the engine's back is drift; the update the engine makes of
    # the record as the emulator holds it turns it on again.
    kms.disable_key_rotation(KeyId=record.id)
    drift = applied.drift(KEY, record)
    assert drift == {"enableKeyRotation": False}
    applied.update(KEY, dataclasses.replace(record, inputs={**record.inputs, **drift}), changed)
    assert kms.get_key_rotation_status(KeyId=record.id)["KeyRotationEnabled"] is True

    # AWS never deletes a key at once: it is scheduled, after the window, and then reads as gone.
    KEY.delete(applied.ctx, record)
    assert kms.describe_key(KeyId=record.id)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    assert not KEY.exists(applied.ctx, record)


def test_alias_points_at_its_key_moves_to_another_and_is_deleted(applied, emulator_client):
    kms = emulator_client("kms")
    first = applied.create(KEY, "first", {"enableKeyRotation": True})
    second = applied.create(KEY, "second", {"enableKeyRotation": True})
    name = f"alias/{unique('aigw-pulumi')}"
    record = applied.create(ALIAS, "alias", {"name": name, "targetKeyId": first.id})

    assert record.id == name
    assert record.outputs["arn"] == f"arn:aws:kms:us-east-1:000000000000:{name}"
    assert record.outputs["targetKeyArn"] == first.outputs["arn"]
    assert kms.describe_key(KeyId=name)["KeyMetadata"]["KeyId"] == first.id
    assert applied.drift(ALIAS, record) == {}
    assert applied.find(ALIAS, record) == name

    record = applied.update(ALIAS, record, {"name": name, "targetKeyId": second.id})
    assert kms.describe_key(KeyId=name)["KeyMetadata"]["KeyId"] == second.id
    assert applied.drift(ALIAS, record) == {}

    kms.update_alias(AliasName=name, TargetKeyId=first.id)  # behind the engine's back
    assert applied.drift(ALIAS, record) == {"targetKeyId": first.id}

    ALIAS.delete(applied.ctx, record)
    assert applied.find(ALIAS, record) is None
    assert not ALIAS.exists(applied.ctx, record)
