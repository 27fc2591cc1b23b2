"""KMS keys and aliases on the emulator: what Pulumi's `awskms://` secrets provider encrypts with.

A key is never deleted at once on AWS: `delete` schedules its deletion after
`deletionWindowInDays` (7 to 30, AWS's default 30), and a key pending deletion can no longer be
used, so `read` treats it as gone. MiniStack 1.5.33 answers every call used here as AWS does
(rotation, key policy, description, enable/disable, tags, aliases in the caller's region).
"""

from __future__ import annotations

from typing import Any

from shared.local.engine.live import live_inputs, same_document
from shared.local.engine.providers.base import (
    Client,
    Context,
    Created,
    Desired,
    Inputs,
    Outputs,
    Provider,
    as_int,
    drop_none,
    json_text,
    not_found,
    provides,
)
from shared.local.engine.state import ResourceRecord
from shared.local.engine.tagging import TagCalls

KMS_TAGS = TagCalls("KeyId", pairs=("TagKey", "TagValue"), read_call="list_resource_tags")
# What a key AWS made with no arguments is: the defaults a program leaving them unset gets.
_KEY_DEFAULTS = {
    "description": "",
    "keyUsage": "ENCRYPT_DECRYPT",
    "customerMasterKeySpec": "SYMMETRIC_DEFAULT",
    "enableKeyRotation": False,
    "isEnabled": True,
    "tags": {},
}
_GONE_STATES = ("PendingDeletion", "PendingReplicaDeletion")


