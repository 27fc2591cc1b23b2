"""The Function component and allow_api_gateway on Pulumi's mock runtime: what the tiny
program under programs/fn declares, and how the pieces point at each other."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import pulumi
import pytest

from shared import catalog
from shared.components import Function, FunctionArgs
from shared.components.function import TYPE, caller_path, policy_document
from shared.local.engine import program

PROGRAM_DIR = Path(__file__).parent / "programs" / "fn"
PROJECT, STACK = "fn", "dev"
ACCOUNT, REGION = "123456789012", "us-east-1"
API_ID = "a1b2c3d4e5"
EXECUTION_ARN = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API_ID}"

FUNCTION = "aws:lambda/function:Function"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
PERMISSION = "aws:lambda/permission:Permission"
REST_API = "aws:apigateway/restApi:RestApi"


def outputs_for(reg: program.Registration) -> tuple[str, dict[str, Any]]:
    """Physical ids and computed outputs shaped like AWS's."""
    name = reg.inputs.get("name", reg.name)
    if reg.type == LOG_GROUP:
        return name, {"arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}"}
    if reg.type == ROLE:
        return name, {"arn": f"arn:aws:iam::{ACCOUNT}:role/{name}"}
    if reg.type == FUNCTION:
        arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
        invoke = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{arn}/invocations"
        return name, {"arn": arn, "invokeArn": invoke}
    if reg.type == REST_API:
        return API_ID, {"executionArn": EXECUTION_ARN, "rootResourceId": "r00t"}
    return f"{reg.name}-id", {}


class Run:
    def __init__(self) -> None:
        self.resources: list[program.Registration] = []
        self.outputs: dict[str, program.ProgramOutput] = {}

    def record(self, reg: program.Registration) -> program.Resolution:
        self.resources.append(reg)
        physical_id, computed = outputs_for(reg)
        # Auto-named resources get their logical name, as the mocks' stand-in for Pulumi's.
        return physical_id, {"name": reg.name, **reg.inputs, **computed}

    def of_type(self, type_token: str) -> list[program.Registration]:
        return [r for r in self.resources if r.type == type_token]

    def one(self, type_token: str) -> program.Registration:
        [found] = self.of_type(type_token)
        return found


@pytest.fixture(scope="module")
def run() -> Run:
    result = Run()
    config = {"aws:region": REGION, f"{PROJECT}:bucket": "acme-models"}
    result.outputs = program.run(PROGRAM_DIR, PROJECT, STACK, config, result.record, preview=False)
    return result


def policy(run: Run) -> dict[str, Any]:
    return json.loads(run.one(ROLE_POLICY).inputs["policy"])


def test_declares_one_function_role_policy_and_log_group(run: Run) -> None:
    counts = {t: len(run.of_type(t)) for t in (FUNCTION, ROLE, ROLE_POLICY, LOG_GROUP)}
    assert counts == {FUNCTION: 1, ROLE: 1, ROLE_POLICY: 1, LOG_GROUP: 1}
    assert not [r for r in run.resources if "rolePolicyAttachment" in r.type], (
        "no managed policies: the inline policy is the role's only grant"
    )


def test_function_runs_python_312_with_its_settings(run: Run) -> None:
    fn = run.one(FUNCTION).inputs
    assert fn["runtime"] == "python3.12"
    assert fn["handler"] == "app.handler"
    assert "name" not in fn, "auto-named: a replacement never collides with the old function"
    assert fn["role"] == f"arn:aws:iam::{ACCOUNT}:role/classify-role"
    assert fn["timeout"] == 15
    assert fn["memorySize"] == 512
    assert fn["environment"] == {
        "variables": {"MODEL_ENDPOINT_URL": "http://127.0.0.1:8080/invocations"}
    }
    # The caller's extra arguments are applied; its tags are merged under ours.
    assert fn["architectures"] == ["arm64"]
    assert fn["tags"] == {
        "team": "ml",
        "project": PROJECT,
        "environment": STACK,
        "managed-by": "pulumi",
    }
    assert run.outputs["functionName"].value == "classify"


def test_every_resource_is_a_child_of_the_component(run: Run) -> None:
    for reg in run.resources:
        if reg.type in (FUNCTION, ROLE, ROLE_POLICY, LOG_GROUP):
            assert reg.parent == f"{TYPE}::classify", reg.name


def test_function_code_is_the_deterministic_zip(run: Run) -> None:
    fn = run.one(FUNCTION).inputs
    code = fn["code"]
    assert isinstance(code, pulumi.FileArchive)
    zip_file = Path(code.path)
    assert zip_file == catalog.state_dir() / "build" / f"{PROJECT}-{STACK}" / "classify.zip"
    with zipfile.ZipFile(zip_file) as archive:
        assert {"app.py", "aigw_runtime/app.py"} <= set(archive.namelist())
    digest = base64.b64encode(hashlib.sha256(zip_file.read_bytes()).digest()).decode()
    assert fn["sourceCodeHash"] == digest


