"""IAM roles, customer managed policies, inline role policies and managed-policy attachments on
the emulator.

IAM is global on AWS and its types take no `region` input in pulumi-aws 7. MiniStack 1.5.33
behaved like AWS for every call used here (it refuses to delete a role that still has policies,
or a policy still attached, with DeleteConflict, as AWS does), except that it accepts any policy
ARN for an attachment, even one that names no policy.

Policy documents come back from IAM as parsed JSON; `read` returns the recorded text when the
live document means the same (key order and spacing are not drift).
"""

from __future__ import annotations

from typing import Any

from shared.local.engine.live import live_inputs, same_document, same_set
from shared.local.engine.naming import AutoName
from shared.local.engine.providers.base import (
    Client,
    Context,
    Created,
    Desired,
    Immutable,
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
from shared.local.engine.tagging import IAM_POLICY, IAM_ROLE, tag_list, tag_map

# AWS keeps at most five versions of a customer managed policy.
_MAX_POLICY_VERSIONS = 5


def role_name(role: str) -> str:
    """A role input may be a name or an ARN (arn:aws:iam::123:role/some/path/name)."""
    return role.rsplit("/", 1)[-1] if role.startswith("arn:") else role


# -- roles --------------------------------------------------------------------------------------


def _attached(client: Client, role: str) -> list[str]:
    pages = client.get_paginator("list_attached_role_policies").paginate(RoleName=role)
    return [p["PolicyArn"] for page in pages for p in page["AttachedPolicies"]]


@provides
class Role(Provider):
    """A role. `managedPolicyArns`, when set, is the exclusive list of its attached managed
    policies, as in the AWS provider: attachments made behind the engine's back are drift."""

    type_token = "aws:iam/role:Role"
    service = "iam"
    inputs = frozenset(
        {
            "name",
            "namePrefix",
            "path",
            "assumeRolePolicy",
            "description",
            "maxSessionDuration",
            "permissionsBoundary",
            "forceDetachPolicies",
            "managedPolicyArns",
            "tags",
        }
    )
    outputs = frozenset({"arn", "uniqueId", "createDate", "tagsAll"})
    updatable = frozenset(
        {
            "assumeRolePolicy",
            "description",
            "maxSessionDuration",
            "tags",
            "permissionsBoundary",
            "forceDetachPolicies",
            "managedPolicyArns",
        }
    )
    auto_name = AutoName("name", prefix="namePrefix", max_length=64)

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        client = self.client(ctx, i)
        role = client.create_role(
            **drop_none(
                RoleName=i["name"],
                Path=i.get("path"),
                AssumeRolePolicyDocument=json_text(i["assumeRolePolicy"]),
                Description=i.get("description"),
                MaxSessionDuration=as_int(i.get("maxSessionDuration")),
                PermissionsBoundary=i.get("permissionsBoundary"),
                Tags=tag_list(i.get("tags")) or None,
            )
        )["Role"]
        try:
            self._attach(client, role["RoleName"], [], i.get("managedPolicyArns") or [])
        except Exception:
            # Leave nothing unrecorded behind: detach what was attached, then the role.
            for arn in _attached(client, role["RoleName"]):
                client.detach_role_policy(RoleName=role["RoleName"], PolicyArn=arn)
            client.delete_role(RoleName=role["RoleName"])
            raise
        return Created(role["RoleName"], self._outputs(role, i))

    @staticmethod
    def _attach(client: Client, name: str, old: list[str], new: list[str]) -> None:
        for arn in [a for a in old if a not in new]:
            client.detach_role_policy(RoleName=name, PolicyArn=arn)
        for arn in [a for a in new if a not in old]:
            client.attach_role_policy(RoleName=name, PolicyArn=arn)

    @staticmethod
    def _outputs(role: dict[str, Any], inputs: Inputs) -> Outputs:
        return {
            "name": role["RoleName"],
            "arn": role["Arn"],
            "uniqueId": role["RoleId"],
            "path": role.get("Path", "/"),
            "createDate": str(role.get("CreateDate", "")),
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        old, new = have.inputs, want.inputs
        client = self.client(ctx, new)
        name = have.id
        if old.get("assumeRolePolicy") != new.get("assumeRolePolicy"):
            client.update_assume_role_policy(
                RoleName=name, PolicyDocument=json_text(new["assumeRolePolicy"])
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
        # Unset means "not managed here": the attachments are left to RolePolicyAttachment.
        managed = new.get("managedPolicyArns")
        if managed is not None and old.get("managedPolicyArns") != managed:
            self._attach(client, name, _attached(client, name), managed)
        IAM_ROLE.retag(client, name, old.get("tags"), new.get("tags"))
        return self._outputs(client.get_role(RoleName=name)["Role"], new)

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        client = self.client(ctx, have.inputs)
        # The attachments this role manages go with it, as in the AWS provider.
        if have.inputs.get("forceDetachPolicies"):
            detach = _attached(client, have.id)
        else:
            attached = set(_attached(client, have.id))
            detach = [a for a in have.inputs.get("managedPolicyArns") or [] if a in attached]
        for arn in detach:
            client.detach_role_policy(RoleName=have.id, PolicyArn=arn)
        if have.inputs.get("forceDetachPolicies"):
            for policy_name in client.list_role_policies(RoleName=have.id)["PolicyNames"]:
                client.delete_role_policy(RoleName=have.id, PolicyName=policy_name)
        client.delete_role(RoleName=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        i = have.inputs
        client = self.client(ctx, i)
        role = client.get_role(RoleName=have.id)["Role"]
        live: Inputs = {
            "assumeRolePolicy": same_document(
                i.get("assumeRolePolicy"), role["AssumeRolePolicyDocument"]
            ),
            "description": role.get("Description") or "",
            "maxSessionDuration": role.get("MaxSessionDuration", 3600),
            "path": role.get("Path", "/"),
            "permissionsBoundary": (role.get("PermissionsBoundary") or {}).get(
                "PermissionsBoundaryArn"
            ),
            "tags": tag_map(role.get("Tags")),
        }
        if i.get("managedPolicyArns") is not None:
            live["managedPolicyArns"] = same_set(i["managedPolicyArns"], _attached(client, have.id))
        defaults = {
            "description": "",
            "maxSessionDuration": 3600,
            "path": "/",
            "permissionsBoundary": None,
            "tags": {},
        }
        return live_inputs(i, live, defaults)

    def find(self, ctx: Context, want: Desired) -> str | None:
        name = want.inputs["name"]
        client = self.client(ctx, want.inputs)
        return None if self.lookup(client.get_role, RoleName=name) is None else str(name)


# -- customer managed policies ------------------------------------------------------------------


@provides
class Policy(Provider):
    """A customer managed policy; its id is its ARN, as in the AWS provider. A changed document
    becomes its new default version (the oldest non-default one goes when AWS's five are
    used)."""

    type_token = "aws:iam/policy:Policy"
    service = "iam"
    inputs = frozenset({"name", "namePrefix", "path", "description", "policy", "tags"})
    outputs = frozenset({"arn", "policyId", "attachmentCount", "tagsAll"})
    updatable = frozenset({"policy", "tags"})
    auto_name = AutoName("name", prefix="namePrefix", max_length=128)

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        policy = self.client(ctx, i).create_policy(
            **drop_none(
                PolicyName=i["name"],
                Path=i.get("path"),
                Description=i.get("description"),
                PolicyDocument=json_text(i["policy"]),
                Tags=tag_list(i.get("tags")) or None,
            )
        )["Policy"]
        return Created(policy["Arn"], self._outputs(policy, i))

    @staticmethod
    def _outputs(policy: dict[str, Any], inputs: Inputs) -> Outputs:
        return {
            "name": policy["PolicyName"],
            "arn": policy["Arn"],
            "path": policy.get("Path", "/"),
            "policyId": policy["PolicyId"],
            "attachmentCount": policy.get("AttachmentCount", 0),
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        old, new = have.inputs, want.inputs
        client = self.client(ctx, new)
        arn = have.id
        if old.get("policy") != new.get("policy"):
            versions = client.list_policy_versions(PolicyArn=arn)["Versions"]
            if len(versions) >= _MAX_POLICY_VERSIONS:
                oldest = min(
                    (v for v in versions if not v["IsDefaultVersion"]),
                    key=lambda v: v["CreateDate"],
                )
                client.delete_policy_version(PolicyArn=arn, VersionId=oldest["VersionId"])
            client.create_policy_version(
                PolicyArn=arn, PolicyDocument=json_text(new["policy"]), SetAsDefault=True
            )
        IAM_POLICY.retag(client, arn, old.get("tags"), new.get("tags"))
        return self._outputs(client.get_policy(PolicyArn=arn)["Policy"], new)

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        client = self.client(ctx, have.inputs)
        # AWS deletes a policy only once its non-default versions are gone.
        for version in client.list_policy_versions(PolicyArn=have.id)["Versions"]:
            if not version["IsDefaultVersion"]:
                client.delete_policy_version(PolicyArn=have.id, VersionId=version["VersionId"])
        client.delete_policy(PolicyArn=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        i = have.inputs
        client = self.client(ctx, i)
        policy = client.get_policy(PolicyArn=have.id)["Policy"]
        versions = client.list_policy_versions(PolicyArn=have.id)["Versions"]
        default = next(v["VersionId"] for v in versions if v["IsDefaultVersion"])
        document = client.get_policy_version(PolicyArn=have.id, VersionId=default)
        live = {
            "policy": same_document(i.get("policy"), document["PolicyVersion"]["Document"]),
            "description": policy.get("Description") or "",
            "path": policy.get("Path", "/"),
            "tags": IAM_POLICY.read(client, have.id),
        }
        return live_inputs(i, live, {"description": "", "path": "/", "tags": {}})

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        arn = f"arn:aws:iam::{ctx.account_id}:policy{i.get('path') or '/'}{i['name']}"
        client = self.client(ctx, i)
        return None if self.lookup(client.get_policy, PolicyArn=arn) is None else arn


# -- inline policies and attachments ------------------------------------------------------------


@provides
class RolePolicy(Provider):
    """An inline policy; its id is `role:name`, as in the AWS provider. `role` may be the
    role's name or its ARN."""

    type_token = "aws:iam/rolePolicy:RolePolicy"
    service = "iam"
    inputs = frozenset({"role", "name", "namePrefix", "policy"})
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
            RoleName=role, PolicyName=name, PolicyDocument=json_text(inputs["policy"])
        )

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        role, name = have.id.split(":", 1)
        self._put(ctx, want.inputs, role, name)
        return {"name": name}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        role, name = have.id.split(":", 1)
        self.client(ctx, have.inputs).delete_role_policy(RoleName=role, PolicyName=name)

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        role, name = have.id.split(":", 1)
        live = self.client(ctx, have.inputs).get_role_policy(RoleName=role, PolicyName=name)
        return {"policy": same_document(have.inputs.get("policy"), live["PolicyDocument"])}

    def find(self, ctx: Context, want: Desired) -> str | None:
        role, name = role_name(want.inputs["role"]), want.inputs["name"]
        client = self.client(ctx, want.inputs)
        found = self.lookup(client.get_role_policy, RoleName=role, PolicyName=name)
        return None if found is None else f"{role}:{name}"


@provides
class RolePolicyAttachment(Immutable):
    """A managed policy attached to a role; its id is `role/policyArn`. `role` may be the
    role's name or its ARN."""

    type_token = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    service = "iam"
    inputs = frozenset({"role", "policyArn"})
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

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        """The attachment is there or it is not: not there is "vanished"."""
        role, arn = role_name(have.inputs["role"]), have.inputs["policyArn"]
        if arn not in _attached(self.client(ctx, have.inputs), role):
            raise not_found(f"attachment of {arn} to {role}")
        return {"role": have.inputs["role"], "policyArn": arn}

    def find(self, ctx: Context, want: Desired) -> str | None:
        role, arn = role_name(want.inputs["role"]), want.inputs["policyArn"]
        attached = self.lookup(_attached, client=self.client(ctx, want.inputs), role=role)
        return f"{role}/{arn}" if attached is not None and arn in attached else None


# -- OpenID Connect providers -------------------------------------------------------------------
# GitHub Actions' token issuer is one. IAM is global: the type takes no `region`. The provider's
# ARN is made of its URL's host and path (`arn:aws:iam::<account>:oidc-provider/<host/path>`), so
# an account has at most one provider per URL and a replacement must delete the old one first
# (`identity`). MiniStack 1.5.33 implements create, get, list and delete only (no client id,
# thumbprint or tag updates), so every change replaces the provider; AWS would change those three
# in place.


def provider_arn(account: str, url: str) -> str:
    """The ARN IAM gives the provider of `url` (its scheme dropped)."""
    return f"arn:aws:iam::{account}:oidc-provider/{url.removeprefix('https://').rstrip('/')}"


@provides
class OpenIdConnectProvider(Immutable):
    """Its id is its ARN, as in the AWS provider."""

    type_token = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
    service = "iam"
    inputs = frozenset({"url", "clientIdLists", "thumbprintLists", "tags"})
    outputs = frozenset({"arn", "tagsAll"})
    identity = ("url",)

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        arn = self.client(ctx, i).create_open_id_connect_provider(
            **drop_none(
                Url=i["url"],
                ClientIDList=list(i.get("clientIdLists") or []),
                ThumbprintList=list(i.get("thumbprintLists") or []) or None,
                Tags=tag_list(i.get("tags")) or None,
            )
        )["OpenIDConnectProviderArn"]
        return Created(arn, self._outputs(arn, i))

    @staticmethod
    def _outputs(arn: str, inputs: Inputs) -> Outputs:
        return {"arn": arn, "tagsAll": dict(inputs.get("tags") or {})}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_open_id_connect_provider(
            OpenIDConnectProviderArn=have.id
        )

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        i = have.inputs
        found = self.client(ctx, i).get_open_id_connect_provider(OpenIDConnectProviderArn=have.id)
        url = found["Url"]
        live: Inputs = {
            # IAM answers the URL without its scheme; the program gives it with one.
            "url": i["url"] if i.get("url", "").removeprefix("https://") == url else url,
            "clientIdLists": same_set(i.get("clientIdLists"), found.get("ClientIDList") or []),
            "thumbprintLists": same_set(
                i.get("thumbprintLists"), found.get("ThumbprintList") or []
            ),
            "tags": tag_map(found.get("Tags")),
        }
        return live_inputs(i, live, {"thumbprintLists": [], "tags": {}})

    def find(self, ctx: Context, want: Desired) -> str | None:
        arn = provider_arn(ctx.account_id, want.inputs["url"])
        client = self.client(ctx, want.inputs)
        found = self.lookup(client.get_open_id_connect_provider, OpenIDConnectProviderArn=arn)
        return None if found is None else arn
