"""The IAM, Secrets Manager, SSM and Cognito providers against a real emulator: create, read back
the recorded inputs with no false drift, update in place, drift made with boto3 behind the
engine's back, find after an interrupted create, delete leaving nothing; then a program with
all of them deployed, redeployed and destroyed by the engine, and a client-credentials token
obtained for the Cognito client it made."""

from __future__ import annotations

import base64
import dataclasses
import json
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from shared.local.engine.engine import Action
from shared.local.engine.providers import REGISTRY
from tests.engine.conftest import client_credentials_token

pytestmark = pytest.mark.emulator

REGION = "us-east-1"
ROLE = REGISTRY["aws:iam/role:Role"]
POLICY = REGISTRY["aws:iam/policy:Policy"]
ROLE_POLICY = REGISTRY["aws:iam/rolePolicy:RolePolicy"]
ATTACHMENT = REGISTRY["aws:iam/rolePolicyAttachment:RolePolicyAttachment"]
PARAMETER = REGISTRY["aws:ssm/parameter:Parameter"]
SECRET = REGISTRY["aws:secretsmanager/secret:Secret"]
SECRET_VERSION = REGISTRY["aws:secretsmanager/secretVersion:SecretVersion"]
USER_POOL = REGISTRY["aws:cognito/userPool:UserPool"]
CLIENT = REGISTRY["aws:cognito/userPoolClient:UserPoolClient"]
DOMAIN = REGISTRY["aws:cognito/userPoolDomain:UserPoolDomain"]
RESOURCE_SERVER = REGISTRY["aws:cognito/resourceServer:ResourceServer"]

ASSUME_LAMBDA = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def document(action: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}],
        }
    )


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def missing(call: Any, **kwargs: Any) -> bool:
    try:
        call(**kwargs)
    except ClientError:
        return True
    return False


# -- IAM ----------------------------------------------------------------------------------------


def test_customer_policy_versions_tags_drift_and_delete(applied, emulator_client):
    iam = emulator_client("iam")
    inputs = {
        "name": unique("policy"),
        "path": "/ai/",
        "description": "read models",
        "policy": document("s3:GetObject"),
        "tags": {"purpose": "inference"},
    }
    policy = applied.create(POLICY, "policy", inputs)
    arn = policy.id
    assert arn == f"arn:aws:iam::000000000000:policy/ai/{inputs['name']}" == policy.outputs["arn"]
    assert policy.outputs["policyId"] and policy.outputs["attachmentCount"] == 0
    assert applied.drift(POLICY, policy) == {}
    assert set(POLICY.read(applied.ctx, policy)) == {"policy", "description", "path", "tags"}

    # A changed document is the new default version; AWS keeps five, the oldest goes.
    for n in range(6):
        policy = applied.update(POLICY, policy, {**inputs, "policy": document(f"s3:Get{n}")})
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert len(versions) == 5
    assert applied.drift(POLICY, policy) == {}

    # A new default version made behind the engine's back (room made for it first).
    spare = next(v for v in versions if not v["IsDefaultVersion"])
    iam.delete_policy_version(PolicyArn=arn, VersionId=spare["VersionId"])
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=document("s3:*"), SetAsDefault=True)
    iam.untag_policy(PolicyArn=arn, TagKeys=["purpose"])
    assert applied.drift(POLICY, policy) == {"policy": document("s3:*"), "tags": {}}

    assert applied.find(POLICY, policy) == arn
    POLICY.delete(applied.ctx, policy)  # its other versions first, as AWS requires
    assert missing(iam.get_policy, PolicyArn=arn)
    assert applied.find(POLICY, policy) is None


