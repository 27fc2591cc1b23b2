"""The workflows program on Pulumi's mock runtime, once per environment: the REST API's two
routes to the one function, their permissions, the deployment and stage, the function's
environment and role, and the cross-field configuration rule."""

from __future__ import annotations

import ast
import json
import re
import shutil
from dataclasses import dataclass
from typing import Any

import pytest

from shared import catalog
from shared.components.config import ConfigError
from shared.local.engine import program
from shared.ops.stack_files import stack_config
from tests.stacks.expected import model_environment, model_statements, model_variables

STACK = "workflows"

REST_API = "aws:apigateway/restApi:RestApi"
RESOURCE = "aws:apigateway/resource:Resource"
METHOD = "aws:apigateway/method:Method"
INTEGRATION = "aws:apigateway/integration:Integration"
DEPLOYMENT = "aws:apigateway/deployment:Deployment"
STAGE = "aws:apigateway/stage:Stage"
METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
FUNCTION = "aws:lambda/function:Function"
PERMISSION = "aws:lambda/permission:Permission"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
# The components the program composes (their children's parents).
COMPONENT_REST_API = "aigw:apigateway:RestApi"
COMPONENT_FUNCTION = "aigw:lambda:Function"

# WorkflowSettings' defaults, for keys an environment's file leaves out.
DEFAULTS = {
    "modelTimeoutS": "5.0",
    "functionTimeoutS": "25",
    "rateLimit": "50",
    "burstLimit": "100",
    "logRetentionDays": "7",
}


def declared_workflows() -> dict[str, Any]:
    """The WORKFLOWS literal of the stack's __main__.py, read without running the program."""
    source = (catalog.stack_dir(STACK) / "__main__.py").read_text()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "WORKFLOWS" for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError("stacks/workflows/__main__.py declares no WORKFLOWS")


@dataclass(frozen=True)
class EnvRun:
    env: str
    config: dict[str, str]  # workflows:* keys without the prefix, defaults filled in
    run: Any  # conftest.ProgramRun

    def one(self, type_token: str) -> Any:
        return self.run.one(type_token)

    @property
    def model(self) -> dict[str, Any]:
        return json.loads(self.config["model"])

    @property
    def access(self) -> dict[str, Any]:
        return json.loads(self.config["access"])

    @property
    def region(self) -> str:
        """The region the program believes it is in (what its data sources answered)."""
        return str(self.run.outputs["access"].value["region"])


@pytest.fixture(scope="module", params=catalog.ENVIRONMENTS)
def env_run(request, run_program) -> EnvRun:
    env = request.param
    raw = stack_config(catalog.stack_dir(STACK), env)
    prefix = f"{STACK}:"
    config = {**DEFAULTS, **{k[len(prefix) :]: v for k, v in raw.items() if k.startswith(prefix)}}
    return EnvRun(env, config, run_program(STACK, env))


def key(registration: Any) -> str:
    return f"{registration.type}::{registration.name}"


def test_every_resource_has_a_component_parent(env_run):
    run, env = env_run.run, env_run.env
    for resource in run.resources:
        component_type, _, component = resource.parent.partition("::")
        assert component_type.startswith("aigw:"), f"{resource.urn} is not in a component"
        # Children are named `<component name>-<fragment>` (or the component's own name).
        assert resource.name == component or resource.name.startswith(f"{component}-")
    by_parent: dict[str, set[str]] = {}
    for resource in run.resources:
        by_parent.setdefault(resource.parent, set()).add(resource.name)
    routes = ("any-ai-service", "any-ai-service-proxy")
    assert by_parent == {
        f"{COMPONENT_FUNCTION}::orchestrator": {
            "orchestrator",
            "orchestrator-role",
            "orchestrator-policy",
            "orchestrator-logs",
        },
        f"{COMPONENT_REST_API}::api": {
            "api",
            "api-ai-service",
            "api-ai-service-proxy",
            *(f"api-{route}" for route in routes),
            *(f"api-{route}-integration" for route in routes),
            *(f"api-{route}-invoke-permission" for route in routes),
            "api-deployment",
            f"api-{env}",
            f"api-{env}-access-logs",
            f"api-{env}-method-settings",
        },
    }


