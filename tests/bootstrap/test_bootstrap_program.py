"""The bootstrap program (bootstrap/__main__.py) on Pulumi's mock runtime, in every environment:
what it declares, and the AWS rules its documents encode. No emulator needed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared import catalog
from shared.components import boundary
from shared.components.config import ConfigError
from shared.components.deploy_access import (
    NO_RESOURCE_TYPE,
    deploy_policies,
    workload_boundary_policy,
)
from shared.local.engine import program
from shared.ops.stack_files import stack_config

PROJECT = "aigw-bootstrap"
ROLE = "aws:iam/role:Role"
ACCOUNT = "aws:apigateway/account:Account"
OIDC = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
POLICY = "aws:iam/policy:Policy"
REPOSITORY = "acme/ai-gateway"
GITHUB_OIDC_ARN = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"


class Run:
    def __init__(self) -> None:
        self.resources: list[program.Registration] = []
        self.outputs: dict[str, Any] = {}

    def of_type(self, type_token: str) -> list[program.Registration]:
        return [r for r in self.resources if r.type == type_token]

    def named(self, name: str) -> program.Registration:
        [found] = [r for r in self.resources if r.name == name]
        return found


def run_bootstrap(
    env: str,
    program_dir: Path = catalog.BOOTSTRAP_DIR,
    references: dict[str, dict[str, Any]] | None = None,
    **overrides: str,
) -> Run:
    """The bootstrap program of `env` under mocks; `overrides` are bare config keys; a stack
    reference to `<env>` of the project answers `references[env]` (by default, the state
    owner's reference answers what its own run under mocks exported)."""
    config = stack_config(program_dir, env)
    owner = config.get(f"{PROJECT}:stateOwner")
    if references is None and owner:
        references = {owner: run_bootstrap(owner, program_dir).outputs}
    if env != catalog.LOCAL:
        config[f"{PROJECT}:githubRepository"] = REPOSITORY
    config.update({f"{PROJECT}:{k}": v for k, v in overrides.items()})
    run = Run()

    def record(reg: program.Registration) -> program.Resolution:
        run.resources.append(reg)
        outputs = {
            "arn": f"arn:aws:mock::123456789012:{reg.name}",
            "keyId": f"{reg.name}-key",
            "bucket": reg.inputs.get("bucket", f"{reg.name}-bucket"),
            "name": reg.inputs.get("name", reg.name),
        }
        if reg.type == OIDC:
            outputs["arn"] = GITHUB_OIDC_ARN
        if reg.type == POLICY and "name" in reg.inputs:  # a fixed name: its ARN follows
            outputs["arn"] = (
                f"arn:aws:iam::123456789012:policy{reg.inputs['path']}{reg.inputs['name']}"
            )
        return f"{reg.name}-id", {**reg.inputs, **outputs}

    def stack_outputs(project: str, stack: str) -> dict[str, tuple[Any, bool]] | None:
        found = (references or {}).get(stack) if project == PROJECT else None
        return None if found is None else {k: (v, False) for k, v in found.items()}

    outputs = program.run(
        program_dir,
        PROJECT,
        env,
        config,
        record,
        preview=False,
        region=config["aws:region"],
        account="123456789012",
        stack_outputs=stack_outputs,
    )
    run.outputs = {name: out.value for name, out in outputs.items()}
    return run


def regions_in_stack_files(env: str) -> list[str]:
    """Read straight from stacks/*/Pulumi.<env>.yaml: each `aws:region`, global's extraRegions."""
    found = set()
    for path in sorted(catalog.STACKS_DIR.glob(f"*/Pulumi.{env}.yaml")):
        config = yaml.safe_load(path.read_text())["config"]
        found.add(config["aws:region"])
        found.update(config.get(f"{path.parent.name}:extraRegions", []))
    return sorted(found)


def document(reg: program.Registration, key: str) -> dict[str, Any]:
    value = reg.inputs[key]
    return json.loads(value) if isinstance(value, str) else value


@pytest.mark.parametrize("env", catalog.ENVIRONMENTS)
def test_cloudwatch_role_is_set_in_every_region_the_stacks_of_the_environment_use(env):
    # A REST stage with logging fails on AWS until API Gateway's account settings of its region
    # name a CloudWatch role ("CloudWatch Logs role ARN must be set in account settings").
    run = run_bootstrap(env)
    regions = regions_in_stack_files(env)

    assert run.outputs["apiGatewayLoggingRegions"] == regions
    accounts = run.of_type(ACCOUNT)
    assert sorted(a.inputs["region"] for a in accounts) == regions
    role = run.named("api-gateway-logging-role")
    assert {a.inputs["cloudwatchRoleArn"] for a in accounts} == {
        f"arn:aws:mock::123456789012:{role.name}"
    }
    trust = document(role, "assumeRolePolicy")["Statement"]
    assert trust == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "apigateway.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ]
    [attachment] = [
        r for r in run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if r.inputs["policyArn"].endswith("AmazonAPIGatewayPushToCloudWatchLogs")
    ]  # fmt: skip
    assert attachment.inputs["policyArn"] == (
        "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
    )


def test_prod_regions_include_globals_extra_regions():
    assert run_bootstrap("prod").outputs["apiGatewayLoggingRegions"] == [
        "ap-southeast-1",
        "eu-west-1",
        "us-east-1",
    ]


@pytest.mark.parametrize("env", catalog.ENVIRONMENTS)
def test_every_resource_is_protected_unless_the_config_says_otherwise(env):
    assert all(r.protect for r in run_bootstrap(env).resources)
    assert not any(r.protect for r in run_bootstrap(env, protect="false").resources)


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_deploy_role_trusts_only_this_repositorys_jobs_in_the_environment(env):
    run = run_bootstrap(env)
    trust = document(run.named("deploy-role"), "assumeRolePolicy")
    [statement] = trust["Statement"]

    assert statement["Principal"] == {"Federated": GITHUB_OIDC_ARN}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    # StringEquals on both claims: a StringLike or a '*' would let other repositories,
    # branches or pull requests assume it.
    assert statement["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": f"repo:{REPOSITORY}:environment:{env}",
        }
    }
    [provider] = run.of_type(OIDC)
    assert provider.inputs["url"] == "https://token.actions.githubusercontent.com"
    assert provider.inputs["clientIdLists"] == ["sts.amazonaws.com"]
    assert provider.delete_before_replace  # one provider per URL in an account