def test_role_managed_policy_arns_are_attached_read_back_and_exclusive(applied, emulator_client):
    iam = emulator_client("iam")
    first = applied.create(POLICY, "first", {"name": unique("first"), "policy": document("s3:*")})
    second = applied.create(
        POLICY, "second", {"name": unique("second"), "policy": document("sqs:*")}
    )
    inputs = {
        "name": unique("role"),
        "assumeRolePolicy": ASSUME_LAMBDA,
        "managedPolicyArns": [first.id],
    }
    role = applied.create(ROLE, "role", inputs)

    def attached() -> list[str]:
        answer = iam.list_attached_role_policies(RoleName=role.id)["AttachedPolicies"]
        return sorted(p["PolicyArn"] for p in answer)

    assert attached() == [first.id]
    assert applied.drift(ROLE, role) == {}
    assert role.outputs["arn"] == f"arn:aws:iam::000000000000:role/{role.id}"

    role = applied.update(ROLE, role, {**inputs, "managedPolicyArns": [second.id]})
    assert attached() == [second.id]
    assert applied.drift(ROLE, role) == {}

    # managedPolicyArns is the role's whole list: one attached behind the engine is drift.
    iam.attach_role_policy(RoleName=role.id, PolicyArn=first.id)
    iam.update_role(RoleName=role.id, Description="changed")
    assert applied.drift(ROLE, role) == {
        "managedPolicyArns": sorted([first.id, second.id]),
        "description": "changed",
    }

    assert applied.find(ROLE, role) == role.id
    iam.detach_role_policy(RoleName=role.id, PolicyArn=first.id)
    ROLE.delete(applied.ctx, role)  # detaches what it manages first, as the AWS provider does
    assert missing(iam.get_role, RoleName=role.id)
    assert applied.find(ROLE, role) is None


def test_attachment_and_inline_policy_take_a_role_name_or_arn(applied, emulator_client):
    iam = emulator_client("iam")
    role = applied.create(ROLE, "role", {"name": unique("role"), "assumeRolePolicy": ASSUME_LAMBDA})
    policy = applied.create(
        POLICY, "policy", {"name": unique("policy"), "policy": document("s3:*")}
    )
    attachment = applied.create(
        ATTACHMENT, "attach", {"role": role.outputs["arn"], "policyArn": policy.id}
    )
    inline = applied.create(
        ROLE_POLICY, "inline", {"role": role.id, "name": "logs", "policy": document("logs:*")}
    )

    assert attachment.id == f"{role.id}/{policy.id}"
    assert applied.drift(ATTACHMENT, attachment) == {}
    assert applied.drift(ROLE_POLICY, inline) == {}
    assert applied.find(ATTACHMENT, attachment) == attachment.id
    assert applied.find(ROLE_POLICY, inline) == inline.id

    iam.put_role_policy(RoleName=role.id, PolicyName="logs", PolicyDocument=document("logs:Get*"))
    assert applied.drift(ROLE_POLICY, inline) == {"policy": document("logs:Get*")}
    iam.detach_role_policy(RoleName=role.id, PolicyArn=policy.id)
    assert not ATTACHMENT.exists(applied.ctx, attachment)  # vanished
    assert applied.find(ATTACHMENT, attachment) is None

    ROLE_POLICY.delete(applied.ctx, inline)
    assert missing(iam.get_role_policy, RoleName=role.id, PolicyName="logs")
    assert applied.find(ROLE_POLICY, inline) is None


