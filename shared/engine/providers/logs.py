"""CloudWatch Logs log groups on the emulator."""

from __future__ import annotations

from shared.engine.providers.base import Context, Provider, as_int, drop_none, not_found, provides


def log_group_arn(ctx: Context, name: str) -> str:
    return f"arn:aws:logs:{ctx.region}:{ctx.account_id}:log-group:{name}"


@provides
class LogGroup(Provider):
    type_token = "aws:cloudwatch/logGroup:LogGroup"
    updatable = frozenset({"retentionInDays", "tags"})

    def create(self, ctx, want):
        name = want.physical_name()
        ctx.client("logs").create_log_group(
            **drop_none(logGroupName=name, tags=want.inputs.get("tags") or None)
        )
        try:
            self._set_retention(ctx, name, want.inputs.get("retentionInDays"))
        except Exception:
            # Leave nothing unrecorded behind: a half-made group would block the next create.
            ctx.client("logs").delete_log_group(logGroupName=name)
            raise
        return name, {"name": name, "arn": log_group_arn(ctx, name)}

    def update(self, ctx, have, want):
        self._set_retention(ctx, have.id, want.inputs.get("retentionInDays"))
        old_tags, new_tags = have.inputs.get("tags") or {}, want.inputs.get("tags") or {}
        arn = log_group_arn(ctx, have.id)
        if removed := [k for k in old_tags if k not in new_tags]:
            ctx.client("logs").untag_resource(resourceArn=arn, tagKeys=removed)
        if new_tags and new_tags != old_tags:
            ctx.client("logs").tag_resource(resourceArn=arn, tags=new_tags)
        return {"name": have.id, "arn": arn}

    def _set_retention(self, ctx, name, days):
        if days:
            ctx.client("logs").put_retention_policy(logGroupName=name, retentionInDays=as_int(days))
        else:
            ctx.client("logs").delete_retention_policy(logGroupName=name)

    def delete(self, ctx, have):
        ctx.client("logs").delete_log_group(logGroupName=have.id)

    def read(self, ctx, have):
        groups = ctx.client("logs").describe_log_groups(logGroupNamePrefix=have.id)["logGroups"]
        if not any(g["logGroupName"] == have.id for g in groups):
            raise not_found(f"log group {have.id}")
        return groups
