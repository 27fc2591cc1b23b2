"""The orchestration program on Pulumi's mock runtime, for every environment: one Lambda function
per service with a least-privilege role, the bucket they keep their records in, and the HTTP API
that hands each route to its function."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from shared import catalog
from shared.components.config import ConfigError
from shared.local.engine import program
from shared.ops.stack_files import stack_config
from tests.stacks.expected import model_environment, model_statements, model_variables

STACK = "orchestration"
ENVIRONMENTS = catalog.ENVIRONMENTS
ACCOUNT = "123456789012"

# (service, method, path, stores records)
SERVICES = [
    ("classifier", "POST", "/classify", True),
    ("summarizer", "POST", "/summarize", True),
    ("chat", "POST", "/chat", True),
    ("health", "GET", "/health", False),
]
SERVICE_NAMES = [s[0] for s in SERVICES]
# The model each service may invoke: the stack's own, the Bedrock chat model, or none (health
# pings an HTTP model, never invokes one).
INVOKES = {"classifier": "model", "summarizer": "model", "chat": "chat", "health": None}
# The scope a token must carry per route (jwt access); /health asks for any valid token.
SCOPES = {"classifier": "classify", "summarizer": "summarize", "chat": "chat", "health": None}

# OrchestrationSettings' defaults, for keys an environment's file leaves out.
DEFAULTS = {
    "modelTimeoutS": "5.0",
    "functionTimeoutS": "25",
    "functionMemoryMb": "256",
    "maxBodyBytes": "65536",
    "rateLimit": "50",
    "burstLimit": "100",
    "logRetentionDays": "7",
    "forceDestroyData": "true",
    "protectData": "false",
    "chatModelId": "amazon.nova-micro-v1:0",
}

BUCKET = "aws:s3/bucket:Bucket"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
)
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
FUNCTION = "aws:lambda/function:Function"
PERMISSION = "aws:lambda/permission:Permission"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
API = "aws:apigatewayv2/api:Api"
INTEGRATION = "aws:apigatewayv2/integration:Integration"
ROUTE = "aws:apigatewayv2/route:Route"
STAGE = "aws:apigatewayv2/stage:Stage"
# The components the program composes (their children's parents).
COMPONENT_BUCKET = "aigw:s3:PrivateBucket"
COMPONENT_FUNCTION = "aigw:lambda:Function"
COMPONENT_HTTP_API = "aigw:apigatewayv2:HttpApi"
BUCKET_PARTS = {"data", "data-public-access-block", "data-encryption", "data-versioning"}
# Pulumi auto-names a resource `<logical name>-<7 random characters>`.
AUTO_NAME_SUFFIX = "-5f3a9c1"
AUTHORIZER = "aws:apigatewayv2/authorizer:Authorizer"
COMPONENT_ISSUER = "aigw:cognito:ClientCredentialsIssuer"


# --- running the program ----------------------------------------------------------------------


def physical_name(reg: program.Registration) -> str:
    """The name AWS ends up with: the program's, or Pulumi's auto-name from the logical one."""
    return reg.inputs.get("name") or f"{reg.name}{AUTO_NAME_SUFFIX}"


def realistic(reg: program.Registration, generic: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The mocks' generic outputs, except where the program reads AWS-computed values that the
    generic ones leave out: auto-generated names (a bucket's, a function's) and real-looking
    ARNs."""
    rid, outputs = f"{reg.name}-id", dict(generic)
    if reg.type == BUCKET:
        rid = f"{reg.name}{AUTO_NAME_SUFFIX}"
        outputs.update(bucket=rid, id=rid, arn=f"arn:aws:s3:::{rid}")
    elif reg.type == FUNCTION:
        outputs["name"] = physical_name(reg)
        outputs["arn"] = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:{outputs['name']}"
    elif reg.type == LOG_GROUP:
        outputs["name"] = physical_name(reg)
        outputs["arn"] = f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:{outputs['name']}"
    elif reg.type == ROLE:
        outputs["name"] = physical_name(reg)
        outputs["arn"] = f"arn:aws:iam::{ACCOUNT}:role/{outputs['name']}"
    return rid, outputs