def test_github_environment_can_differ_from_the_stack_name():
    trust = document(run_bootstrap("prod", githubEnvironment="production").named("deploy-role"),
                     "assumeRolePolicy")  # fmt: skip
    condition = trust["Statement"][0]["Condition"]["StringEquals"]
    assert condition["token.actions.githubusercontent.com:sub"] == (
        f"repo:{REPOSITORY}:environment:production"
    )


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"githubRepository": ""}, "githubRepository: required outside local"),
        ({"githubRepository": "acme/*"}, "is not a GitHub owner/name"),
        ({"githubEnvironment": "dev*"}, "is not a GitHub environment name"),
        ({"accountSharedWith": "dev"}, "accountSharedWith: names this environment itself"),
    ],
)
def test_settings_that_would_widen_or_break_the_trust_are_refused(overrides, problem):
    with pytest.raises(ConfigError, match=problem.replace("*", r"\*")):
        run_bootstrap("dev", **overrides)


@pytest.mark.parametrize("env", catalog.ENVIRONMENTS)
def test_deploy_policies_name_every_action_and_keep_resources_in_the_account(env):
    run = run_bootstrap(env)
    # The workload boundary is no grant of the deploy role's (test_workload_boundary.py).
    policies = [p for p in run.of_type(POLICY) if p.name != "workload-boundary-policy"]
    owner = not stack_config(catalog.BOOTSTRAP_DIR, env).get(f"{PROJECT}:stateOwner")
    assert {p.name for p in policies} == {
        "deploy-services",
        "deploy-identity-and-state",
        *(["preview-state"] if owner else []),
    }
    for policy in policies:
        assert policy.inputs["path"] == "/aigw-deploy/"
        text = json.dumps(document(policy, "policy"), separators=(",", ":"))
        assert len(text) <= 6144  # IAM's limit for a managed policy
        for statement in document(policy, "policy")["Statement"]:
            for action in statement["Action"]:
                assert "*" not in action and "?" not in action, (statement["Sid"], action)
            if statement["Effect"] != "Allow":
                continue
            for resource in statement["Resource"]:
                if resource == "*":
                    # Only what AWS authorises against no resource type, and only in the
                    # stacks' regions.
                    assert set(statement["Action"]) <= set(NO_RESOURCE_TYPE)
                    assert statement["Condition"] == {
                        "StringEquals": {"aws:RequestedRegion": regions_in_stack_files(env)}
                    }
                    continue
                service, region, account = resource.split(":")[2:5]
                assert account in ("123456789012", ""), resource
                if account == "":  # ARNs of S3, API Gateway, Route 53 name no account
                    assert service in ("s3", "apigateway", "route53"), resource
                if service == "s3" and "pulumi-state" not in resource:
                    assert statement["Condition"] == {
                        "StringEquals": {"s3:ResourceAccount": "123456789012"}
                    }
                if region:
                    assert region in regions_in_stack_files(env), resource


