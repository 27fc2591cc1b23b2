"""IAM roles, their inline policies and their managed-policy attachments on the emulator.

IAM is global on AWS; a `region` input only picks the endpoint's signing region, as it does in
pulumi-aws 7. MiniStack 1.5.33 behaved like AWS for every call used here (it refuses to delete a
role that still has policies with DeleteConflict, as AWS does), except that it accepts any
policy ARN for an attachment, even one that names no policy.
"""

from __future__ import annotations

import json
from typing import Any

from shared.local.engine.naming import AutoName
from shared.local.engine.providers.base import (
    Context,
    Created,
    Desired,
    Immutable,
    Inputs,
    Outputs,
    Provider,
    as_int,
    drop_none,
    not_found,
    provides,
    retag,
    tag_list,
)
from shared.local.engine.state import ResourceRecord


def _document(policy: Any) -> str:
    """Policies arrive as JSON text, or as a dict when the program passes one."""
    return policy if isinstance(policy, str) else json.dumps(policy)


def role_name(role: str) -> str:
    """A role input may be a name or an ARN (arn:aws:iam::123:role/some/path/name)."""
    return role.rsplit("/", 1)[-1] if role.startswith("arn:") else role


@provides
class Role(Provider):
    type_token = "aws:iam/role:Role"
    service = "iam"
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
    auto_name = AutoName("name", prefix="namePrefix", max_length=64)

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        role = self.client(ctx, i).create_role(
            **drop_none(
                RoleName=i["name"],
                Path=i.get("path"),
                AssumeRolePolicyDocument=_document(i["assumeRolePolicy"]),
                Description=i.get("description"),
                MaxSessionDuration=as_int(i.get("maxSessionDuration")),
                PermissionsBoundary=i.get("permissionsBoundary"),
                Tags=tag_list(i.get("tags")) or None,
            )
        )["Role"]
        return Created(role["RoleName"], self._outputs(role))

    @staticmethod
    def _outputs(role: dict[str, Any]) -> Outputs:
        return {
            "name": role["RoleName"],
            "arn": role["Arn"],
            "uniqueId": role["RoleId"],
            "path": role.get("Path", "/"),
        }

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        old, new = have.inputs, want.inputs
        client = self.client(ctx, new)
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
        retag(
            old.get("tags"),
            new.get("tags"),
            untag=lambda keys: client.untag_role(RoleName=name, TagKeys=keys),
            tag=lambda tags: client.tag_role(RoleName=name, Tags=tag_list(tags)),
        )
        return self._outputs(client.get_role(RoleName=name)["Role"])

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        client = self.client(ctx, have.inputs)
        if have.inputs.get("forceDetachPolicies"):
            attached = client.list_attached_role_policies(RoleName=have.id)["AttachedPolicies"]
            for policy in attached:
                client.detach_role_policy(RoleName=have.id, PolicyArn=policy["PolicyArn"])
            for policy_name in client.list_role_policies(RoleName=have.id)["PolicyNames"]:
                client.delete_role_policy(RoleName=have.id, PolicyName=policy_name)
        client.delete_role(RoleName=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).get_role(RoleName=have.id)["Role"]


@provides
class RolePolicy(Provider):
    """An inline policy; its id is `role:name`, as in the AWS provider."""

    type_token = "aws:iam/rolePolicy:RolePolicy"
    service = "iam"
    updatable = frozenset({"policy"})
    auto_name = AutoName("name", prefix="namePrefix", max_length=128)
    identity = ("role", "name")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        role, name = role_name(i["role"]), i["name"]
        self._put(ctx, i, role, name)
        return Created(f"{role}:{name}", {"name": name})

    def _put(self, ctx: Context, inputs: Inputs, role: str, name: str) -> None:
        self.client(ctx, inputs).put_role_policy(
            RoleName=role, PolicyName=name, PolicyDocument=_document(inputs["policy"])
        )

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        role, name = have.id.split(":", 1)
        self._put(ctx, want.inputs, role, name)
        return {"name": name}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        role, name = have.id.split(":", 1)
        self.client(ctx, have.inputs).delete_role_policy(RoleName=role, PolicyName=name)

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        role, name = have.id.split(":", 1)
        return self.client(ctx, have.inputs).get_role_policy(RoleName=role, PolicyName=name)


@provides
class RolePolicyAttachment(Immutable):
    """A managed policy attached to a role; its id is `role/policyArn`."""

    type_token = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    service = "iam"
    identity = ("role", "policyArn")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        role = role_name(i["role"])
        self.client(ctx, i).attach_role_policy(RoleName=role, PolicyArn=i["policyArn"])
        return Created(f"{role}/{i['policyArn']}")

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).detach_role_policy(
            RoleName=role_name(have.inputs["role"]), PolicyArn=have.inputs["policyArn"]
        )

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        role, arn = role_name(have.inputs["role"]), have.inputs["policyArn"]
        pages = self.client(ctx, have.inputs).get_paginator("list_attached_role_policies")
        for page in pages.paginate(RoleName=role):
            if any(p["PolicyArn"] == arn for p in page["AttachedPolicies"]):
                return arn
        raise not_found(f"attachment of {arn} to {role}")