def test_nothing_can_invoke_the_function_before_it_may_log(run: Run) -> None:
    """The component's outputs resolve after its log group and policy: whatever uses them (the
    API's permission, hence its stage) waits for both."""
    needed = {
        f"{FUNCTION}::classify",
        f"{LOG_GROUP}::classify-logs",
        f"{ROLE_POLICY}::classify-policy",
    }
    for permission in run.of_type(PERMISSION):
        assert needed <= permission.dependencies, permission.name


def test_log_group_is_the_functions_own_with_retention(run: Run) -> None:
    group = run.one(LOG_GROUP)
    assert group.inputs["name"] == "/aws/lambda/classify"  # derived from the function's name
    assert group.inputs["retentionInDays"] == 14
    assert f"{FUNCTION}::classify" in group.dependencies
    # Its name is fixed by the function's: replaced delete-before-create, or it would collide.
    assert group.delete_before_replace


def test_role_can_only_be_assumed_by_lambda(run: Run) -> None:
    trust = json.loads(run.one(ROLE).inputs["assumeRolePolicy"])
    assert trust["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ]


def test_role_policy_writes_to_its_own_log_group_only(run: Run) -> None:
    assert run.one(ROLE_POLICY).inputs["role"] == "classify-role"
    logs, *rest = policy(run)["Statement"]
    group_arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/classify"
    assert logs == {
        "Sid": "WriteOwnLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": f"{group_arn}:*",
    }
    assert len(rest) == 1


def test_role_policy_adds_the_extra_statements_and_no_wildcards(run: Run) -> None:
    statements = policy(run)["Statement"]
    assert statements[1] == {
        "Sid": "ModelArtifacts",
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:PutObject"],
        "Resource": "arn:aws:s3:::acme-models/models/*",
    }
    for statement in statements:
        resources = statement["Resource"]
        for resource in resources if isinstance(resources, list) else [resources]:
            assert resource != "*"
        actions = statement["Action"]
        assert "*" not in actions and not any(a.endswith(":*") for a in actions)


def test_permission_lets_api_gateway_invoke_from_this_api_only(run: Run) -> None:
    permissions = {p.name: p.inputs for p in run.of_type(PERMISSION)}
    assert set(permissions) == {"classify-invoke-permission", "workflow-invoke-permission"}
    for inputs in permissions.values():
        assert inputs["action"] == "lambda:InvokeFunction"
        assert inputs["principal"] == "apigateway.amazonaws.com"
        assert inputs["function"] == "classify"
        assert inputs["sourceArn"].startswith(EXECUTION_ARN + "/")
    assert permissions["classify-invoke-permission"]["sourceArn"] == f"{EXECUTION_ARN}/*/*"
    # ANY and path parameters are not valid inside the ARN: both become `*`.
    assert (
        permissions["workflow-invoke-permission"]["sourceArn"]
        == f"{EXECUTION_ARN}/*/*/ai-service/*"
    )
    assert run.outputs["sourceArns"].value == [
        f"{EXECUTION_ARN}/*/*",
        f"{EXECUTION_ARN}/*/*/ai-service/*",
    ]


def test_permission_follows_the_function_and_the_api(run: Run) -> None:
    for permission in run.of_type(PERMISSION):
        assert {f"{FUNCTION}::classify", f"{REST_API}::api"} <= permission.dependencies


# --- argument checks, no program needed --------------------------------------------------------


def test_caller_path_rewrites_any_and_parameters() -> None:
    assert caller_path("/prod/ANY/{proxy+}") == "/prod/*/*"
    assert caller_path("/*/POST/predict") == "/*/POST/predict"
    assert caller_path("/*/any/ai-service/{workflow}/run") == "/*/*/ai-service/*/run"
    with pytest.raises(ValueError, match="must start with '/'"):
        caller_path("*/*")


def test_policy_statements_are_checked() -> None:
    with pytest.raises(ValueError, match="Effect"):
        policy_document("arn:group", [{"Action": "s3:GetObject", "Resource": "arn:b/*"}])
    with pytest.raises(ValueError, match="Action and Resource"):
        policy_document("arn:group", [{"Effect": "Allow", "Action": "s3:GetObject"}])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timeout_s": 0}, "timeout_s"),
        ({"memory_mb": 64}, "memory_mb"),
        ({"statements": [{"Effect": "Allow", "Action": "s3:GetObject"}]}, "Action and Resource"),
    ],
)
def test_bad_function_settings_are_refused_before_any_resource(
    kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Function("ok", FunctionArgs(source_dir=PROGRAM_DIR / "function", **kwargs))


def test_what_the_component_insists_on_cannot_be_overridden(tmp_path: Path) -> None:
    """The role is the component's least-privilege one: a caller's `role` is refused by name,
    not silently replaced (naming.merged, used by every component)."""
    from shared.components import naming

    with pytest.raises(ValueError, match="role cannot be set by the caller"):
        naming.merged(TYPE, {"runtime": "python3.12"}, {"role": "arn:other"}, {"role": "mine"})
    args = naming.merged(
        TYPE,
        {"runtime": "python3.12", "tags": {"a": "1"}},
        {"runtime": "python3.13", "tags": {"a": "2", "b": "2"}},
        {"code": "zip", "tags": {"b": "ours"}},
    )
    assert args == {"runtime": "python3.13", "code": "zip", "tags": {"a": "2", "b": "ours"}}
