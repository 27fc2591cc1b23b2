"""Every IAM role of the pattern stacks carries the account's workload boundary outside `local`,
and the boundary the bootstrap makes allows every grant those roles have.

The AWS rule: the bootstrap's deploy role may call iam:CreateRole (and PutRolePolicy,
PutRolePermissionsBoundary) only when the request's `iam:PermissionsBoundary` is the workload
boundary's ARN, as AWS recommends for delegated role creation; a role declared without it is
refused (AccessDenied) on the first deploy. And a role may do only what both its own policy and
its boundary allow, so a grant outside the boundary would fail at run time instead.
In `local` the emulator has no bootstrap and checks no permission: no boundary.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from shared import catalog
from shared.components import boundary
from shared.components.deploy_access import workload_boundary_policy
from shared.local.engine import program
from shared.ops import stack_usage
from shared.ops.stack_files import stack_config

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ACCOUNT = program.DEFAULT_ACCOUNT  # what the mocks' get_caller_identity answers
STACKS = catalog.stack_names()
CLOUD_ENVIRONMENTS = [e for e in catalog.ENVIRONMENTS if e != catalog.LOCAL]
STATE_BUCKET_ARN = "arn:aws:s3:::aigw-pulumi-state"


def as_aws_names_them(stack: str, env: str) -> Any:
    """An outputs hook: log groups and buckets get the ARNs AWS gives them (the roles'
    grants are built from those)."""
    home = stack_config(catalog.stack_dir(stack), env).get("aws:region", program.DEFAULT_REGION)

    def outputs(reg: program.Registration, given: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        region = reg.inputs.get("region") or home
        if reg.type == "aws:cloudwatch/logGroup:LogGroup":
            name = reg.inputs.get("name", reg.name)
            given["arn"] = f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{name}"
        elif reg.type == "aws:s3/bucket:Bucket":
            given["arn"] = f"arn:aws:s3:::{reg.name}-bucket"
        return f"{reg.name}-id", given

    return outputs


def _matches(pattern: str, value: str) -> bool:
    """IAM's ARN matching: `*` any run of characters, `?` any one."""
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, value) is not None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _holds(condition: dict[str, Any] | None, context: dict[str, str]) -> bool:
    for operator, tests in (condition or {}).items():
        assert operator == "StringEquals", operator  # all the boundary uses
        for key, wanted in tests.items():
            if context.get(key) not in _as_list(wanted):
                return False
    return True


def boundary_allows(document: dict[str, Any], action: str, resource: str) -> bool:
    """Whether the boundary lets a role do `action` on `resource` (one of the stack's own:
    its buckets are in the account; the region asked is the resource's)."""
    context = {"s3:ResourceAccount": ACCOUNT, "aws:RequestedRegion": resource.split(":")[3]}

    def applies(statement: dict[str, Any]) -> bool:
        return (
            action in _as_list(statement["Action"])
            and any(_matches(p, resource) for p in _as_list(statement["Resource"]))
            and _holds(statement.get("Condition"), context)
        )

    statements = document["Statement"]
    return any(s["Effect"] == "Allow" and applies(s) for s in statements) and not any(
        s["Effect"] == "Deny" and applies(s) for s in statements
    )


@pytest.mark.parametrize("env", CLOUD_ENVIRONMENTS)
def test_every_role_carries_the_boundary_outside_local(run_program, env):
    roles = [role for stack in STACKS for role in run_program(stack, env).of_type(ROLE)]
    assert roles
    for role in roles:
        assert role.inputs["permissionsBoundary"] == (
            f"arn:aws:iam::{ACCOUNT}:policy/aigw-deploy/aigw-workload-boundary"
        ), role.name
        assert role.inputs["permissionsBoundary"] == boundary.policy_arn(ACCOUNT)


def test_no_role_carries_a_boundary_in_local(run_program):
    roles = [role for stack in STACKS for role in run_program(stack, catalog.LOCAL).of_type(ROLE)]
    assert roles
    assert [r.name for r in roles if r.inputs.get("permissionsBoundary") is not None] == []


@pytest.mark.parametrize("env", CLOUD_ENVIRONMENTS)
def test_the_bootstrap_boundary_allows_every_grant_of_the_stacks_roles(run_program, env):
    regions = stack_usage.logging_regions(env)
    ceiling = workload_boundary_policy(ACCOUNT, regions, STATE_BUCKET_ARN)
    policies = [
        policy
        for stack in STACKS
        for policy in run_program(stack, env, outputs=as_aws_names_them(stack, env)).of_type(
            ROLE_POLICY
        )
    ]
    grants = [
        (action, resource)
        for policy in policies
        for statement in json.loads(policy.inputs["policy"])["Statement"]
        if statement["Effect"] == "Allow"
        for action in _as_list(statement["Action"])
        for resource in _as_list(statement["Resource"])
    ]
    assert grants
    outside = [g for g in grants if not boundary_allows(ceiling, *g)]
    assert outside == []


def test_the_boundary_check_refuses_what_the_boundary_leaves_out():
    # The matcher above, on grants a stack never makes: another account's endpoint, a region
    # the stacks do not use, the state's objects, an action the boundary does not list.
    ceiling = workload_boundary_policy(ACCOUNT, ["eu-west-1"], STATE_BUCKET_ARN)
    endpoint = f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:endpoint/sentiment"
    assert boundary_allows(ceiling, "sagemaker:InvokeEndpoint", endpoint)
    assert not boundary_allows(
        ceiling, "sagemaker:InvokeEndpoint", "arn:aws:sagemaker:eu-west-1:111111111111:endpoint/x"
    )
    model = "arn:aws:bedrock:{}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
    assert boundary_allows(ceiling, "bedrock:InvokeModel", model.format("eu-west-1"))
    assert not boundary_allows(ceiling, "bedrock:InvokeModel", model.format("us-west-2"))
    assert not boundary_allows(ceiling, "s3:GetObject", f"{STATE_BUCKET_ARN}/stack.json")
    assert not boundary_allows(ceiling, "iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/admin")