def test_config_is_valid_and_the_program_declares_its_resources(env_run):
    run = env_run.run
    counts = {t: len(run.of_type(t)) for t in {r.type for r in run.resources}}
    assert counts == {
        REST_API: 1,
        RESOURCE: 2,
        METHOD: 2,
        INTEGRATION: 2,
        PERMISSION: 2,
        DEPLOYMENT: 1,
        STAGE: 1,
        METHOD_SETTINGS: 1,
        LOG_GROUP: 2,  # the function's and the stage's access log
        FUNCTION: 1,
        ROLE: 1,
        ROLE_POLICY: 1,
    }
    assert run.outputs["workflows"].value == sorted(declared_workflows())
    assert run.outputs["url"].value.endswith("/ai-service")


def test_resources_ai_service_and_proxy_under_it(env_run):
    run = env_run.run
    api = env_run.one(REST_API)
    assert api.name == "api"
    assert "name" not in api.inputs, "the API is auto-named"
    resources = {r.inputs["pathPart"]: r for r in run.of_type(RESOURCE)}
    assert set(resources) == {"ai-service", "{proxy+}"}
    service, proxy = resources["ai-service"], resources["{proxy+}"]
    assert service.inputs["parentId"] == f"{api.name}-root"  # the API's root resource
    assert proxy.inputs["parentId"] == f"{service.name}-id"
    assert service.inputs["restApi"] == proxy.inputs["restApi"] == f"{api.name}-id"


def test_any_on_both_resources_integrated_with_the_one_function(env_run):
    run = env_run.run
    function = env_run.one(FUNCTION)
    resource_ids = {f"{r.name}-id": r.inputs["pathPart"] for r in run.of_type(RESOURCE)}
    methods = {resource_ids[m.inputs["resourceId"]]: m for m in run.of_type(METHOD)}
    assert set(methods) == {"ai-service", "{proxy+}"}
    # Every environment signs its calls (the same mode locally as in prod): API Gateway
    # refuses an unsigned request to an AWS_IAM method before the function runs.
    assert env_run.access == {"mode": "iam"}
    for method in methods.values():
        assert method.inputs["httpMethod"] == "ANY"
        assert method.inputs["authorization"] == "AWS_IAM"
        assert not method.inputs.get("apiKeyRequired")
        assert "authorizerId" not in method.inputs
    integrations = {resource_ids[i.inputs["resourceId"]]: i for i in run.of_type(INTEGRATION)}
    assert set(integrations) == {"ai-service", "{proxy+}"}
    invoke_arn = (
        f"arn:aws:apigateway:us-east-1:lambda:path/functions/{function.name}-id/invocations"
    )
    for path_part, integration in integrations.items():
        inputs = integration.inputs
        assert inputs["type"] == "AWS_PROXY"
        assert inputs["integrationHttpMethod"] == "POST"  # Lambda is always invoked with POST
        assert inputs["httpMethod"] == "ANY"
        assert inputs["uri"] == invoke_arn
        assert key(methods[path_part]) in integration.dependencies
        assert key(function) in integration.dependencies


def test_one_permission_per_route_scoped_to_its_path(env_run):
    run = env_run.run
    api = env_run.one(REST_API)
    function = env_run.one(FUNCTION)
    execution_arn = f"arn:aws:execute-api:us-east-1:123456789012:{api.name}-id"
    permissions = run.of_type(PERMISSION)
    assert sorted(p.inputs["sourceArn"] for p in permissions) == [
        f"{execution_arn}/*/*/ai-service",
        f"{execution_arn}/*/*/ai-service/*",
    ]
    for permission in permissions:
        assert permission.inputs["function"] == run.resolved[function.name]["name"]
        assert permission.inputs["action"] == "lambda:InvokeFunction"
        assert permission.inputs["principal"] == "apigateway.amazonaws.com"
        assert "ANY" not in permission.inputs["sourceArn"]
        assert "{" not in permission.inputs["sourceArn"]


