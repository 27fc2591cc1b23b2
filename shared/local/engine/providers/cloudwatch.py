"""CloudWatch Logs log groups (pulumi-aws's `cloudwatch` module) on the emulator."""

from __future__ import annotations

from shared.local.engine.naming import AutoName
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
    not_found,
    provides,
    retag,
)
from shared.local.engine.state import ResourceRecord


def log_group_arn(ctx: Context, name: str, region: str | None = None) -> str:
    return f"arn:aws:logs:{region or ctx.region}:{ctx.account_id}:log-group:{name}"


@provides
class LogGroup(Provider):
    type_token = "aws:cloudwatch/logGroup:LogGroup"
    service = "logs"
    updatable = frozenset({"retentionInDays", "tags"})
    auto_name = AutoName("name", prefix="namePrefix", max_length=512)

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        name = i["name"]
        client = self.client(ctx, i)
        client.create_log_group(
            **drop_none(
                logGroupName=name,
                logGroupClass=i.get("logGroupClass"),
                kmsKeyId=i.get("kmsKeyId"),
                tags=i.get("tags") or None,
            )
        )
        try:
            self._set_retention(client, name, i.get("retentionInDays"))
        except Exception:
            # Leave nothing unrecorded behind: a half-made group would block the next create.
            client.delete_log_group(logGroupName=name)
            raise
        return Created(name, self._outputs(ctx, name, i))

    def _outputs(self, ctx: Context, name: str, inputs: Inputs) -> Outputs:
        return {"name": name, "arn": log_group_arn(ctx, name, ctx.region_of(inputs))}

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        client = self.client(ctx, want.inputs)
        self._set_retention(client, have.id, want.inputs.get("retentionInDays"))
        arn = log_group_arn(ctx, have.id, ctx.region_of(want.inputs))
        retag(
            have.inputs.get("tags"),
            want.inputs.get("tags"),
            untag=lambda keys: client.untag_resource(resourceArn=arn, tagKeys=keys),
            tag=lambda tags: client.tag_resource(resourceArn=arn, tags=tags),
        )
        return self._outputs(ctx, have.id, want.inputs)

    @staticmethod
    def _set_retention(client: Client, name: str, days: float | None) -> None:
        if days:
            client.put_retention_policy(logGroupName=name, retentionInDays=as_int(days))
        else:
            client.delete_retention_policy(logGroupName=name)

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_log_group(logGroupName=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        client = self.client(ctx, have.inputs)
        groups = client.describe_log_groups(logGroupNamePrefix=have.id)["logGroups"]
        if not any(g["logGroupName"] == have.id for g in groups):
            raise not_found(f"log group {have.id}")
        return groups
