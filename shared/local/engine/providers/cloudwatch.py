"""CloudWatch Logs log groups on the emulator."""

from __future__ import annotations

from typing import Any

from shared.local.engine.providers.base import (
    Context,
    Provider,
    as_int,
    drop_none,
    not_found,
    provides,
)


def log_group_arn(ctx: Context, name: str, region: str | None = None) -> str:
    return f"arn:aws:logs:{region or ctx.region}:{ctx.account_id}:log-group:{name}"


def _client(ctx: Context, inputs: dict[str, Any]) -> Any:
    """CloudWatch Logs in the group's region: pulumi-aws 7's per-resource `region` input."""
    return ctx.client("logs", inputs.get("region"))


@provides
class LogGroup(Provider):
    type_token = "aws:cloudwatch/logGroup:LogGroup"
    updatable = frozenset({"retentionInDays", "tags"})

    def create(self, ctx, want):
        name = want.physical_name()
        client = _client(ctx, want.inputs)
        client.create_log_group(
            **drop_none(logGroupName=name, tags=want.inputs.get("tags") or None)
        )
        try:
            self._set_retention(client, name, want.inputs.get("retentionInDays"))
        except Exception:
            # Leave nothing unrecorded behind: a half-made group would block the next create.
            client.delete_log_group(logGroupName=name)
            raise
        return name, {"name": name, "arn": log_group_arn(ctx, name, want.inputs.get("region"))}

    def update(self, ctx, have, want):
        client = _client(ctx, want.inputs)
        self._set_retention(client, have.id, want.inputs.get("retentionInDays"))
        old_tags, new_tags = have.inputs.get("tags") or {}, want.inputs.get("tags") or {}
        arn = log_group_arn(ctx, have.id, want.inputs.get("region"))
        if removed := [k for k in old_tags if k not in new_tags]:
            client.untag_resource(resourceArn=arn, tagKeys=removed)
        if new_tags and new_tags != old_tags:
            client.tag_resource(resourceArn=arn, tags=new_tags)
        return {"name": have.id, "arn": arn}

    def _set_retention(self, client, name, days):
        if days:
            client.put_retention_policy(logGroupName=name, retentionInDays=as_int(days))
        else:
            client.delete_retention_policy(logGroupName=name)

    def delete(self, ctx, have):
        _client(ctx, have.inputs).delete_log_group(logGroupName=have.id)

    def read(self, ctx, have):
        client = _client(ctx, have.inputs)
        groups = client.describe_log_groups(logGroupNamePrefix=have.id)["logGroups"]
        if not any(g["logGroupName"] == have.id for g in groups):
            raise not_found(f"log group {have.id}")
        return groups