def test_deployment_waits_for_every_route_piece_and_has_a_trigger(env_run):
    run = env_run.run
    deployment = env_run.one(DEPLOYMENT)
    for piece in (*run.of_type(METHOD), *run.of_type(INTEGRATION), *run.of_type(PERMISSION)):
        assert key(piece) in deployment.dependencies, piece.name
    assert deployment.inputs["restApi"] == f"{env_run.one(REST_API).name}-id"
    trigger = deployment.inputs["triggers"]["redeployment"]
    assert re.fullmatch(r"[0-9a-f]{64}", trigger)


def test_the_redeployment_trigger_is_stable(run_program, env_run):
    again = run_program(STACK, env_run.env)
    assert again.one(DEPLOYMENT).inputs["triggers"] == env_run.one(DEPLOYMENT).inputs["triggers"]


def test_stage_has_access_logs_and_method_throttling(env_run):
    run, config = env_run.run, env_run.config
    stage = env_run.one(STAGE)
    deployment = env_run.one(DEPLOYMENT)
    assert stage.inputs["stageName"] == env_run.env
    assert stage.inputs["deployment"] == f"{deployment.name}-id"
    assert key(deployment) in stage.dependencies
    access = run.named(f"api-{env_run.env}-access-logs")
    assert "name" not in access.inputs, "the access-log group is auto-named"
    assert access.inputs["retentionInDays"] == int(config["logRetentionDays"])
    log = stage.inputs["accessLogSettings"]
    assert log["destinationArn"] == f"arn:aws:mock:us-east-1:123456789012:{access.name}"
    fields = json.loads(log["format"])
    assert fields["requestId"] == "$context.requestId"
    assert fields["status"] == "$context.status"

    settings = env_run.one(METHOD_SETTINGS)
    assert settings.inputs["stageName"] == env_run.env
    assert settings.inputs["methodPath"] == "*/*"
    assert key(stage) in settings.dependencies  # created after the stage exists
    throttle = settings.inputs["settings"]
    assert throttle["throttlingRateLimit"] == float(config["rateLimit"])
    assert throttle["throttlingBurstLimit"] == int(config["burstLimit"])


def test_function_runs_the_declared_workflows_against_the_envs_model(env_run):
    config = env_run.config
    function = env_run.one(FUNCTION)
    inputs = function.inputs
    assert function.name == "orchestrator"
    assert "name" not in inputs, "the function is auto-named"
    assert inputs["runtime"] == "python3.12"
    assert inputs["handler"] == "service.handler"
    assert inputs["timeout"] == int(config["functionTimeoutS"])
    variables = inputs["environment"]["variables"]
    assert json.loads(variables["WORKFLOWS"]) == declared_workflows()
    assert model_variables(variables) == model_environment(env_run.model)
    assert float(variables["MODEL_TIMEOUT_SECONDS"]) == float(config["modelTimeoutS"])
    if env_run.env != "local":  # each environment its own signed endpoint
        assert env_run.model == {"type": "sagemaker", "endpoint": f"sentiment-{env_run.env}"}


def test_role_may_only_write_its_own_log_group(env_run):
    run = env_run.run
    function = env_run.one(FUNCTION)
    role = env_run.one(ROLE)
    logs = run.named("orchestrator-logs")
    # The group Lambda writes to is named after the auto-named function: it follows the
    # function and, its name being fixed, is replaced delete-before-create.
    assert logs.inputs["name"] == f"/aws/lambda/{run.resolved[function.name]['name']}"
    assert key(function) in logs.dependencies
    assert logs.delete_before_replace is True
    assert logs.inputs["retentionInDays"] == int(env_run.config["logRetentionDays"])
    assert "name" not in role.inputs, "the role is auto-named"
    assert function.inputs["role"] == f"arn:aws:mock:us-east-1:123456789012:{role.name}"
    assume = json.loads(role.inputs["assumeRolePolicy"])
    assert [s["Principal"] for s in assume["Statement"]] == [{"Service": "lambda.amazonaws.com"}]

    policy = env_run.one(ROLE_POLICY)
    assert policy.inputs["role"] == f"{role.name}-id"
    assert "name" not in policy.inputs, "the policy is auto-named"
    document = json.loads(policy.inputs["policy"])
    assert document["Statement"] == [
        {
            "Sid": "WriteOwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"arn:aws:mock:us-east-1:123456789012:{logs.name}:*",
        },
        # And the environment's model, that one only (none for an unsigned HTTP endpoint).
        *model_statements(env_run.model, env_run.region),
    ]
    # The log group and the policy exist before the function's first invocation: whatever
    # lets API Gateway call it waits for both.
    callers = [*run.of_type(PERMISSION), *run.of_type(INTEGRATION)]
    assert len(callers) == 4
    for caller in callers:
        assert {key(logs), key(policy)} <= caller.dependencies, caller.name