def test_deploy_role_cannot_change_the_bootstrap_or_the_state_bucket_settings():
    policies = deploy_policies(
        "123456789012", ["eu-west-1"], [], "arn:aws:s3:::state", "arn:aws:kms:eu-west-1:1:key/k"
    )
    denied = {
        s["Sid"]: s
        for document in policies.values()
        for s in document["Statement"]
        if s["Effect"] == "Deny"
    }
    assert denied["KeepBootstrapRoles"]["Resource"] == [
        "arn:aws:iam::123456789012:role/aigw-bootstrap/*"
    ]
    assert {"iam:PutRolePolicy", "iam:PutRolePermissionsBoundary", "iam:UpdateAssumeRolePolicy",
            "iam:PassRole"} <= set(denied["KeepBootstrapRoles"]["Action"])  # fmt: skip
    assert denied["KeepStateBucket"]["Resource"] == ["arn:aws:s3:::state"]
    # A versioned bucket loses an object's history only by deleting its versions.
    assert denied["KeepStateVersions"]["Action"] == ["s3:DeleteObjectVersion"]
    assert denied["KeepStateVersions"]["Resource"] == ["arn:aws:s3:::state/*"]
    assert {"s3:DeleteBucket", "s3:PutBucketVersioning"} <= set(denied["KeepStateBucket"]["Action"])
    assert denied["KeepAccountSettings"]["Resource"] == ["arn:aws:apigateway:eu-west-1::/account"]


def test_route53_access_only_for_the_zones_the_stacks_name():
    # global's prod file names a documentation placeholder zone: no record access until it
    # names a real one.
    services = document(run_bootstrap("prod").named("deploy-services"), "policy")
    assert not [s for s in services["Statement"] if s["Sid"] == "DomainRecords"]

    with_zone = deploy_policies("1", ["eu-west-1"], ["Z123"], "arn:aws:s3:::s", "k")["services"]
    [records] = [s for s in with_zone["Statement"] if s["Sid"] == "DomainRecords"]
    assert records["Resource"] == ["arn:aws:route53:::hostedzone/Z123"]


def allowed(statements: list[dict[str, Any]], action: str) -> list[dict[str, Any]]:
    return [s for s in statements if s["Effect"] == "Allow" and action in s["Action"]]


