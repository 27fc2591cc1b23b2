"""`invoke bootstrap --env=local`: the bootstrap project deployed by the local engine to the
session's emulator, read back with boto3, deployed again with nothing to do, and the GitHub
settings printed from its outputs."""

from __future__ import annotations

import json

import pytest

from shared import catalog
from shared.ops import bootstrap

pytestmark = pytest.mark.emulator


@pytest.fixture(scope="module")
def deployed(emulator_server):
    """The bootstrap stack of local, deployed once for the module: (outputs, printed lines)."""
    lines: list[str] = []
    outputs = bootstrap.run(catalog.LOCAL, out=lines.append)
    return {name: out.value for name, out in outputs.items()}, lines


def test_prints_the_github_settings_from_the_outputs(deployed):
    outputs, lines = deployed

    assert lines[-6:] == [
        "GitHub settings to make:",
        "Repository variable AWS_REGION = us-east-1",
        f"Repository variable AWS_ROLE_ARN = {outputs['previewRoleArn']}",
        f"Repository variable PULUMI_BACKEND_URL = {outputs['backendUrl']}",
        f"Repository variable PULUMI_SECRETS_PROVIDER = {outputs['secretsProvider']}",
        f"Environment local: variable AWS_ROLE_ARN = {outputs['deployRoleArn']}",
    ]
    assert outputs["backendUrl"] == f"s3://{outputs['stateBucket']}"
    assert outputs["secretsProvider"] == "awskms://alias/aigw-pulumi-local?region=us-east-1"


def test_api_gateway_logs_with_the_role_in_the_stacks_region(deployed, emulator_client):
    outputs, _ = deployed
    assert outputs["apiGatewayLoggingRegions"] == ["us-east-1"]  # every local stack's region
    account = emulator_client("apigateway").get_account()
    role_name = account["cloudwatchRoleArn"].rsplit("/", 1)[-1]
    iam = emulator_client("iam")
    role = iam.get_role(RoleName=role_name)["Role"]

    assert role["Path"] == "/aigw-bootstrap/"
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "apigateway.amazonaws.com"
    }
    attached = iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [
        "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
    ]


def test_deploy_role_trust_pins_the_repository_and_environment(deployed, emulator_client):
    outputs, _ = deployed
    iam = emulator_client("iam")
    role = iam.get_role(RoleName=outputs["deployRoleArn"].rsplit("/", 1)[-1])["Role"]
    [statement] = role["AssumeRolePolicyDocument"]["Statement"]

    assert statement["Principal"] == {"Federated": outputs["oidcProviderArn"]}
    assert statement["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": (
                "repo:local/ai-gateway-patterns:environment:local"
            ),
        }
    }
    provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=outputs["oidcProviderArn"])
    assert provider["ClientIDList"] == ["sts.amazonaws.com"]
    policies = iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"]
    for attached in policies:
        policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
        assert policy["Path"] == "/aigw-deploy/"
        version = iam.get_policy_version(
            PolicyArn=attached["PolicyArn"], VersionId=policy["DefaultVersionId"]
        )["PolicyVersion"]["Document"]
        document = json.loads(version) if isinstance(version, str) else version
        actions = [a for s in document["Statement"] for a in s["Action"]]
        assert actions and not [a for a in actions if "*" in a]


def test_state_bucket_is_private_versioned_and_encrypted(deployed, emulator_client):
    outputs, _ = deployed
    s3 = emulator_client("s3")
    bucket = outputs["stateBucket"]

    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def test_secrets_key_rotates_and_its_alias_names_it(deployed, emulator_client):
    kms = emulator_client("kms")
    key = kms.describe_key(KeyId="alias/aigw-pulumi-local")["KeyMetadata"]

    assert key["KeyState"] == "Enabled"
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True


def test_a_second_run_changes_nothing(deployed):
    first, _ = deployed
    lines: list[str] = []
    again = bootstrap.run(catalog.LOCAL, out=lines.append)

    assert any("0 to create, 0 to update, 0 to replace, 0 to delete" in line for line in lines)
    assert {name: out.value for name, out in again.items()} == first