@provides
class Key(Provider):
    """A customer managed key; its id is the key id, as in the AWS provider. `policy` unset
    keeps the key policy KMS writes (the account's root may use the key)."""

    type_token = "aws:kms/key:Key"
    service = "kms"
    inputs = frozenset(
        {
            "description",
            "keyUsage",
            "customerMasterKeySpec",
            "policy",
            "enableKeyRotation",
            "rotationPeriodInDays",
            "isEnabled",
            "deletionWindowInDays",
            "tags",
            "region",
        }
    )
    outputs = frozenset({"arn", "keyId", "tagsAll"})
    # deletionWindowInDays only changes what delete does; no API call.
    updatable = frozenset(
        {
            "description",
            "policy",
            "enableKeyRotation",
            "rotationPeriodInDays",
            "isEnabled",
            "deletionWindowInDays",
            "tags",
        }
    )

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        client = self.client(ctx, i)
        key = client.create_key(
            **drop_none(
                Description=i.get("description"),
                KeyUsage=i.get("keyUsage"),
                KeySpec=i.get("customerMasterKeySpec"),
                Policy=json_text(i["policy"]) if i.get("policy") else None,
                Tags=[{"TagKey": k, "TagValue": v} for k, v in (i.get("tags") or {}).items()]
                or None,
            )
        )["KeyMetadata"]
        try:
            self._rotation(client, key["KeyId"], i)
            if i.get("isEnabled") is False:
                client.disable_key(KeyId=key["KeyId"])
        except Exception:
            # Leave nothing unrecorded behind: the shortest window AWS allows.
            client.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
            raise
        return Created(key["KeyId"], self._outputs(key, i))

    @staticmethod
    def _rotation(client: Client, key_id: str, inputs: Inputs) -> None:
        if inputs.get("enableKeyRotation"):
            client.enable_key_rotation(
                **drop_none(
                    KeyId=key_id, RotationPeriodInDays=as_int(inputs.get("rotationPeriodInDays"))
                )
            )
        else:
            client.disable_key_rotation(KeyId=key_id)

    @staticmethod
    def _outputs(key: dict[str, Any], inputs: Inputs) -> Outputs:
        return {
            "arn": key["Arn"],
            "keyId": key["KeyId"],
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        old, new = have.inputs, want.inputs
        client = self.client(ctx, new)
        key_id = have.id
        if old.get("description") != new.get("description"):
            client.update_key_description(KeyId=key_id, Description=new.get("description") or "")
        if old.get("policy") != new.get("policy") and new.get("policy"):
            client.put_key_policy(
                KeyId=key_id, PolicyName="default", Policy=json_text(new["policy"])
            )
        if any(old.get(k) != new.get(k) for k in ("enableKeyRotation", "rotationPeriodInDays")):
            self._rotation(client, key_id, new)
        if old.get("isEnabled", True) != new.get("isEnabled", True):
            if new.get("isEnabled", True):
                client.enable_key(KeyId=key_id)
            else:
                client.disable_key(KeyId=key_id)
        KMS_TAGS.retag(client, key_id, old.get("tags"), new.get("tags"))
        return self._outputs(client.describe_key(KeyId=key_id)["KeyMetadata"], new)

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        client = self.client(ctx, have.inputs)
        if client.describe_key(KeyId=have.id)["KeyMetadata"]["KeyState"] in _GONE_STATES:
            return
        client.schedule_key_deletion(
            KeyId=have.id,
            PendingWindowInDays=as_int(have.inputs.get("deletionWindowInDays")) or 30,
        )

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        i = have.inputs
        client = self.client(ctx, i)
        key = client.describe_key(KeyId=have.id)["KeyMetadata"]
        if key["KeyState"] in _GONE_STATES:
            raise not_found(f"key {have.id} (pending deletion)")
        rotation = client.get_key_rotation_status(KeyId=have.id)
        live: Inputs = {
            "description": key.get("Description") or "",
            "keyUsage": key.get("KeyUsage"),
            "customerMasterKeySpec": key.get("KeySpec"),
            "enableKeyRotation": bool(rotation.get("KeyRotationEnabled")),
            "isEnabled": bool(key.get("Enabled")),
            "tags": KMS_TAGS.read(client, have.id),
        }
        if i.get("rotationPeriodInDays") is not None and rotation.get("RotationPeriodInDays"):
            live["rotationPeriodInDays"] = float(rotation["RotationPeriodInDays"])
        if i.get("policy"):
            policy = client.get_key_policy(KeyId=have.id, PolicyName="default")["Policy"]
            live["policy"] = same_document(i["policy"], policy)
        return live_inputs(i, live, _KEY_DEFAULTS)

    def find(self, ctx: Context, want: Desired) -> str | None:
        """KMS names a key itself (a random id), so nothing a create was given finds it."""
        return None


@provides
class Alias(Provider):
    """A key's alias (`alias/<name>`); its id is the alias name, as in the AWS provider. The
    program must name it: aliases are how a secrets provider URL finds the key, so a random one
    would serve nobody."""

    type_token = "aws:kms/alias:Alias"
    service = "kms"
    inputs = frozenset({"name", "targetKeyId", "region"})
    outputs = frozenset({"arn", "targetKeyArn"})
    updatable = frozenset({"targetKeyId"})
    identity = ("name", "region")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        client = self.client(ctx, i)
        client.create_alias(AliasName=i["name"], TargetKeyId=i["targetKeyId"])
        return Created(i["name"], self._outputs(client, i))

    @staticmethod
    def _outputs(client: Client, inputs: Inputs) -> Outputs:
        key = client.describe_key(KeyId=inputs["targetKeyId"])["KeyMetadata"]
        region, account = key["Arn"].split(":")[3:5]
        return {
            "arn": f"arn:aws:kms:{region}:{account}:{inputs['name']}",
            "targetKeyArn": key["Arn"],
        }

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        client = self.client(ctx, want.inputs)
        client.update_alias(AliasName=have.id, TargetKeyId=want.inputs["targetKeyId"])
        return self._outputs(client, want.inputs)

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_alias(AliasName=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        target = self._target(self.client(ctx, have.inputs), have.id)
        if target is None:
            raise not_found(f"alias {have.id}")
        recorded = have.inputs.get("targetKeyId")
        # The program may name the key by id or by ARN; both mean the same key.
        same = recorded in (target, _key_arn(have, target)) or str(recorded).endswith(target)
        return {"name": have.id, "targetKeyId": recorded if same else target}

    @staticmethod
    def _target(client: Client, name: str) -> str | None:
        for page in client.get_paginator("list_aliases").paginate():
            for alias in page["Aliases"]:
                if alias["AliasName"] == name:
                    return str(alias.get("TargetKeyId"))
        return None

    def find(self, ctx: Context, want: Desired) -> str | None:
        name = want.inputs["name"]
        return name if self._target(self.client(ctx, want.inputs), name) else None


def _key_arn(have: ResourceRecord, key_id: str) -> str:
    """The ARN of `key_id` in the alias's own region and account (from its recorded ARN)."""
    prefix = str(have.outputs.get("arn", "")).split(":alias/", 1)[0]
    return f"{prefix}:key/{key_id}"