def test_deploy_role_makes_roles_only_under_the_workload_boundary():
    # IAM's delegated role creation: a principal allowed CreateRole / PutRolePolicy only when
    # `iam:PermissionsBoundary` names the boundary cannot make a role with more than it, nor
    # give one more afterwards; attaching managed policies (AdministratorAccess) would bypass
    # an inline-policy check, and deleting the boundary or editing its policy would lift it.
    policies = deploy_policies(
        "123456789012", ["eu-west-1"], [], "arn:aws:s3:::state", "arn:aws:kms:eu-west-1:1:key/k"
    )
    statements = [s for document in policies.values() for s in document["Statement"]]
    arn = "arn:aws:iam::123456789012:policy/aigw-deploy/aigw-workload-boundary"
    assert boundary.policy_arn("123456789012") == arn
    for action in ("iam:CreateRole", "iam:PutRolePolicy", "iam:PutRolePermissionsBoundary"):
        [statement] = allowed(statements, action)
        assert statement["Condition"] == {"StringEquals": {"iam:PermissionsBoundary": arn}}
    lifting = [
        "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:DeleteRolePermissionsBoundary",
        "iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion",
    ]  # fmt: skip
    for action in lifting:
        assert not allowed(statements, action), action
    denied = {s["Sid"]: s for s in statements if s["Effect"] == "Deny"}
    assert denied["KeepRoleBoundaries"]["Action"] == ["iam:DeleteRolePermissionsBoundary"]
    assert denied["KeepRoleBoundaries"]["Resource"] == ["arn:aws:iam::123456789012:role/*"]
    assert denied["KeepWorkloadBoundary"]["Resource"] == [arn]
    assert set(denied["KeepWorkloadBoundary"]["Action"]) == {
        "iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion",
        "iam:DeletePolicy",
    }  # fmt: skip
    # PassRole cannot be held to roles with a boundary (no such condition key): it is held to
    # the services the stacks give roles to.
    [passing] = allowed(statements, "iam:PassRole")
    services = ["lambda.amazonaws.com", "apigateway.amazonaws.com"]
    assert passing["Condition"] == {"StringEquals": {"iam:PassedToService": services}}


@pytest.mark.parametrize("env", catalog.ENVIRONMENTS)
def test_the_account_owner_makes_the_workload_boundary_under_its_fixed_name(env):
    run = run_bootstrap(env)
    policy = run.named("workload-boundary-policy")
    # The ARN the stacks and the deploy role's condition name is built from the account alone.
    assert policy.inputs["name"] == "aigw-workload-boundary"
    assert policy.inputs["path"] == "/aigw-deploy/"
    assert policy.delete_before_replace and policy.protect
    assert run.outputs["workloadBoundaryArn"] == boundary.policy_arn("123456789012")
    statements = document(policy, "policy")["Statement"]
    assert {a for s in statements if s["Effect"] == "Allow" for a in s["Action"]} == {
        "logs:CreateLogStream", "logs:PutLogEvents", "s3:GetObject", "s3:PutObject",
        "sagemaker:InvokeEndpoint", "bedrock:InvokeModel",
    }  # fmt: skip
    regions = regions_in_stack_files(env)
    for statement in statements:
        for resource in statement["Resource"]:
            if resource == "*":  # foundation models name no account: held to the regions
                assert statement["Condition"] == {"StringEquals": {"aws:RequestedRegion": regions}}
                continue
            service, region, account = resource.split(":")[2:5]
            assert account == ("" if service == "s3" else "123456789012"), resource
            assert not region or region in regions, resource


def test_the_workload_boundary_keeps_the_state_from_the_stacks_roles():
    statements = workload_boundary_policy("123456789012", ["eu-west-1"], "arn:aws:s3:::state")[
        "Statement"
    ]
    [objects] = allowed(statements, "s3:GetObject")
    assert objects["Condition"] == {"StringEquals": {"s3:ResourceAccount": "123456789012"}}
    [state] = [s for s in statements if s["Effect"] == "Deny"]
    assert state["Resource"] == ["arn:aws:s3:::state/*"]
    assert set(state["Action"]) == {"s3:GetObject", "s3:PutObject"}