def setting(env: str, key: str) -> str:
    value = stack_config(catalog.stack_dir(STACK), env).get(f"{STACK}:{key}", DEFAULTS.get(key))
    assert value is not None, f"{env} sets no {key} and it has no default"
    return value


@pytest.fixture(scope="module")
def run_orchestration(run_program):
    """`run_orchestration(env, overrides=None)`: the program under mocks, with the `realistic`
    outputs where the program reads AWS-computed values."""

    def run(env: str, overrides: dict[str, str] | None = None) -> Any:
        return run_program(STACK, env, overrides, outputs=realistic)

    return run


@pytest.fixture(scope="module", params=ENVIRONMENTS)
def run(request, run_orchestration) -> Any:
    return run_orchestration(request.param)


@pytest.fixture
def env(run) -> str:
    return run.env


def policy_of(run: Any, service: str) -> dict[str, Any]:
    return json.loads(run.named(f"{service}-policy").inputs["policy"])


def route_slug(method: str, path: str) -> str:
    return f"{method.lower()}-{path.strip('/')}"


def callers_of(run: Any, service: str) -> list[Any]:
    """What makes API Gateway call `service`'s function: its route's invoke permission and
    integration."""
    [(method, path)] = [(m, p) for s, m, p, _ in SERVICES if s == service]
    slug = route_slug(method, path)
    return [run.named(f"api-{slug}-invoke-permission"), run.named(f"api-{slug}-integration")]


def flag(value: Any) -> bool:
    return str(value).lower() == "true"


def mapping(env: str, key: str) -> dict[str, Any]:
    value = json.loads(setting(env, key))
    assert isinstance(value, dict)
    return value


def region_of(run: Any) -> str:
    """The region the program believes it is in (what its data sources answered)."""
    return str(run.outputs["access"].value["region"])


def model_invoked_by(env: str, service: str) -> dict[str, Any] | None:
    """`<stack>:model` for the stack's model, a Bedrock model for chat, None for health."""
    invokes = INVOKES[service]
    if invokes == "chat":
        return {"type": "bedrock", "modelId": setting(env, "chatModelId")}
    return mapping(env, "model") if invokes == "model" else None


# --- config -----------------------------------------------------------------------------------


def test_each_environment_config_is_valid_and_complete(run, env):
    # The program ran (config.load raises on any problem), and each file names a model.
    model = mapping(env, "model")
    if env == catalog.LOCAL:  # the local model server, no cloud account
        assert model == {"type": "http", "url": "http://127.0.0.1:8080/invocations"}
    else:  # each environment its own SageMaker endpoint
        assert model == {"type": "sagemaker", "endpoint": f"sentiment-{env}"}
    assert mapping(env, "access")["mode"] == "jwt"
    assert float(setting(env, "modelTimeoutS")) < int(setting(env, "functionTimeoutS"))


def test_every_resource_has_a_component_parent(run, env):
    for resource in run.resources:
        component_type, _, component = resource.parent.partition("::")
        assert component_type.startswith("aigw:"), f"{resource.urn} is not in a component"
        # Children are named `<component name>-<fragment>` (or the component's own name).
        assert resource.name == component or resource.name.startswith(f"{component}-")
    by_parent: dict[str, set[str]] = {}
    for resource in run.resources:
        by_parent.setdefault(resource.parent, set()).add(resource.name)
    slugs = [route_slug(method, path) for _, method, path, _ in SERVICES]
    clients = [c["name"] for c in mapping(env, "access")["clients"]]
    assert by_parent == {
        f"{COMPONENT_ISSUER}::api-callers": {
            "api-callers-pool",
            "api-callers-resource-server",
            "api-callers-domain",
            *(f"api-callers-{name}" for name in clients),
        },
        f"{COMPONENT_BUCKET}::data": BUCKET_PARTS,
        **{
            f"{COMPONENT_FUNCTION}::{s}": {s, f"{s}-role", f"{s}-policy", f"{s}-logs"}
            for s in SERVICE_NAMES
        },
        f"{COMPONENT_HTTP_API}::api": {
            "api",
            "api-jwt-authorizer",
            f"api-{env}",
            f"api-{env}-access-logs",
            *(f"api-{slug}" for slug in slugs),
            *(f"api-{slug}-integration" for slug in slugs),
            *(f"api-{slug}-invoke-permission" for slug in slugs),
        },
    }