# -- SSM ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "changed"),
    [("String", "small", "large"), ("SecureString", "k-1", "k-2"), ("StringList", "a,b", "a,b,c")],
)
def test_parameter_reads_updates_drifts_and_deletes(applied, emulator_client, kind, value, changed):
    ssm = emulator_client("ssm")
    inputs = {
        "name": f"/{unique('svc')}/setting",
        "type": kind,
        "value": value,
        "description": "a setting",
        "tags": {"purpose": "inference"},
    }
    parameter = applied.create(PARAMETER, "setting", inputs)
    name = parameter.id
    assert parameter.outputs["arn"] == f"arn:aws:ssm:{REGION}:000000000000:parameter{name}"
    assert parameter.outputs["version"] == 1
    assert applied.drift(PARAMETER, parameter) == {}

    parameter = applied.update(PARAMETER, parameter, {**inputs, "value": changed})
    assert parameter.outputs["version"] == 2
    assert ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"] == changed
    assert applied.drift(PARAMETER, parameter) == {}

    ssm.put_parameter(Name=name, Type=kind, Value="behind", Overwrite=True)
    ssm.remove_tags_from_resource(ResourceType="Parameter", ResourceId=name, TagKeys=["purpose"])
    assert applied.drift(PARAMETER, parameter) == {"value": "behind", "tags": {}}

    assert applied.find(PARAMETER, parameter) == name
    PARAMETER.delete(applied.ctx, parameter)
    assert missing(ssm.get_parameter, Name=name)
    assert applied.find(PARAMETER, parameter) is None


# -- Secrets Manager ----------------------------------------------------------------------------


def test_secret_and_its_versions(applied, emulator_client):
    sm = emulator_client("secretsmanager")
    inputs = {
        "name": unique("api-key"),
        "description": "the provider's key",
        "recoveryWindowInDays": 0.0,
        "tags": {"purpose": "inference"},
    }
    secret = applied.create(SECRET, "secret", inputs)
    first = applied.create(
        SECRET_VERSION, "v1", {"secretId": secret.id, "secretString": "first-value"}
    )
    assert secret.id == secret.outputs["arn"]
    assert first.id == f"{secret.id}|{first.outputs['versionId']}"
    assert sm.get_secret_value(SecretId=secret.id)["SecretString"] == "first-value"
    assert applied.drift(SECRET, secret) == {}
    assert applied.drift(SECRET_VERSION, first) == {}

    secret = applied.update(SECRET, secret, {**inputs, "description": "rotated monthly"})
    assert sm.describe_secret(SecretId=secret.id)["Description"] == "rotated monthly"
    staged = {"secretId": secret.id, "secretString": "second-value", "versionStages": ["next"]}
    second = applied.create(SECRET_VERSION, "v2", staged)
    second = applied.update(
        SECRET_VERSION, second, {**staged, "versionStages": ["AWSCURRENT", "next"]}
    )
    assert sm.get_secret_value(SecretId=secret.id)["SecretString"] == "second-value"
    assert applied.drift(SECRET_VERSION, second) == {}

    sm.update_secret(SecretId=secret.id, Description="behind")
    sm.update_secret_version_stage(
        SecretId=secret.id, VersionStage="next", RemoveFromVersionId=second.outputs["versionId"]
    )
    assert applied.drift(SECRET, secret) == {"description": "behind"}
    assert applied.drift(SECRET_VERSION, second) == {"versionStages": ["AWSCURRENT"]}

    assert applied.find(SECRET, secret) == secret.id
    assert applied.find(SECRET_VERSION, first) == first.id  # recognised by its value
    SECRET.delete(applied.ctx, secret)  # recoveryWindowInDays 0: at once
    assert missing(sm.describe_secret, SecretId=secret.id)
    assert not SECRET_VERSION.exists(applied.ctx, first)
    assert applied.find(SECRET, secret) is None


def test_secret_deleted_with_a_recovery_window_counts_as_gone(applied):
    secret = applied.create(SECRET, "secret", {"name": unique("kept")})
    SECRET.delete(applied.ctx, secret)  # the AWS provider's default window: 30 days

    assert not SECRET.exists(applied.ctx, secret)
    assert applied.find(SECRET, secret) is None


# -- Cognito ------------------------------------------------------------------------------------


