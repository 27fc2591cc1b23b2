"""Secrets Manager secrets and their versions on the emulator.

A secret's value (`secretString`, `secretBinary`) is sent to the emulator and compared, and
never put into a message or a computed output. The program runner hands it over wrapped as a
Pulumi secret (`pulumi.runtime.rpc`'s marker), and the record keeps it so: the provider unwraps
it to send it, and `read` wraps the live value the same way.

Where MiniStack 1.5.33 differs from AWS:
- `CreateSecret` without a value makes an empty version staged AWSCURRENT (AWS makes none); the
  first SecretVersion takes the stage over, as on AWS.
- A secret scheduled for deletion answers InvalidRequestException to reads of its values, as on
  AWS; both providers treat it as gone.
"""

from __future__ import annotations

import base64
from typing import Any

from botocore.exceptions import ClientError

from shared.local.engine.live import live_inputs, same_set
from shared.local.engine.naming import AutoName
from shared.local.engine.providers.base import (
    Client,
    Context,
    Created,
    Desired,
    Inputs,
    Outputs,
    Provider,
    drop_none,
    error_code,
    not_found,
    provides,
)
from shared.local.engine.secret_values import like_recorded, revealed
from shared.local.engine.state import ResourceRecord
from shared.local.engine.tagging import SECRETS_MANAGER, tag_list, tag_map

CURRENT = "AWSCURRENT"
# The AWS provider's default: a deleted secret can be restored for 30 days.
_RECOVERY_DAYS = 30


def _scheduled_for_deletion(error: ClientError) -> bool:
    message = str(error.response.get("Error", {}).get("Message", ""))
    # "... because it was marked for deletion", "... already scheduled for deletion"
    return error_code(error) == "InvalidRequestException" and "for deletion" in message


@provides
class Secret(Provider):
    """A secret (its metadata; values are SecretVersions); its id is its ARN. Deleting it honours
    `recoveryWindowInDays` (0: at once), so a secret the program names itself cannot be made
    again under that name until the window ends, as on AWS."""

    type_token = "aws:secretsmanager/secret:Secret"
    service = "secretsmanager"
    inputs = frozenset(
        {"name", "namePrefix", "description", "recoveryWindowInDays", "tags", "region"}
    )
    outputs = frozenset({"arn", "tagsAll"})
    updatable = frozenset({"description", "recoveryWindowInDays", "tags"})
    auto_name = AutoName("name", prefix="namePrefix", max_length=512)

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        secret = self.client(ctx, i).create_secret(
            **drop_none(
                Name=i["name"],
                Description=i.get("description"),
                Tags=tag_list(i.get("tags")) or None,
            )
        )
        return Created(secret["ARN"], self._outputs(secret["ARN"], i))

    @staticmethod
    def _outputs(arn: str, inputs: Inputs) -> Outputs:
        return {"arn": arn, "tagsAll": dict(inputs.get("tags") or {})}

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        old, new = have.inputs, want.inputs
        client = self.client(ctx, new)
        if old.get("description") != new.get("description"):
            client.update_secret(SecretId=have.id, Description=new.get("description") or "")
        SECRETS_MANAGER.retag(client, have.id, old.get("tags"), new.get("tags"))
        return self._outputs(have.id, new)

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        days = int(have.inputs.get("recoveryWindowInDays", _RECOVERY_DAYS))
        window = (
            {"ForceDeleteWithoutRecovery": True} if days == 0 else {"RecoveryWindowInDays": days}
        )
        try:
            self.client(ctx, have.inputs).delete_secret(SecretId=have.id, **window)
        except ClientError as error:
            if not _scheduled_for_deletion(error):  # deleted already, its window running
                raise

    def _describe(self, client: Client, secret_id: str) -> dict[str, Any]:
        secret: dict[str, Any] = client.describe_secret(SecretId=secret_id)
        if secret.get("DeletedDate"):
            raise not_found(f"secret {secret_id} (scheduled for deletion)")
        return secret

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        i = have.inputs
        secret = self._describe(self.client(ctx, i), have.id)
        live = {
            "description": secret.get("Description") or "",
            "tags": tag_map(secret.get("Tags")),
        }
        return live_inputs(i, live, {"description": "", "tags": {}})

    def find(self, ctx: Context, want: Desired) -> str | None:
        client = self.client(ctx, want.inputs)
        secret = self.lookup(self._describe, client=client, secret_id=want.inputs["name"])
        return None if secret is None else str(secret["ARN"])


def _value(inputs: Inputs) -> dict[str, Any]:
    """The version's value as the API takes it; pulumi-aws gives a binary one base64-encoded."""
    if inputs.get("secretBinary") is not None:
        return {"SecretBinary": base64.b64decode(revealed(inputs["secretBinary"]))}
    return {"SecretString": revealed(inputs.get("secretString", ""))}