# --- functions --------------------------------------------------------------------------------


def test_one_python_function_per_service(run, env):
    functions = {f.name: f.inputs for f in run.of_type(FUNCTION)}
    assert sorted(functions) == sorted(SERVICE_NAMES)
    for service, inputs in functions.items():
        assert "name" not in inputs, "functions are auto-named"
        assert inputs["runtime"] == "python3.12"
        assert inputs["handler"] == f"{service}.handler"
        assert inputs["timeout"] == int(setting(env, "functionTimeoutS"))
        assert inputs["memorySize"] == int(setting(env, "functionMemoryMb"))
        assert inputs["tags"] == {
            "project": "orchestration",
            "environment": env,
            "managed-by": "pulumi",
        }


def test_function_environment_names_model_bucket_and_prefix(run, env):
    # The bucket is auto-named: the functions are told the name AWS gave it.
    bucket_name = run.resolved["data"]["bucket"]
    assert bucket_name == run.ids["data"] and bucket_name.startswith("data-")
    for service in SERVICE_NAMES:
        variables = run.named(service).inputs["environment"]["variables"]
        # Chat names its Bedrock model (Converse); every other service the stack's model
        # (health pings it when it is an HTTP endpoint).
        model = (
            {"CHAT_MODEL_ID": setting(env, "chatModelId")}
            if service == "chat"
            else model_environment(mapping(env, "model"))
        )
        assert variables == {
            **model,
            "MODEL_TIMEOUT_SECONDS": str(float(setting(env, "modelTimeoutS"))),
            "MAX_BODY_BYTES": setting(env, "maxBodyBytes"),
            "DATA_BUCKET": bucket_name,
            "DATA_PREFIX": service,
        }
        if service == "chat":
            assert not model_variables(variables), "chat calls the chat model only"
        assert run.key("data") in run.named(service).dependencies


def test_each_function_has_its_own_log_group_with_the_envs_retention(run, env):
    groups = {g.name: g for g in run.of_type(LOG_GROUP)}
    for service in SERVICE_NAMES:
        group = groups[f"{service}-logs"]
        # The group Lambda writes to is named after the (auto-named) function, so it follows
        # the function and, its name being fixed, is replaced delete-before-create.
        assert group.inputs["name"] == f"/aws/lambda/{run.resolved[service]['name']}"
        assert run.key(service) in group.dependencies
        assert group.delete_before_replace is True
        assert group.inputs["retentionInDays"] == int(setting(env, "logRetentionDays"))
        # Lambda must not create the group (without retention) before the program does:
        # nothing can invoke the function before its group exists.
        for caller in callers_of(run, service):
            assert run.key(f"{service}-logs") in caller.dependencies, caller.name


def test_each_zip_holds_the_handler_its_helpers_and_the_runtime(run, env):
    build = catalog.state_dir() / "build" / f"orchestration-{env}"
    for service in SERVICE_NAMES:
        with zipfile.ZipFile(build / f"{service}.zip") as archive:
            names = set(archive.namelist())
        assert {f"{service}.py", "inputs.py", "records.py"} <= names
        assert {"aigw_runtime/__init__.py", "aigw_runtime/app.py"} <= names
        assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    hashes = {run.named(s).inputs["sourceCodeHash"] for s in SERVICE_NAMES}
    assert len(hashes) == 1  # one source folder, byte-identical zips


# --- IAM --------------------------------------------------------------------------------------


def test_one_role_per_function_assumable_by_lambda_only(run, env):
    roles = {r.name: r.inputs for r in run.of_type(ROLE)}
    assert sorted(roles) == sorted(f"{s}-role" for s in SERVICE_NAMES)
    for service in SERVICE_NAMES:
        role = roles[f"{service}-role"]
        assert "name" not in role, "roles are auto-named"
        trust = json.loads(role["assumeRolePolicy"])
        assert trust["Statement"] == [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ]
        assert run.named(service).inputs["role"] == run.resolved[f"{service}-role"]["arn"]
    assert len({run.named(s).inputs["role"] for s in SERVICE_NAMES}) == len(SERVICE_NAMES)