def test_an_edge_custom_domain_brings_cloudfront_and_us_east_1(tmp_path):
    # AWS: an edge-optimized custom domain needs the caller allowed cloudfront:UpdateDistribution
    # (API Gateway makes the distribution, in an account of its own: no ARN of ours, and
    # CloudFront is global), and its certificate must be in us-east-1.
    stacks = tmp_path / "stacks"
    shutil.copytree(catalog.STACKS_DIR, stacks)
    stack_file = stacks / "global" / "Pulumi.dev.yaml"
    config = yaml.safe_load(stack_file.read_text())
    config["config"].update(
        {"aws:region": "eu-west-1", "global:domainName": "ai.acme.io",
         "global:hostedZoneId": "Z0123456789ABC", "global:endpointType": "EDGE"}
    )  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(catalog, "STACKS_DIR", stacks)
        stack_file.write_text(yaml.safe_dump(config), encoding="utf-8")
        edge = run_bootstrap("dev")
        config["config"]["global:endpointType"] = "REGIONAL"
        stack_file.write_text(yaml.safe_dump(config), encoding="utf-8")
        regional = run_bootstrap("dev")

    def statements(run: Run) -> dict[str, dict[str, Any]]:
        services = document(run.named("deploy-services"), "policy")["Statement"]
        return {s["Sid"]: s for s in services}

    distributions = statements(edge)["EdgeDomainDistributions"]
    assert distributions["Action"] == ["cloudfront:UpdateDistribution"]
    assert distributions["Resource"] == ["*"] and "Condition" not in distributions
    certificates = statements(edge)["Certificates"]["Resource"]
    assert "arn:aws:acm:us-east-1:123456789012:certificate/*" in certificates
    assert "us-east-1" in edge.outputs["apiGatewayLoggingRegions"]

    assert "EdgeDomainDistributions" not in statements(regional)
    assert "us-east-1" not in regional.outputs["apiGatewayLoggingRegions"]


