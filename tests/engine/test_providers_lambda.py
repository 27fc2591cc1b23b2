"""The Lambda providers (functions, aliases, layer versions, permissions) against a real emulator:
create, read back the recorded inputs with no false drift, update in place, drift made with
boto3 behind the engine's back, find after an interrupted create, delete leaving nothing; then a
small program deployed, redeployed and destroyed by the engine."""

from __future__ import annotations

import io
import json
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pulumi
import pytest
from botocore.exceptions import ClientError

from shared.local.engine.engine import Action
from shared.local.engine.providers import REGISTRY, Context
from shared.local.engine.state import ResourceRecord

pytestmark = pytest.mark.emulator

REGION = "us-east-1"
FUNCTION = REGISTRY["aws:lambda/function:Function"]
ALIAS = REGISTRY["aws:lambda/alias:Alias"]
LAYER = REGISTRY["aws:lambda/layerVersion:LayerVersion"]
PERMISSION = REGISTRY["aws:lambda/permission:Permission"]
ROLE_POLICY = json.dumps(
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
# The handler reports its helper module's name when a layer provides one.
HANDLER = """
import os

try:
    from helper import NAME as HELPER
except ImportError:
    HELPER = None

def handler(event, context):
    return {"message": os.environ.get("MESSAGE"), "helper": HELPER, "version": VERSION}
"""


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def function_code(folder: Path, version: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "handler.py").write_text(f"VERSION = {version}\n" + HANDLER)
    return folder


def layer_code(folder: Path, helper_name: str) -> Path:
    (folder / "python").mkdir(parents=True, exist_ok=True)
    (folder / "python" / "helper.py").write_text(f"NAME = {helper_name!r}\n")
    return folder


def zip_of(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", source)
    return buffer.getvalue()


@pytest.fixture
def role_arn(emulator_client):
    iam = emulator_client("iam")
    name = unique("fnrole")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=ROLE_POLICY)["Role"]["Arn"]
    yield arn
    iam.delete_role(RoleName=name)


@pytest.fixture
def layer_inputs(tmp_path):
    return {
        "layerName": unique("helpers"),
        "code": pulumi.FileArchive(str(layer_code(tmp_path / "layer", "first"))),
        "compatibleRuntimes": ["python3.12"],
        "description": "helpers",
    }


def function_inputs(tmp_path: Path, role_arn: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": unique("fn"),
        "runtime": "python3.12",
        "handler": "handler.handler",
        "role": role_arn,
        "code": pulumi.FileArchive(str(function_code(tmp_path / "code", 1))),
        "timeout": 5.0,  # numbers arrive from the program as floats
        "memorySize": 128.0,
        "environment": {"variables": {"MESSAGE": "hello"}},
        "tags": {"purpose": "inference"},
        **extra,
    }


def invoke(lam: Any, name: str, qualifier: str | None = None) -> dict[str, Any]:
    extra = {"Qualifier": qualifier} if qualifier else {}
    return json.loads(lam.invoke(FunctionName=name, Payload=b"{}", **extra)["Payload"].read())


def wait_active(lam: Any, name: str) -> None:
    FUNCTION.settle(Context(lam.meta.endpoint_url, REGION), [_stub(name)])


def _stub(name: str) -> ResourceRecord:
    return ResourceRecord(FUNCTION.type_token, name, name, {}, {})


# -- functions ----------------------------------------------------------------------------------


def test_function_with_a_layer_reads_back_its_record_and_runs(
    applied, emulator_client, tmp_path, role_arn, layer_inputs
):
    layer = applied.create(LAYER, "helpers", layer_inputs)
    inputs = function_inputs(tmp_path, role_arn, layers=[layer.outputs["arn"]])
    function = applied.create(FUNCTION, "model", inputs)
    FUNCTION.settle(applied.ctx, [function])

    live = FUNCTION.read(applied.ctx, function)
    lam = emulator_client("lambda")
    assert invoke(lam, function.id) == {"message": "hello", "helper": "first", "version": 1}
    assert applied.drift(FUNCTION, function) == {}
    expected = {"timeout", "memorySize", "handler", "runtime", "environment", "role", "code"}
    assert expected | {"layers", "tags"} <= set(live)
    assert function.outputs["arn"] == f"arn:aws:lambda:{REGION}:000000000000:function:{function.id}"
    assert function.outputs["version"] == "$LATEST"


def test_function_drift_made_behind_the_engine_is_seen(
    applied, emulator_client, tmp_path, role_arn, layer_inputs
):
    layer = applied.create(LAYER, "helpers", layer_inputs)
    function = applied.create(
        FUNCTION, "model", function_inputs(tmp_path, role_arn, layers=[layer.outputs["arn"]])
    )
    lam, name = emulator_client("lambda"), function.id
    wait_active(lam, name)
    other_role = role_arn.replace(":role/", ":role/other-")

    lam.update_function_configuration(
        FunctionName=name,
        Timeout=30,
        MemorySize=512,
        Handler="other.handler",
        Runtime="python3.11",
        Role=other_role,
        Environment={"Variables": {"MESSAGE": "changed"}},
        Layers=[],
    )
    wait_active(lam, name)
    lam.update_function_code(FunctionName=name, ZipFile=zip_of("def handler(e, c): pass\n"))
    wait_active(lam, name)
    lam.tag_resource(Resource=function.outputs["arn"], Tags={"purpose": "changed"})

    drift = applied.drift(FUNCTION, function)
    assert drift["timeout"] == 30 and drift["memorySize"] == 512
    assert (drift["handler"], drift["runtime"], drift["role"]) == (
        "other.handler",
        "python3.11",
        other_role,
    )
    assert drift["environment"] == {"variables": {"MESSAGE": "changed"}}
    assert drift["layers"] == []
    assert drift["tags"] == {"purpose": "changed"}
    assert set(drift["code"]) == {"codeSha256"}  # another package than the recorded one


def test_setting_left_to_aws_default_and_changed_behind_the_engine_is_drift(
    applied, emulator_client, tmp_path, role_arn
):
    inputs = function_inputs(tmp_path, role_arn)
    del inputs["timeout"]
    function = applied.create(FUNCTION, "model", inputs)
    lam = emulator_client("lambda")
    wait_active(lam, function.id)
    assert applied.drift(FUNCTION, function) == {}  # AWS's default 3 s is not drift

    lam.update_function_configuration(FunctionName=function.id, Timeout=42)

    assert applied.drift(FUNCTION, function) == {"timeout": 42}


def test_function_configuration_updates_in_place(applied, emulator_client, tmp_path, role_arn):
    inputs = function_inputs(tmp_path, role_arn)
    function = applied.create(FUNCTION, "model", inputs)

    updated = applied.update(
        FUNCTION,
        function,
        {**inputs, "timeout": 9.0, "environment": {"variables": {"MESSAGE": "changed"}}},
    )

    config = emulator_client("lambda").get_function_configuration(FunctionName=function.id)
    assert (config["Timeout"], config["Environment"]["Variables"]) == (9, {"MESSAGE": "changed"})
    assert applied.drift(FUNCTION, updated) == {}


def test_create_returns_before_active_and_what_follows_a_function_works_at_once(
    applied, emulator_client, tmp_path, role_arn
):
    """A permission and an alias are made while the function is still Pending, as the engine
    now does for everything declared after a function; `settle` then waits for all the
    functions of the run in the same polling rounds."""
    lam = emulator_client("lambda")
    # Every state poll the engine's Lambda client makes: creating polls none (it does not wait,
    # whatever a busy machine does to the timing), settling polls until all are Active.
    engine_client = FUNCTION.client(applied.ctx, {})
    polls: list[str] = []

    def count(params: dict, **_: Any) -> None:
        polls.append(params["FunctionName"])

    event = "provide-client-params.lambda.GetFunctionConfiguration"
    engine_client.meta.events.register(event, count)
    try:
        started = time.perf_counter()
        functions = [
            applied.create(FUNCTION, f"model{n}", function_inputs(tmp_path, role_arn, publish=True))
            for n in range(3)
        ]
        created_in = time.perf_counter() - started
        assert not polls  # create did not wait
        for function in functions:
            applied.create(
                PERMISSION,
                f"invoke-{function.name}",
                {
                    "statementId": "api",
                    "action": "lambda:InvokeFunction",
                    "function": function.id,
                    "principal": "apigateway.amazonaws.com",
                },
            )
            applied.create(
                ALIAS,
                f"live-{function.name}",
                {"functionName": function.id, "functionVersion": "1", "name": "live"},
            )

        started = time.perf_counter()
        FUNCTION.settle(applied.ctx, functions)
        settled_in = time.perf_counter() - started
    finally:
        engine_client.meta.events.unregister(event, count)

    assert set(polls) == {f.id for f in functions}  # settle polled each of them
    assert all(
        lam.get_function_configuration(FunctionName=f.id)["State"] == "Active" for f in functions
    )
    assert all(invoke(lam, f.id, "live")["message"] == "hello" for f in functions)
    # Three functions waited for together cost about one transition (LAMBDA_ACTIVATION_S).
    print(f"3 creates {created_in:.2f} s, settle {settled_in:.2f} s")  # measured, for the report
    assert settled_in < 1.5


def test_find_locates_what_an_interrupted_create_made(applied, emulator_client, tmp_path, role_arn):
    inputs = function_inputs(tmp_path, role_arn)
    function = applied.create(FUNCTION, "model", inputs)

    assert applied.find(FUNCTION, function, inputs) == function.id
    FUNCTION.delete(applied.ctx, function)
    assert applied.find(FUNCTION, function, inputs) is None
    with pytest.raises(ClientError):
        emulator_client("lambda").get_function(FunctionName=function.id)


# -- versions and aliases -----------------------------------------------------------------------


def test_publish_gives_versions_and_an_alias_moves_between_them(
    applied, emulator_client, tmp_path, role_arn
):
    lam = emulator_client("lambda")
    inputs = function_inputs(tmp_path, role_arn, publish=True)
    function = applied.create(FUNCTION, "model", inputs)
    arn = function.outputs["arn"]
    assert function.outputs["version"] == "1"
    assert function.outputs["qualifiedArn"] == f"{arn}:1"
    assert function.outputs["qualifiedInvokeArn"].endswith(f"/functions/{arn}:1/invocations")
    alias_inputs = {"functionName": function.id, "functionVersion": "1", "name": "live"}
    alias = applied.create(ALIAS, "live", alias_inputs)
    assert alias.id == alias.outputs["arn"] == f"{arn}:live"
    assert alias.outputs["invokeArn"].endswith(f"/functions/{arn}:live/invocations")
    assert applied.drift(ALIAS, alias) == {}

    code = pulumi.FileArchive(str(function_code(tmp_path / "code-2", 2)))
    function = applied.update(FUNCTION, function, {**inputs, "code": code})
    assert function.outputs["version"] == "2"
    weights = {"additionalVersionWeights": {"1": 0.25}}
    alias = applied.update(
        ALIAS, alias, {**alias_inputs, "functionVersion": "2", "routingConfig": weights}
    )

    live = lam.get_alias(FunctionName=function.id, Name="live")
    assert live["FunctionVersion"] == "2"
    assert live["RoutingConfig"] == {"AdditionalVersionWeights": {"1": 0.25}}
    assert invoke(lam, function.id, "2")["version"] == 2
    assert applied.drift(ALIAS, alias) == {}
    assert applied.drift(FUNCTION, function) == {}

    lam.update_alias(FunctionName=function.id, Name="live", FunctionVersion="1", RoutingConfig={})
    assert applied.drift(ALIAS, alias) == {
        "functionVersion": "1",
        "routingConfig": {"additionalVersionWeights": {}},
    }
    assert applied.find(ALIAS, alias, alias_inputs) == alias.id
    ALIAS.delete(applied.ctx, alias)
    assert applied.find(ALIAS, alias, alias_inputs) is None


# -- layers -------------------------------------------------------------------------------------


def test_layer_version_reads_back_finds_and_deletes(applied, emulator_client, layer_inputs):
    layer = applied.create(LAYER, "helpers", layer_inputs)
    lam = emulator_client("lambda")

    assert layer.outputs["arn"] == f"{layer.outputs['layerArn']}:{layer.outputs['version']}"
    assert layer.outputs["version"] == "1"
    assert applied.drift(LAYER, layer) == {}
    assert applied.find(LAYER, layer, layer_inputs) == layer.id

    LAYER.delete(applied.ctx, layer)

    with pytest.raises(ClientError):
        lam.get_layer_version_by_arn(Arn=layer.id)
    assert applied.find(LAYER, layer, layer_inputs) is None


# -- permissions --------------------------------------------------------------------------------


def test_permission_reads_back_and_finds(applied, tmp_path, role_arn):
    function = applied.create(FUNCTION, "model", function_inputs(tmp_path, role_arn))
    inputs = {
        "statementId": "api",
        "action": "lambda:InvokeFunction",
        "function": function.outputs["arn"],
        "principal": "apigateway.amazonaws.com",
        "sourceArn": "arn:aws:execute-api:us-east-1:000000000000:abcdef1234/*/*",
    }
    permission = applied.create(PERMISSION, "invoke", inputs)

    assert applied.drift(PERMISSION, permission) == {}
    assert set(PERMISSION.read(applied.ctx, permission)) == {"action", "principal", "sourceArn"}
    assert applied.find(PERMISSION, permission, inputs) == "api"
    PERMISSION.delete(applied.ctx, permission)
    assert applied.find(PERMISSION, permission, inputs) is None


# -- a program ----------------------------------------------------------------------------------


@pytest.fixture
def program(engine_harness, tmp_path):
    h = engine_harness(
        "ai_lambda",
        "ai_lambda",
        name=unique("model"),
        code=str(function_code(tmp_path / "code", 1)),
        layer=str(layer_code(tmp_path / "layer", "from-layer")),
    )
    yield h
    h.destroy()


def test_program_deploys_publishes_and_destroys(program, emulator_client):
    lam, iam = emulator_client("lambda"), emulator_client("iam")
    outputs = program.up()
    name = outputs["functionName"].value
    FUNCTION.settle(Context(program.emulator_url, REGION), [program.record("model")])

    assert outputs["version"].value == "1"
    assert outputs["aliasArn"].value == f"arn:aws:lambda:{REGION}:000000000000:function:{name}:live"
    assert invoke(lam, name, "live") == {"message": "hello", "helper": "from-layer", "version": 1}
    policy = json.loads(lam.get_policy(FunctionName=name, Qualifier="live")["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == [program.record("invoke").id]
    role = outputs["roleName"].value
    attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AWSLambdaBasicExecutionRole"]
    assert not program.plan().has_changes

    plan = program.plan(message="changed")
    outputs = program.up(message="changed")
    # The alias follows the new version, known once the function is applied.
    assert [(s.action, s.name) for s in plan.steps if s.action is not Action.SAME] == [
        (Action.UPDATE, "model")
    ]
    assert program.record("live").inputs["functionVersion"] == "2"
    assert outputs["version"].value == "2"
    assert lam.get_alias(FunctionName=name, Name="live")["FunctionVersion"] == "2"
    assert invoke(lam, name, "live")["message"] == "changed"

    program.up(weight="0.25")
    routing = lam.get_alias(FunctionName=name, Name="live")["RoutingConfig"]
    assert routing == {"AdditionalVersionWeights": {"1": 0.25}}
    assert not program.plan().has_changes

    layer_arn = outputs["layerVersionArn"].value
    program.destroy()

    with pytest.raises(ClientError):
        lam.get_function(FunctionName=name)
    with pytest.raises(ClientError):
        lam.get_layer_version_by_arn(Arn=layer_arn)
    with pytest.raises(ClientError):
        iam.get_role(RoleName=role)
    assert program.state().resources == {}