def test_each_role_has_one_inline_policy_of_its_own(run, env):
    policies = {p.name: p.inputs for p in run.of_type(ROLE_POLICY)}
    assert sorted(policies) == sorted(f"{s}-policy" for s in SERVICE_NAMES)
    for service in SERVICE_NAMES:
        assert policies[f"{service}-policy"]["role"] == run.ids[f"{service}-role"]
        assert "name" not in policies[f"{service}-policy"], "policies are auto-named"
        # API Gateway waits for the function's permissions, so its first invocation can log
        # and store.
        for caller in callers_of(run, service):
            assert run.key(f"{service}-policy") in caller.dependencies, caller.name


def test_logs_only_to_the_functions_own_log_group(run):
    for service in SERVICE_NAMES:
        statements = policy_of(run, service)["Statement"]
        logs = [s for s in statements if any(a.startswith("logs:") for a in s["Action"])]
        assert len(logs) == 1
        assert logs[0]["Effect"] == "Allow"
        assert sorted(logs[0]["Action"]) == ["logs:CreateLogStream", "logs:PutLogEvents"]
        own_group = run.resolved[f"{service}-logs"]["arn"]
        assert logs[0]["Resource"] == f"{own_group}:*"


@pytest.mark.parametrize(("service", "method", "path", "stores"), SERVICES)
def test_s3_access_only_under_the_services_own_prefix(run, service, method, path, stores):
    statements = policy_of(run, service)["Statement"]
    s3 = [s for s in statements if any(a.startswith("s3:") for a in s["Action"])]
    if not stores:
        assert s3 == []
        assert len(statements) == 1  # logs, nothing else
        return
    bucket_arn = run.resolved["data"]["arn"]
    assert s3 == [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": f"{bucket_arn}/{service}/*",
        }
    ]


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_model_calls_only_to_the_services_own_model(run, env, service):
    """IAM: `sagemaker:InvokeEndpoint` / `bedrock:InvokeModel` on one ARN, the model the
    service calls; chat may call its Bedrock model and not the stack's, the others the stack's
    and not chat's, health none."""
    statements = policy_of(run, service)["Statement"]
    grants = [
        s for s in statements if any(a.startswith(("sagemaker:", "bedrock:")) for a in s["Action"])
    ]
    model = model_invoked_by(env, service)
    assert grants == (model_statements(model, region_of(run)) if model else [])


def test_no_policy_grants_wildcard_resources_or_actions(run):
    for service in SERVICE_NAMES:
        document = policy_of(run, service)
        assert document["Version"] == "2012-10-17"
        for statement in document["Statement"]:
            assert statement["Effect"] == "Allow"
            resources = statement["Resource"]
            resources = resources if isinstance(resources, list) else [resources]
            assert all(r != "*" and r.startswith("arn:aws:") for r in resources)
            assert all(not a.endswith("*") for a in statement["Action"])


# --- permissions and the HTTP API ---------------------------------------------------------------


def test_one_invoke_permission_per_route_scoped_to_method_and_path(run):
    permissions = {p.name: p.inputs for p in run.of_type(PERMISSION)}
    assert len(permissions) == len(SERVICES)
    execution_arn = run.resolved["api"]["executionArn"]
    for service, method, path, _ in SERVICES:
        permission = permissions[f"api-{route_slug(method, path)}-invoke-permission"]
        assert permission == {
            "action": "lambda:InvokeFunction",
            "function": run.resolved[service]["name"],
            "principal": "apigateway.amazonaws.com",
            "sourceArn": f"{execution_arn}/*/{method}{path}",
        }


