"""Names that cannot collide, for every stack in every environment (under Pulumi's mocks).

AWS rule encoded: a resource whose physical name is unique in its scope (a Lambda function, IAM
role or policy, log group, bucket, API model, domain name, DNS record, permission statement)
cannot be created while the one it replaces still holds the name. Pulumi replaces
create-before-delete by default; the bridged AWS provider asks for delete-first only where it
knows a property is the resource's name and the program set it, which does not cover every
unique name (a Model's, a Record's set of name, type and identifier). So the rule is stated
here rather than left to it: resources are auto-named, and any resource with a fixed physical
name says `delete_before_replace`, unless every replacement of its type changes its name or its
scope.
"""

from __future__ import annotations

from typing import Any

import pytest

from shared import catalog

# Type -> the input holding a physical name that is unique in its scope.
UNIQUE_NAME = {
    "aws:lambda/function:Function": "name",
    "aws:lambda/permission:Permission": "statementId",
    "aws:iam/role:Role": "name",
    "aws:iam/rolePolicy:RolePolicy": "name",
    "aws:iam/policy:Policy": "name",
    "aws:cloudwatch/logGroup:LogGroup": "name",
    "aws:s3/bucket:Bucket": "bucket",
    "aws:apigateway/model:Model": "name",
    "aws:apigateway/domainName:DomainName": "domainName",
    "aws:apigatewayv2/domainName:DomainName": "domainName",
    "aws:route53/record:Record": "name",
    "aws:apigateway/stage:Stage": "stageName",
    "aws:apigatewayv2/stage:Stage": "name",
    "aws:apigateway/basePathMapping:BasePathMapping": "domainName",
    # A Cognito hosted domain prefix is unique across AWS in its region; a resource server's
    # identifier in its pool.
    "aws:cognito/userPoolDomain:UserPoolDomain": "domain",
    "aws:cognito/resourceServer:ResourceServer": "identifier",
}
# pulumi-aws replaces these only when their name or their parent (API, domain) changes, so a
# replacement never reuses a name still taken: create-before-delete is safe for them.
REPLACED_ONLY_BY_RENAMING = {
    "aws:apigateway/stage:Stage",
    "aws:apigatewayv2/stage:Stage",
    "aws:apigateway/basePathMapping:BasePathMapping",
    # Replaced only when its pool changes, and its prefix is made from the pool's id.
    "aws:cognito/userPoolDomain:UserPoolDomain",
    # Replaced only when its identifier or its pool changes: the new one is in another scope.
    "aws:cognito/resourceServer:ResourceServer",
}
# Types AWS lets Pulumi auto-name: a fixed name on them is a choice, and these are the only
# choices the stacks make (each with its reason in the component that makes it).
FIXED_NAME_REASONS = {
    ("aws:cloudwatch/logGroup:LogGroup", "/aws/lambda/"): "Lambda writes to /aws/lambda/<fn>",
    ("aws:cloudwatch/logGroup:LogGroup", "API-Gateway-Execution-Logs_"): (
        "API Gateway writes a stage's execution logs to API-Gateway-Execution-Logs_<api>/<stage>"
    ),
}

CASES = [(stack, env) for stack in catalog.stack_names() for env in catalog.ENVIRONMENTS]


@pytest.fixture(scope="module")
def runs(run_program: Any) -> dict[tuple[str, str], Any]:
    return {case: run_program(*case) for case in CASES}


@pytest.mark.parametrize(("stack", "env"), CASES)
def test_no_fixed_name_is_replaced_create_before_delete(runs, stack: str, env: str) -> None:
    unsafe = [
        f"{reg.type} {reg.name} ({UNIQUE_NAME[reg.type]}={reg.inputs[UNIQUE_NAME[reg.type]]!r})"
        for reg in runs[stack, env].resources
        if reg.type in UNIQUE_NAME
        and reg.inputs.get(UNIQUE_NAME[reg.type])
        and not reg.delete_before_replace
        and reg.type not in REPLACED_ONLY_BY_RENAMING
    ]
    assert not unsafe, "fixed physical names replaced create-before-delete: " + "; ".join(unsafe)


@pytest.mark.parametrize(("stack", "env"), CASES)
def test_resources_aws_lets_pulumi_name_are_auto_named(runs, stack: str, env: str) -> None:
    auto_nameable = {
        "aws:lambda/function:Function": "name",
        "aws:iam/role:Role": "name",
        "aws:iam/rolePolicy:RolePolicy": "name",
        "aws:cloudwatch/logGroup:LogGroup": "name",
        "aws:s3/bucket:Bucket": "bucket",
        "aws:apigateway/restApi:RestApi": "name",
        "aws:apigatewayv2/api:Api": "name",
        "aws:apigateway/apiKey:ApiKey": "name",
        "aws:apigateway/usagePlan:UsagePlan": "name",
        "aws:apigateway/requestValidator:RequestValidator": "name",
        "aws:apigateway/authorizer:Authorizer": "name",
        "aws:apigatewayv2/authorizer:Authorizer": "name",
        "aws:cognito/userPool:UserPool": "name",
    }
    named = []
    for reg in runs[stack, env].resources:
        prop = auto_nameable.get(reg.type)
        value = reg.inputs.get(prop) if prop else None
        if value and not any(
            reg.type == t and str(value).startswith(prefix) for t, prefix in FIXED_NAME_REASONS
        ):
            named.append(f"{reg.type} {reg.name} ({prop}={value!r})")
    assert not named, "explicit physical names where Pulumi could auto-name: " + "; ".join(named)


@pytest.mark.parametrize(("stack", "env"), CASES)
def test_every_custom_resource_has_a_component_parent(runs, stack: str, env: str) -> None:
    orphans = [r.name for r in runs[stack, env].resources if not r.parent.startswith("aigw:")]
    assert not orphans, f"resources outside any component: {orphans}"


@pytest.mark.parametrize(("stack", "env"), CASES)
def test_logical_names_are_unique(runs, stack: str, env: str) -> None:
    keys = [f"{r.type}::{r.name}" for r in runs[stack, env].resources]
    assert len(keys) == len(set(keys))