def test_user_pool_client_resource_server_and_domain_read_back_and_drift(applied, emulator_client):
    idp = emulator_client("cognito-idp")
    pool_inputs = {
        "name": unique("pool"),
        "passwordPolicy": {"minimumLength": 12.0, "requireSymbols": False},
        "tags": {"purpose": "inference"},
    }
    pool = applied.create(USER_POOL, "pool", pool_inputs)
    server_inputs = {
        "userPoolId": pool.id,
        "identifier": "https://api.example.com",
        "name": "api",
        "scopes": [{"scopeName": "invoke", "scopeDescription": "call"}],
    }
    server = applied.create(RESOURCE_SERVER, "api", server_inputs)
    client_inputs = {
        "userPoolId": pool.id,
        "name": "machine",
        "generateSecret": True,
        "allowedOauthFlows": ["client_credentials"],
        "allowedOauthScopes": server.outputs["scopeIdentifiers"],
        "allowedOauthFlowsUserPoolClient": True,
        "explicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"],
        "supportedIdentityProviders": ["COGNITO"],
    }
    client = applied.create(CLIENT, "machine", client_inputs)
    domain = applied.create(DOMAIN, "domain", {"domain": unique("auth"), "userPoolId": pool.id})

    assert server.outputs["scopeIdentifiers"] == ["https://api.example.com/invoke"]
    assert client.outputs["clientSecret"]
    assert pool.outputs["endpoint"] == f"cognito-idp.{REGION}.amazonaws.com/{pool.id}"
    for provider, record in [(USER_POOL, pool), (RESOURCE_SERVER, server), (CLIENT, client)]:
        assert applied.drift(provider, record) == {}, provider.type_token
    assert applied.drift(DOMAIN, domain) == {}

    client = applied.update(CLIENT, client, {**client_inputs, "name": "renamed"})
    server = applied.update(
        RESOURCE_SERVER,
        server,
        {
            **server_inputs,
            "scopes": [*server_inputs["scopes"], {"scopeName": "read", "scopeDescription": "r"}],
        },
    )
    assert (
        idp.describe_user_pool_client(UserPoolId=pool.id, ClientId=client.id)["UserPoolClient"][
            "ClientName"
        ]
        == "renamed"
    )
    assert server.outputs["scopeIdentifiers"][-1] == "https://api.example.com/read"
    assert applied.drift(CLIENT, client) == {}
    assert applied.drift(RESOURCE_SERVER, server) == {}

    idp.update_user_pool_client(
        UserPoolId=pool.id,
        ClientId=client.id,
        ClientName="renamed",
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"],
        AllowedOAuthFlowsUserPoolClient=True,
    )
    idp.update_resource_server(
        UserPoolId=pool.id, Identifier=server_inputs["identifier"], Name="behind"
    )
    assert applied.drift(CLIENT, client)["allowedOauthFlows"] == ["code"]
    assert applied.drift(RESOURCE_SERVER, server) == {"name": "behind"}

    for provider, record in [
        (CLIENT, client),
        (RESOURCE_SERVER, server),
        (DOMAIN, domain),
        (USER_POOL, pool),
    ]:
        assert applied.find(provider, record) == record.id, provider.type_token
    DOMAIN.delete(applied.ctx, domain)
    USER_POOL.delete(applied.ctx, pool)
    assert idp.describe_user_pool_domain(Domain=domain.id)["DomainDescription"] == {}
    assert missing(idp.describe_user_pool, UserPoolId=pool.id)
    assert applied.find(USER_POOL, pool) is None
    assert applied.find(DOMAIN, domain) is None


# -- a program ----------------------------------------------------------------------------------


def claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.fixture
def program(engine_harness):
    h = engine_harness("ai_identity", "ai_identity", name=unique("aiid"), apiKey="sk-test-1")
    yield h
    h.destroy()