def _versions(client: Client, secret: str) -> tuple[str, list[dict[str, Any]]]:
    """The secret's ARN and every version of it, deprecated ones (no label) included; boto3 has
    no paginator for this call."""
    versions: list[dict[str, Any]] = []
    token: dict[str, str] = {}
    while True:
        page = client.list_secret_version_ids(SecretId=secret, IncludeDeprecated=True, **token)
        versions.extend(page["Versions"])
        if not page.get("NextToken"):
            return str(page["ARN"]), versions
        token = {"NextToken": page["NextToken"]}


@provides
class SecretVersion(Provider):
    """One value of a secret; its id is `<secret ARN>|<version id>`, as in the AWS provider. A new
    value is a new version (replacement); its staging labels (`versionStages`, AWSCURRENT when
    unset) move in place. Deleting it removes its labels; the version that holds AWSCURRENT
    stays until a newer one takes the label or the secret goes, as on AWS."""

    type_token = "aws:secretsmanager/secretVersion:SecretVersion"
    service = "secretsmanager"
    inputs = frozenset({"secretId", "secretString", "secretBinary", "versionStages", "region"})
    outputs = frozenset({"arn", "secretArn", "versionId"})
    updatable = frozenset({"versionStages"})

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        version = self.client(ctx, i).put_secret_value(
            SecretId=i["secretId"],
            **_value(i),
            **drop_none(VersionStages=i.get("versionStages")),
        )
        return Created(
            f"{version['ARN']}|{version['VersionId']}",
            {"arn": version["ARN"], "secretArn": version["ARN"], "versionId": version["VersionId"]},
        )

    @staticmethod
    def _ids(record_id: str) -> tuple[str, str]:
        secret, version = record_id.split("|", 1)
        return secret, version

    @staticmethod
    def _stages(client: Client, secret: str, version: str) -> list[str]:
        """The labels the version holds (none: it is deprecated but still there)."""
        for listed in _versions(client, secret)[1]:
            if listed["VersionId"] == version:
                return list(listed.get("VersionStages") or [])
        raise not_found(f"version {version} of {secret}")

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        client = self.client(ctx, want.inputs)
        secret, version = self._ids(have.id)
        held = self._stages(client, secret, version)
        wanted = want.inputs.get("versionStages") or [CURRENT]
        for stage in [s for s in wanted if s not in held]:
            holder = self._holder(client, secret, stage)
            client.update_secret_version_stage(
                SecretId=secret,
                VersionStage=stage,
                MoveToVersionId=version,
                **drop_none(RemoveFromVersionId=holder),
            )
        for stage in [s for s in held if s not in wanted and s != CURRENT]:
            client.update_secret_version_stage(
                SecretId=secret, VersionStage=stage, RemoveFromVersionId=version
            )
        return {"arn": secret, "secretArn": secret, "versionId": version}

    @staticmethod
    def _holder(client: Client, secret: str, stage: str) -> str | None:
        for listed in _versions(client, secret)[1]:
            if stage in (listed.get("VersionStages") or []):
                return str(listed["VersionId"])
        return None

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        client = self.client(ctx, have.inputs)
        secret, version = self._ids(have.id)
        try:
            held = self._stages(client, secret, version)
            for stage in [s for s in held if s != CURRENT]:
                client.update_secret_version_stage(
                    SecretId=secret, VersionStage=stage, RemoveFromVersionId=version
                )
        except ClientError as error:
            if not _scheduled_for_deletion(error):  # the secret is going: so is its version
                raise

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        i = have.inputs
        client = self.client(ctx, i)
        secret, version = self._ids(have.id)
        try:
            value = client.get_secret_value(SecretId=secret, VersionId=version)
        except ClientError as error:
            if _scheduled_for_deletion(error):
                raise not_found(f"secret {secret} (scheduled for deletion)") from None
            raise
        live: Inputs = {}
        if "secretBinary" in i:
            prop, text = "secretBinary", base64.b64encode(value.get("SecretBinary") or b"").decode()
        else:
            prop, text = "secretString", value.get("SecretString")
        live[prop] = like_recorded(i.get(prop), text)
        if "versionStages" in i:
            live["versionStages"] = same_set(i["versionStages"], value.get("VersionStages") or [])
        return live

    def find(self, ctx: Context, want: Desired) -> str | None:
        """The version holding the wanted value: versions have no name, and the value is all a
        create of `want` leaves to recognise it by (compared here, never shown)."""
        i = want.inputs
        client = self.client(ctx, i)
        wanted = _value(i)
        try:
            arn, versions = _versions(client, i["secretId"])
            for listed in versions:
                value = client.get_secret_value(SecretId=arn, VersionId=listed["VersionId"])
                if all(value.get(k) == v for k, v in wanted.items()):
                    return f"{arn}|{listed['VersionId']}"
        except ClientError as error:
            if self.is_not_found(error) or _scheduled_for_deletion(error):
                return None
            raise
        return None