@pytest.mark.parametrize("env", [catalog.LOCAL, "dev"])
def test_state_bucket_is_private_versioned_encrypted_and_the_key_rotates(env):
    run = run_bootstrap(env)
    bucket = run.of_type("aws:s3/bucket:Bucket")[0]
    assert bucket.inputs["forceDestroy"] is False
    block = run.of_type("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[0].inputs
    assert all(
        block[k]
        for k in (
            "blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"
        )
    )  # fmt: skip
    versioning = run.of_type("aws:s3/bucketVersioning:BucketVersioning")[0].inputs
    assert versioning["versioningConfiguration"] == {"status": "Enabled"}
    assert run.of_type(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )
    key = run.of_type("aws:kms/key:Key")[0].inputs
    assert key["enableKeyRotation"] is True
    alias = run.of_type("aws:kms/alias:Alias")[0]
    assert alias.inputs["name"] == f"alias/aigw-pulumi-{env}"
    assert alias.delete_before_replace  # a fixed name

    region = stack_config(catalog.BOOTSTRAP_DIR, env)["aws:region"]
    assert run.outputs["backendUrl"] == f"s3://{run.outputs['stateBucket']}"
    assert run.outputs["secretsProvider"] == f"awskms://alias/aigw-pulumi-{env}?region={region}"


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_later_environments_keep_their_state_in_the_owners_bucket(env):
    # One backend for every environment: promotion reads the previous environment's state.
    dev = run_bootstrap("dev")
    run = run_bootstrap(env, references={"dev": dev.outputs})

    assert not run.of_type("aws:s3/bucket:Bucket") and not run.of_type("aws:kms/key:Key")
    for name in ("stateBucket", "stateBucketArn", "secretsKeyArn", "backendUrl", "secretsProvider"):
        assert run.outputs[name] == dev.outputs[name]
    [state] = [
        s
        for p in run.of_type(POLICY)
        for s in document(p, "policy")["Statement"]
        if s["Sid"] == "StateObjects"
    ]
    assert state["Resource"] == [f"{dev.outputs['stateBucketArn']}/*"]


def test_github_settings_name_the_variables_the_workflows_read():
    dev = run_bootstrap("dev")
    prod = run_bootstrap("prod", references={"dev": dev.outputs})
    workflows = "".join(p.read_text() for p in (catalog.REPO_ROOT / ".github").rglob("*.yml"))

    # The owner of the state sets the repository's variables: the backend, the secrets
    # provider, and the role pull-request previews assume (which switches the cloud jobs on).
    assert dev.outputs["githubSettings"] == {
        "repository": {
            "variables": {
                "AWS_REGION": "eu-west-1",
                "AWS_ROLE_ARN": dev.outputs["previewRoleArn"],
                "PULUMI_BACKEND_URL": dev.outputs["backendUrl"],
                "PULUMI_SECRETS_PROVIDER": dev.outputs["secretsProvider"],
            }
        },
        "environment": {
            "name": "dev",
            "variables": {"AWS_ROLE_ARN": dev.outputs["deployRoleArn"]},
            "requiredReviewers": False,
        },
    }
    assert prod.outputs["githubSettings"] == {
        "repository": {"variables": {}},
        "environment": {
            "name": "prod",
            "variables": {"AWS_ROLE_ARN": prod.outputs["deployRoleArn"]},
            "requiredReviewers": True,
        },
    }
    for name in ("AWS_REGION", "AWS_ROLE_ARN", "PULUMI_BACKEND_URL"):
        assert f"vars.{name}" in workflows


def test_previews_get_a_role_of_their_own_with_the_state_only():
    run = run_bootstrap("dev")
    trust = document(run.named("preview-role"), "assumeRolePolicy")["Statement"][0]
    assert trust["Condition"]["StringEquals"] == {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": f"repo:{REPOSITORY}:pull_request",
    }
    policy = run.named("preview-state")
    assert policy.inputs["path"] == "/aigw-deploy/"
    actions = {a for s in document(policy, "policy")["Statement"] for a in s["Action"]}
    assert {a.split(":")[0] for a in actions} == {"s3", "kms"}
    assert "preview-role" not in {r.name for r in run_bootstrap("prod").resources}


def test_an_existing_oidc_provider_is_reused_not_made_again():
    existing = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    run = run_bootstrap("dev", oidcProviderArn=existing)

    assert not run.of_type(OIDC)
    assert run.outputs["oidcProviderArn"] == existing
    trust = document(run.named("deploy-role"), "assumeRolePolicy")
    assert trust["Statement"][0]["Principal"] == {"Federated": existing}


def test_an_environment_sharing_the_account_leaves_the_account_settings_to_the_other(tmp_path):
    # staging in dev's account: one OIDC provider and one API Gateway setting per account and
    # region, so dev's bootstrap sets them for staging's stacks' regions too.
    program_dir = tmp_path / "bootstrap"
    shutil.copytree(catalog.BOOTSTRAP_DIR, program_dir)
    staging = program_dir / "Pulumi.staging.yaml"
    staging.write_text(
        staging.read_text() + f"  {PROJECT}:accountSharedWith: dev\n", encoding="utf-8"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(catalog, "BOOTSTRAP_DIR", program_dir)
        dev = run_bootstrap("dev", program_dir)
        dev_regions = sorted(set(regions_in_stack_files("dev") + regions_in_stack_files("staging")))
        assert dev.outputs["apiGatewayLoggingRegions"] == dev_regions

        shared = run_bootstrap("staging", program_dir, references={"dev": dev.outputs})

    assert not shared.of_type(OIDC) and not shared.of_type(ACCOUNT)
    # One boundary per account (a fixed name): the owner's, made for both environments' regions.
    assert not [p for p in shared.of_type(POLICY) if p.name == "workload-boundary-policy"]
    assert shared.outputs["workloadBoundaryArn"] == dev.outputs["workloadBoundaryArn"]
    dev_boundary = document(dev.named("workload-boundary-policy"), "policy")["Statement"]
    [endpoints] = allowed(dev_boundary, "sagemaker:InvokeEndpoint")
    assert {r.split(":")[3] for r in endpoints["Resource"]} == set(dev_regions)
    assert shared.outputs["oidcProviderArn"] == GITHUB_OIDC_ARN
    assert shared.outputs["apiGatewayLoggingRegions"] == dev_regions
    trust = document(shared.named("deploy-role"), "assumeRolePolicy")["Statement"][0]
    assert trust["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] == (
        f"repo:{REPOSITORY}:environment:staging"
    )


def test_pulumi_yaml_declares_exactly_the_settings_dataclass():
    # What `invoke config-schema --check` checks for the stacks, for the bootstrap project.
    from shared.ops import config_schema

    written = yaml.safe_load((catalog.BOOTSTRAP_DIR / "Pulumi.yaml").read_text())["config"]
    assert written == config_schema.expected_block(catalog.BOOTSTRAP_DIR)


def test_environments_in_other_accounts_may_use_the_owners_state():
    # Cross-account access needs both sides: the owner's bucket and key policies (here) and the
    # other account's IAM policies (its deploy role's names the owner's bucket and key).
    run = run_bootstrap("dev", stateAccounts='["210987654321"]')
    [bucket_policy] = run.of_type("aws:s3/bucketPolicy:BucketPolicy")
    statements = document(bucket_policy, "policy")["Statement"]
    key = document(run.of_type("aws:kms/key:Key")[0], "policy")

    for statement in [*statements, key["Statement"][1]]:
        # The other account's IAM policies then decide which of its principals may.
        assert statement["Principal"] == {"AWS": ["arn:aws:iam::210987654321:root"]}
    assert {a for s in statements for a in s["Action"]} == {
        "s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"
    }  # fmt: skip
    # KMS's default statement stays, so the key can never be locked out of its own account.
    assert key["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}

    alone = run_bootstrap("dev")
    assert not alone.of_type("aws:s3/bucketPolicy:BucketPolicy")
    assert alone.of_type("aws:kms/key:Key")[0].inputs.get("policy") is None


def test_stacks_in_other_accounts_name_the_secrets_key_by_its_alias_arn():
    # KMS looks an alias name up in the caller's own account only: a stack deploying from
    # another account must name the owner's alias by its ARN (the Go CDK's awskms URL form,
    # `awskms:///<ARN>`, which the Pulumi CLI's secrets provider reads).
    shared = run_bootstrap("dev", stateAccounts='["210987654321"]')
    assert shared.outputs["secretsProvider"] == (
        "awskms:///arn:aws:kms:eu-west-1:123456789012:alias/aigw-pulumi-dev?region=eu-west-1"
    )
    variables = shared.outputs["githubSettings"]["repository"]["variables"]
    assert variables["PULUMI_SECRETS_PROVIDER"] == shared.outputs["secretsProvider"]
    staging = run_bootstrap("staging", references={"dev": shared.outputs})
    assert staging.outputs["secretsProvider"] == shared.outputs["secretsProvider"]


@pytest.mark.parametrize(
    ("env", "accounts", "problem"),
    [
        ("dev", '["2109876543"]', "stateAccounts: a list of 12-digit AWS account ids"),
        ("prod", '["210987654321"]', "stateAccounts: set with stateOwner"),
    ],
)
def test_state_accounts_are_account_ids_set_on_the_owner(env, accounts, problem):
    with pytest.raises(ConfigError, match=problem):
        run_bootstrap(env, references={"dev": {}}, stateAccounts=accounts)


@pytest.mark.parametrize("env", catalog.ENVIRONMENTS)
def test_the_policy_pack_accepts_the_bootstrap_with_every_value_known(env):
    # As `pulumi up` checks it once the documents are known (a preview sees them unknown).
    from shared.local.engine import policy

    run = run_bootstrap(env)
    config = stack_config(catalog.BOOTSTRAP_DIR, env)
    planned = policy.resources(
        {r.urn: r for r in run.resources}, {}, project=PROJECT, stack=env, config=config
    )
    violations = policy.evaluate(policy.load(catalog.POLICY_PACK_DIR), planned)
    assert not violations, [v.message for v in violations]
