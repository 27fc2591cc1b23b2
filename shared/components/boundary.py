"""The permissions boundary every IAM role of the pattern stacks carries outside `local`.

The bootstrap's deploy role may create a role, or put a policy on one, only when the role has
this boundary: its CreateRole, PutRolePolicy and PutRolePermissionsBoundary are allowed under the
condition `iam:PermissionsBoundary` = this policy's ARN (AWS's way of delegating role creation
without handing out administrator: a role's effective permissions are the intersection of its
own policies and its boundary). A role made without it is refused (CreateRole: AccessDenied).
The bootstrap makes the policy once per account under a fixed name and path, so its ARN follows
from the account id alone. In `local` no bootstrap exists (the emulator checks no permission):
roles carry no boundary there.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

LOCAL_ENVIRONMENT = "local"
NAME = "aigw-workload-boundary"
# The deploy role's own policies live on this path too; the policy pack accepts account-wide
# resource patterns on it (a boundary is a ceiling over every workload role of the account).
PATH = "/aigw-deploy/"


def policy_arn(account: str) -> str:
    """The boundary's ARN in `account`."""
    return f"arn:aws:iam::{account}:policy{PATH}{NAME}"


def for_stack() -> pulumi.Output[str] | None:
    """What a stack's role sets as `permissions_boundary`: the account's boundary, or None in
    `local`."""
    if pulumi.get_stack() == LOCAL_ENVIRONMENT:
        return None
    return aws.get_caller_identity_output().account_id.apply(policy_arn)
