"""IAM roles, their inline policies and their managed-policy attachments on the emulator.

IAM is global on AWS; a `region` input only picks the endpoint's signing region, as it does in
pulumi-aws 7. MiniStack 1.5.33 behaved like AWS for every call used here (it refuses to delete a
role that still has policies with DeleteConflict, as AWS does), except that it accepts any
policy ARN for an attachment, even one that names no policy.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from shared.local.engine.providers.base import (
    Context,
    Desired,
    Provider,
    as_int,
    drop_none,
    not_found,
    provides,
)


def _client(ctx: Context, inputs: dict[str, Any]) -> Any:
    return ctx.client("iam", inputs.get("region"))


def _name(want: Desired) -> str:
    """`name`, else `namePrefix` plus a stable suffix, else Pulumi-style auto-name."""
    prefix = want.inputs.get("namePrefix")
    if not want.inputs.get("name") and prefix:
        return prefix + hashlib.sha256(want.key.encode()).hexdigest()[:12]
    return want.physical_name()


def _document(policy: Any) -> str:
    """Policies arrive as JSON text, or as a dict when the program passes one."""
    return policy if isinstance(policy, str) else json.dumps(policy)


def role_name(role: str) -> str:
    """A role input may be a name or an ARN (arn:aws:iam::123:role/some/path/name)."""
    return role.rsplit("/", 1)[-1] if role.startswith("arn:") else role


def _tag_list(tags: dict[str, str] | None) -> list[dict[str, str]] | None:
    return [{"Key": k, "Value": v} for k, v in tags.items()] if tags else None


@provides
class Role(Provider):
    type_token = "aws:iam/role:Role"
    updatable = frozenset(
        {
            "assumeRolePolicy",
            "description",
            "maxSessionDuration",
            "tags",
            "permissionsBoundary",
            "forceDetachPolicies",
        }
    )

    def create(self, ctx, want):
        i = want.inputs
        name = _name(want)
        role = _client(ctx, i).create_role(
            **drop_none(
                RoleName=name,
                Path=i.get("path"),
                AssumeRolePolicyDocument=_document(i["assumeRolePolicy"]),
                Description=i.get("description"),
                MaxSessionDuration=as_int(i.get("maxSessionDuration")),
                PermissionsBoundary=i.get("permissionsBoundary"),
                Tags=_tag_list(i.get("tags")),
            )
        )["Role"]
        return name, self._outputs(role)

    def _outputs(self, role: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": role["RoleName"],
            "arn": role["Arn"],
            "uniqueId": role["RoleId"],
            "path": role.get("Path", "/"),
        }

    def update(self, ctx, have, want):
        old, new = have.inputs, want.inputs
        client = _client(ctx, new)
        name = have.id
        if old.get("assumeRolePolicy") != new.get("assumeRolePolicy"):
            client.update_assume_role_policy(
                RoleName=name, PolicyDocument=_document(new["assumeRolePolicy"])
            )
        if any(old.get(k) != new.get(k) for k in ("description", "maxSessionDuration")):
            client.update_role(
                RoleName=name,
                Description=new.get("description") or "",
                MaxSessionDuration=as_int(new.get("maxSessionDuration")) or 3600,
            )
        if old.get("permissionsBoundary") != new.get("permissionsBoundary"):
            if new.get("permissionsBoundary"):
                client.put_role_permissions_boundary(
                    RoleName=name, PermissionsBoundary=new["permissionsBoundary"]
                )
            else:
                client.delete_role_permissions_boundary(RoleName=name)
        old_tags, new_tags = old.get("tags") or {}, new.get("tags") or {}
        if removed := [k for k in old_tags if k not in new_tags]:
            client.untag_role(RoleName=name, TagKeys=removed)
        if new_tags and new_tags != old_tags:
            client.tag_role(RoleName=name, Tags=_tag_list(new_tags))
        return self._outputs(client.get_role(RoleName=name)["Role"])

    def delete(self, ctx, have):
        client = _client(ctx, have.inputs)
        if have.inputs.get("forceDetachPolicies"):
            attached = client.list_attached_role_policies(RoleName=have.id)["AttachedPolicies"]
            for policy in attached:
                client.detach_role_policy(RoleName=have.id, PolicyArn=policy["PolicyArn"])
            for policy_name in client.list_role_policies(RoleName=have.id)["PolicyNames"]:
                client.delete_role_policy(RoleName=have.id, PolicyName=policy_name)
        client.delete_role(RoleName=have.id)

    def read(self, ctx, have):
        return _client(ctx, have.inputs).get_role(RoleName=have.id)["Role"]


@provides
class RolePolicy(Provider):
    """An inline policy; its id is `role:name`, as in the AWS provider."""

    type_token = "aws:iam/rolePolicy:RolePolicy"
    updatable = frozenset({"policy"})

    def create(self, ctx, want):
        i = want.inputs
        role, name = role_name(i["role"]), _name(want)
        self._put(ctx, i, role, name)
        return f"{role}:{name}", {"name": name}

    def _put(self, ctx, inputs, role, name):
        _client(ctx, inputs).put_role_policy(
            RoleName=role, PolicyName=name, PolicyDocument=_document(inputs["policy"])
        )

    def update(self, ctx, have, want):
        role, name = have.id.split(":", 1)
        self._put(ctx, want.inputs, role, name)
        return {"name": name}

    def delete(self, ctx, have):
        role, name = have.id.split(":", 1)
        _client(ctx, have.inputs).delete_role_policy(RoleName=role, PolicyName=name)

    def read(self, ctx, have):
        role, name = have.id.split(":", 1)
        return _client(ctx, have.inputs).get_role_policy(RoleName=role, PolicyName=name)


@provides
class RolePolicyAttachment(Provider):
    """A managed policy attached to a role; its id is `role/policyArn`."""

    type_token = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"

    def create(self, ctx, want):
        i = want.inputs
        role = role_name(i["role"])
        _client(ctx, i).attach_role_policy(RoleName=role, PolicyArn=i["policyArn"])
        return f"{role}/{i['policyArn']}", {}

    def delete(self, ctx, have):
        _client(ctx, have.inputs).detach_role_policy(
            RoleName=role_name(have.inputs["role"]), PolicyArn=have.inputs["policyArn"]
        )

    def read(self, ctx, have):
        role, arn = role_name(have.inputs["role"]), have.inputs["policyArn"]
        pages = _client(ctx, have.inputs).get_paginator("list_attached_role_policies")
        for page in pages.paginate(RoleName=role):
            if any(p["PolicyArn"] == arn for p in page["AttachedPolicies"]):
                return arn
        raise not_found(f"attachment of {arn} to {role}")
