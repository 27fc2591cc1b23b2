"""All five stacks pass the policy pack in every environment.

Each stack's program runs on the mock runtime with the environment's config, twice:
- as `pulumi preview` of a new stack sees it (every computed output unknown), the way the CLI
  first runs the pack in the workflows;
- as the update sees it, every output known and shaped as AWS makes it (ARNs, log group
  names, the CLI's auto-names `<logical name>-<7 hex>`), so the rules that skip unknown values
  (IAM documents built from ARNs, integration URIs) check the real thing.
Outside `local`, the bootstrap stack reference is answered as the bootstrap's outputs would be:
`apiGatewayLoggingRegions` lists every region the environment's stacks deploy to (each one's
`aws:region` and `<project>:extraRegions`).
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from shared import catalog
from shared.local.engine import naming, policy, program
from shared.local.engine.providers import REGISTRY
from shared.ops import stack_usage
from shared.ops.stack_files import project_name, stack_config

ACCOUNT = "123456789012"
BOOTSTRAP = "aigw-bootstrap"


def bootstrap_outputs(env: str) -> program.StackOutputs:
    def read(project: str, stack: str) -> dict[str, tuple[Any, bool]] | None:
        if project != BOOTSTRAP or stack != env:
            return None  # the program would fail to read it: the test shows which
        # Where that environment's bootstrap sets API Gateway's CloudWatch role.
        return {"apiGatewayLoggingRegions": (stack_usage.logging_regions(env), False)}

    return read


def as_applied(reg: program.Registration, region: str) -> tuple[program.Registration, str, dict]:
    """The registration with the auto-name the CLI fills in, its id and AWS-shaped outputs."""
    provider = REGISTRY.get(reg.type)
    named = naming.check(provider.auto_name if provider else None, reg.name, reg.inputs, None)
    inputs = named.inputs
    region = str(inputs.get("region", region))
    name = str(inputs.get("name", reg.name))
    service = reg.type.split(":")[1].split("/")[0]
    arn = f"arn:aws:{service}:{region}:{ACCOUNT}:{reg.name}"
    if reg.type == "aws:cloudwatch/logGroup:LogGroup":
        arn = f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{name}"
    elif reg.type == "aws:lambda/function:Function":
        arn = f"arn:aws:lambda:{region}:{ACCOUNT}:function:{name}"
    elif reg.type == "aws:iam/role:Role":
        arn = f"arn:aws:iam::{ACCOUNT}:role/{name}"
    elif reg.type == "aws:s3/bucket:Bucket":
        name = str(inputs.get("bucket", reg.name))
        arn = f"arn:aws:s3:::{name}"
    named_by_name = ("aws:iam/role:Role", "aws:lambda/function:Function", "aws:s3/bucket:Bucket")
    rid = name if reg.type in named_by_name else ""
    rid = rid or f"{reg.name}-{secrets.token_hex(4)}"
    api_host = f"{rid}.execute-api.{region}.amazonaws.com"
    outputs = {
        "arn": arn,
        "name": name,
        "id": rid,
        "invokeArn": (
            f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations"
        ),
        "executionArn": f"arn:aws:execute-api:{region}:{ACCOUNT}:{rid}",
        "rootResourceId": f"{rid}-root",
        "apiEndpoint": f"https://{api_host}",
        "invokeUrl": f"https://{api_host}/stage",
        "endpoint": f"cognito-idp.{region}.amazonaws.com/{region}_{rid}",
        "cloudfrontDomainName": f"d{rid}.cloudfront.net",
        "cloudfrontZoneId": "Z2FDTNDATAQYW2",
        "regionalDomainName": f"d-{rid}.execute-api.{region}.amazonaws.com",
        "regionalZoneId": "Z1UJRXOUMOOFQ8",
        "domainValidationOptions": [
            {
                "domainName": inputs.get("domainName", ""),
                "resourceRecordName": f"_{rid}.{inputs.get('domainName', '')}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{rid}.acm-validations.aws.",
            }
        ],
        "value": "api-key-value",
        "clientSecret": "client-secret",
    }
    applied = program.Registration(
        reg.urn,
        reg.type,
        reg.name,
        inputs,
        dependencies=reg.dependencies,
        parent=reg.parent,
        delete_before_replace=reg.delete_before_replace,
        protect=reg.protect,
        secret_inputs=reg.secret_inputs,
        provider=reg.provider,
    )
    return applied, rid, {**outputs, **inputs}


def applied_violations(stack: str, env: str) -> list[policy.Violation]:
    directory = catalog.stack_dir(stack)
    config = stack_config(directory, env)
    region = config.get("aws:region", program.DEFAULT_REGION)
    registrations: dict[str, program.Registration] = {}

    def resolve(reg: program.Registration) -> program.Resolution:
        applied, rid, outputs = as_applied(reg, region)
        registrations[reg.urn] = applied
        return rid, outputs

    references = policy.References(bootstrap_outputs(env))
    program.run(
        directory,
        project_name(directory),
        env,
        config,
        resolve,
        preview=False,
        region=region,
        account=ACCOUNT,
        stack_outputs=references,
    )
    pack = policy.load(catalog.POLICY_PACK_DIR)
    planned = policy.resources(
        registrations, references.seen, project=project_name(directory), stack=env, config=config
    )
    return policy.evaluate(pack, planned)


STACKS = catalog.stack_names()


def test_there_are_five_stacks():
    assert len(STACKS) == 5


@pytest.mark.parametrize("env", catalog.ENVIRONMENTS)
@pytest.mark.parametrize("stack", STACKS)
def test_the_stack_passes_the_pack_in_preview(stack, env):
    """What `pulumi preview --policy-pack policy` reports for a new stack: nothing."""
    directory = catalog.stack_dir(stack)
    _pack, found = policy.run_program(
        catalog.POLICY_PACK_DIR,
        directory,
        project=project_name(directory),
        stack=env,
        config=stack_config(directory, env),
        stack_outputs=bootstrap_outputs(env),
        account=ACCOUNT,
    )
    assert [v.describe() for v in found] == []


@pytest.mark.parametrize("env", catalog.ENVIRONMENTS)
@pytest.mark.parametrize("stack", STACKS)
def test_the_stack_passes_the_pack_when_applied(stack, env):
    """What the pack reports during `pulumi up`, with every value known: nothing."""
    assert [v.describe() for v in applied_violations(stack, env)] == []