def test_program_deploys_gives_a_client_credentials_token_and_destroys(program, emulator_client):
    outputs = program.up()
    values = {name: output.value for name, output in outputs.items()}
    iam, sm, ssm = emulator_client("iam"), emulator_client("secretsmanager"), emulator_client("ssm")
    idp = emulator_client("cognito-idp")

    # IAM: the service role holds the customer policy exclusively, the worker by attachment.
    for role in (values["serviceRole"], values["workerRole"]):
        attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
        assert [p["PolicyArn"] for p in attached] == [values["policyArn"]]
    assert iam.get_policy(PolicyArn=values["policyArn"])["Policy"]["AttachmentCount"] == 2
    # The key, as a secret and as a SecureString parameter.
    assert sm.get_secret_value(SecretId=values["secretArn"])["SecretString"] == "sk-test-1"
    key = ssm.get_parameter(Name=values["keyParameter"], WithDecryption=True)["Parameter"]
    assert (key["Type"], key["Value"]) == ("SecureString", "sk-test-1")
    assert values["modelParameterVersion"] == 1
    # Cognito: the token issue 9's authorizers will check.
    assert outputs["clientSecret"].secret  # pulumi-aws marks it secret
    [scope] = values["scopes"]
    token = client_credentials_token(
        program.emulator_url, values["clientId"], values["clientSecret"], scope
    )
    assert token["token_type"] == "Bearer"
    granted = claims(token["access_token"])
    assert granted["client_id"] == values["clientId"] and granted["scope"] == scope
    assert granted["iss"] == f"https://{values['poolEndpoint']}"
    domain = idp.describe_user_pool_domain(Domain=values["domain"])["DomainDescription"]
    assert domain["UserPoolId"] == values["poolId"]

    assert not program.plan().has_changes

    plan = program.plan(model="large")
    outputs = program.up(model="large")
    assert [(s.action, s.name) for s in plan.steps if s.action is not Action.SAME] == [
        (Action.UPDATE, "model")
    ]
    assert outputs["modelParameterVersion"].value == 2
    secret_id = values["secretArn"]

    program.destroy()

    assert missing(iam.get_policy, PolicyArn=values["policyArn"])
    assert missing(iam.get_role, RoleName=values["serviceRole"])
    assert missing(iam.get_role, RoleName=values["workerRole"])
    assert missing(sm.describe_secret, SecretId=secret_id)
    assert missing(ssm.get_parameter, Name=values["keyParameter"])
    assert missing(idp.describe_user_pool, UserPoolId=values["poolId"])
    assert idp.describe_user_pool_domain(Domain=values["domain"])["DomainDescription"] == {}
    assert program.state().resources == {}


def test_user_pool_without_self_sign_up_is_applied_read_back_and_repaired(applied, emulator_client):
    """AWS: `AdminCreateUserConfig.AllowAdminCreateUserOnly` turns off self sign-up; the stacks'
    token issuers hold no users, so they set it."""
    idp = emulator_client("cognito-idp")
    inputs = {"name": unique("pool"), "adminCreateUserConfig": {"allowAdminCreateUserOnly": True}}
    pool = applied.create(USER_POOL, "closed", inputs)
    live = idp.describe_user_pool(UserPoolId=pool.id)["UserPool"]
    assert live["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert applied.drift(USER_POOL, pool) == {}

    idp.update_user_pool(
        UserPoolId=pool.id, AdminCreateUserConfig={"AllowAdminCreateUserOnly": False}
    )
    assert applied.drift(USER_POOL, pool) == {
        "adminCreateUserConfig": {"allowAdminCreateUserOnly": False}
    }
    # A deploy repairs drift as an update from what was read back.
    drifted = dataclasses.replace(pool, inputs={**pool.inputs, **applied.drift(USER_POOL, pool)})
    pool = applied.update(USER_POOL, drifted, inputs)
    assert applied.drift(USER_POOL, pool) == {}


def test_user_pool_invitation_templates_are_refused_by_name():
    refused = USER_POOL.refusals(
        {"adminCreateUserConfig": {"allowAdminCreateUserOnly": True, "inviteMessageTemplate": {}}}
    )
    assert refused == ["adminCreateUserConfig.inviteMessageTemplate (not applied locally)"]