def test_each_route_hands_its_request_to_its_function(run, env):
    api = run.one(API)
    assert api.inputs["protocolType"] == "HTTP"
    assert api.name == "api" and "name" not in api.inputs, "the API is auto-named"
    routes = {r.inputs["routeKey"]: r for r in run.of_type(ROUTE)}
    assert sorted(routes) == sorted(f"{method} {path}" for _, method, path, _ in SERVICES)
    integrations = run.of_type(INTEGRATION)
    assert len(integrations) == len(SERVICES)  # one per function
    authorizer = run.one(AUTHORIZER)
    for service, method, path, _ in SERVICES:
        route = routes[f"{method} {path}"]
        assert route.inputs["apiId"] == run.ids["api"]
        # A token of the stack's pool on every route, with the route's scope where it has one.
        assert route.inputs["authorizationType"] == "JWT"
        assert route.inputs["authorizerId"] == run.ids[authorizer.name]
        scope = SCOPES[service]
        assert route.inputs.get("authorizationScopes") == (
            [f"aigw-orchestration/{scope}"] if scope else None
        )
        integration_name = route.inputs["target"].removeprefix("integrations/")
        [integration] = [i for i in integrations if run.ids[i.name] == integration_name]
        assert integration.inputs == {
            "apiId": run.ids["api"],
            "integrationType": "AWS_PROXY",
            "integrationMethod": "POST",
            "integrationUri": run.resolved[service]["invokeArn"],
            "payloadFormatVersion": "2.0",
            # HTTP API's maximum; the function's timeout is below it.
            "timeoutMilliseconds": 30_000,
        }
        assert run.key(service) in integration.dependencies


def test_stage_logs_access_throttles_and_waits_for_routes_and_permissions(run, env):
    stage = run.one(STAGE)
    inputs = stage.inputs
    assert stage.name == f"api-{env}"
    assert inputs["name"] == env
    assert inputs["apiId"] == run.ids["api"]
    assert inputs["autoDeploy"] is True and "deploymentId" not in inputs
    assert inputs["defaultRouteSettings"] == {
        "throttlingRateLimit": float(setting(env, "rateLimit")),
        "throttlingBurstLimit": int(setting(env, "burstLimit")),
    }
    access_logs = run.named(f"api-{env}-access-logs")
    assert "name" not in access_logs.inputs, "the access-log group is auto-named"
    assert access_logs.inputs["retentionInDays"] == int(setting(env, "logRetentionDays"))
    log = inputs["accessLogSettings"]
    assert log["destinationArn"] == run.resolved[f"api-{env}-access-logs"]["arn"]
    fields = json.loads(log["format"])
    assert fields["requestId"] == "$context.requestId"
    assert fields["status"] == "$context.status"
    for permission in run.of_type(PERMISSION):
        assert run.key(permission.name) in stage.dependencies
    for route in run.of_type(ROUTE):
        assert run.key(route.name) in stage.dependencies


# --- the bucket -------------------------------------------------------------------------------


def test_bucket_is_private_encrypted_and_versioned(run, env):
    bucket = run.one(BUCKET)
    assert bucket.name == "data"
    assert "bucket" not in bucket.inputs and "bucketPrefix" not in bucket.inputs, "auto-named"
    assert "policy" not in bucket.inputs and "acl" not in bucket.inputs
    block = run.one(PUBLIC_ACCESS_BLOCK).inputs
    assert block == {
        "bucket": run.ids["data"],
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    }
    encryption = run.one(ENCRYPTION).inputs
    assert encryption["bucket"] == run.ids["data"]
    assert encryption["rules"] == [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
    ]
    versioning = run.one(VERSIONING).inputs
    assert versioning == {
        "bucket": run.ids["data"],
        "versioningConfiguration": {"status": "Enabled"},
    }


def test_only_prod_keeps_its_data_on_destroy(run, env):
    assert run.one(BUCKET).inputs["forceDestroy"] is (env != "prod")


def test_protect_data_protects_the_bucket_and_its_parts_only(run, env, run_orchestration):
    protected = {r.name for r in run.resources if r.protect}
    assert protected == (BUCKET_PARTS if flag(setting(env, "protectData")) else set())
    asked = run_orchestration(env, {"orchestration:protectData": "true"})
    # The bucket's children inherit protect from the component.
    assert {r.name for r in asked.resources if r.protect} == BUCKET_PARTS


# --- outputs ----------------------------------------------------------------------------------