def test_a_model_timeout_just_below_the_function_timeout_is_accepted(run_program):
    run = run_program(
        STACK, "local", {"workflows:modelTimeoutS": "9.5", "workflows:functionTimeoutS": "10"}
    )
    function = run.one(FUNCTION)
    assert function.inputs["timeout"] == 10
    assert function.inputs["environment"]["variables"]["MODEL_TIMEOUT_SECONDS"] == "9.5"


@pytest.mark.parametrize(
    ("model_timeout", "function_timeout"), [("10", "10"), ("20", "10"), ("5", "1")]
)
def test_model_timeout_must_be_shorter_than_the_function_timeout(
    run_program, model_timeout, function_timeout
):
    overrides = {
        "workflows:modelTimeoutS": model_timeout,
        "workflows:functionTimeoutS": function_timeout,
    }
    with pytest.raises(ConfigError) as raised:
        run_program(STACK, "local", overrides)
    assert raised.value.problems == [
        "workflows:modelTimeoutS: must be shorter than functionTimeoutS, so a slow model gets 504."
    ]


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        (
            {"workflows:model": '{"type": "http", "url": "not a url"}'},
            "workflows:model: url: 'not a url' does not match",
        ),
        (
            {"workflows:model": '{"type": "sagemaker"}'},
            "workflows:model: 'endpoint' is a required property",
        ),
        (
            {"workflows:access": '{"mode": "jwt"}'},
            "workflows:access: mode: 'jwt' is not one of ['api_key', 'cognito', 'iam', 'none']",
        ),
        ({"workflows:modelTimeoutS": "29"}, "workflows:modelTimeoutS: 29.0 is above the maximum"),
        ({"workflows:logRetentionDays": "2"}, "workflows:logRetentionDays: 2 is not one of"),
        # unknown keys: refused by the stack-file reader (tests/test_stack_files.py)
    ],
)
def test_invalid_settings_are_reported_by_key(run_program, overrides, problem):
    with pytest.raises(ConfigError) as raised:
        run_program(STACK, "local", overrides)
    assert problem in str(raised.value)


# --- the workflows declaration ----------------------------------------------------------------

GOOD_STEP = '{"name": "best", "op": "top", "n": 2}'
BAD_STEP = '{"name": "best", "op": "top"}'  # `top` needs n


@pytest.mark.parametrize(
    ("overrides", "problems"),
    [
        ({}, ["workflows: highlights.best: missing parameters n"]),
        # Settings are loaded first: a bad setting is reported before the declaration.
        (
            {"workflows:logRetentionDays": "2"},
            ["workflows:logRetentionDays: 2 is not one of"],
        ),
    ],
    ids=["declaration", "settings-first"],
)
def test_a_bad_workflow_declaration_is_a_config_error_before_any_resource(
    tmp_path, overrides, problems
):
    source = catalog.stack_dir(STACK)
    copy = tmp_path / STACK
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__"))
    main = copy / "__main__.py"
    text = main.read_text()
    assert text.count(GOOD_STEP) == 1
    main.write_text(text.replace(GOOD_STEP, BAD_STEP))
    declared: list[Any] = []

    def record(reg: Any) -> tuple[str, dict[str, Any]]:
        declared.append(reg)
        return f"{reg.name}-id", dict(reg.inputs)

    config = {**stack_config(source, "local"), **overrides}
    with pytest.raises(ConfigError) as raised:
        program.run(copy, STACK, "local", config, record, preview=False)
    assert len(raised.value.problems) == len(problems), raised.value.problems
    for found, expected in zip(raised.value.problems, problems, strict=True):
        assert found.startswith(expected), raised.value.problems
    assert declared == []