def test_outputs_give_the_url_bucket_and_routes(run):
    assert run.outputs["url"].value == run.resolved[run.one(STAGE).name]["invokeUrl"]
    assert run.outputs["bucket"].value == run.ids["data"]
    assert run.outputs["routes"].value == [f"{m} {p}" for _, m, p, _ in SERVICES]
    assert run.outputs["baseUrl"].value == run.outputs["url"].value
    access = run.outputs["access"]
    assert not access.secret and access.value["mode"] == "jwt"
    assert access.value["scopes"] == sorted(
        f"aigw-orchestration/{scope}" for scope in SCOPES.values() if scope
    )
    assert run.outputs["credentials"].secret
    assert set(run.outputs["credentials"].value["clientSecrets"]) == set(access.value["clients"])


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_timeout", "function_timeout"), [("20", "20"), ("12.5", "10"), ("28", "5")]
)
def test_model_timeout_must_be_shorter_than_the_function_timeout(
    run_orchestration, model_timeout, function_timeout
):
    overrides = {
        "orchestration:modelTimeoutS": model_timeout,
        "orchestration:functionTimeoutS": function_timeout,
    }
    with pytest.raises(ConfigError) as raised:
        run_orchestration("dev", overrides)
    assert raised.value.problems == [
        "orchestration:modelTimeoutS: must be shorter than functionTimeoutS, so a slow model "
        "gets 504."
    ]


HTTP_MODEL = '{"type": "http", "url": "https://models.example.com/invocations"}'


@pytest.mark.parametrize(
    ("model", "model_timeout", "function_timeout"),
    [
        (HTTP_MODEL, "9.5", "10"),  # one attempt
        # SageMaker through botocore: two attempts of up to 2 s connect + 3 s read, and under
        # 1 s of backoff: 11 s.
        (None, "3", "12"),
    ],
    ids=["http", "sagemaker"],
)
def test_a_model_timeout_just_under_the_function_timeout_is_accepted(
    run_orchestration, model, model_timeout, function_timeout
):
    overrides = {
        "orchestration:modelTimeoutS": model_timeout,
        "orchestration:functionTimeoutS": function_timeout,
        **({"orchestration:model": model} if model else {}),
    }
    run = run_orchestration("dev", overrides)
    for service in SERVICE_NAMES:
        inputs = run.named(service).inputs
        assert inputs["timeout"] == int(function_timeout)
        assert inputs["environment"]["variables"]["MODEL_TIMEOUT_SECONDS"] == str(
            float(model_timeout)
        )


def test_a_signed_models_two_attempts_must_end_before_the_function_does(run_orchestration):
    """A Lambda function killed at its timeout answers 502 with no reason; the model's own
    timeout (504) is only seen when every attempt botocore makes ends before it."""
    overrides = {"orchestration:modelTimeoutS": "3", "orchestration:functionTimeoutS": "11"}
    with pytest.raises(ConfigError) as raised:
        run_orchestration("dev", overrides)
    [problem] = raised.value.problems
    assert problem.startswith(
        "orchestration:modelTimeoutS: a sagemaker call may take up to 11 s (two attempts)"
    ), problem
    accepted = run_orchestration("dev", {**overrides, "orchestration:model": HTTP_MODEL})
    assert accepted.named("classifier").inputs["timeout"] == 11


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        (
            {"orchestration:model": '{"type": "http", "url": "x.example.com"}'},
            "orchestration:model",
        ),
        ({"orchestration:chatModelId": "no spaces allowed"}, "orchestration:chatModelId"),
        ({"orchestration:functionTimeoutS": "901"}, "orchestration:functionTimeoutS"),
        ({"orchestration:maxBodyBytes": "10"}, "orchestration:maxBodyBytes"),
        ({"orchestration:logRetentionDays": "2"}, "orchestration:logRetentionDays"),
        # unknown keys: refused by the stack-file reader (tests/test_stack_files.py)
    ],
)
def test_invalid_settings_are_reported_by_key(run_orchestration, overrides, problem):
    with pytest.raises(ConfigError) as raised:
        run_orchestration("staging", overrides)
    assert any(p.startswith(problem) for p in raised.value.problems), raised.value.problems


def test_every_stack_file_sets_only_known_keys():
    known = {*DEFAULTS, "model", "access"}
    for env in ENVIRONMENTS:
        config = stack_config(catalog.stack_dir(STACK), env)
        keys = {k.split(":", 1)[1] for k in config if k.startswith(f"{STACK}:")}
        assert keys <= known, keys - known
        assert {"model", "access"} <= keys
        assert Path(catalog.stack_dir(STACK) / f"Pulumi.{env}.yaml").is_file()
