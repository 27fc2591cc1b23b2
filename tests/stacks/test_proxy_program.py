"""The proxy program on Pulumi's mock runtime, once per environment: what it declares, how the
pieces point at each other, what it exports, and when API Gateway is told to redeploy."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest

from shared import catalog
from shared.ops.stack_files import stack_config

STACK = "proxy"
ENVIRONMENTS = catalog.ENVIRONMENTS

# ProxySettings' defaults, for keys an environment's file leaves out.
DEFAULTS = {
    "integrationTimeoutMs": "29000",
    "stageRateLimit": "50",
    "stageBurstLimit": "100",
    "planRateLimit": "10",
    "planBurstLimit": "20",
    "quotaLimit": "10000",
    "quotaPeriod": "DAY",
    "logRetentionDays": "7",
    "loggingLevel": "OFF",
    "metrics": "false",
    "tracing": "false",
}
TRACING = {"local": False, "dev": False, "staging": True, "prod": True}
DAYS_IN_PERIOD = {"DAY": 1, "WEEK": 7, "MONTH": 30}

REST_API = "aws:apigateway/restApi:RestApi"
RESOURCE = "aws:apigateway/resource:Resource"
METHOD = "aws:apigateway/method:Method"
MODEL = "aws:apigateway/model:Model"
VALIDATOR = "aws:apigateway/requestValidator:RequestValidator"
INTEGRATION = "aws:apigateway/integration:Integration"
DEPLOYMENT = "aws:apigateway/deployment:Deployment"
STAGE = "aws:apigateway/stage:Stage"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
USAGE_PLAN = "aws:apigateway/usagePlan:UsagePlan"
API_KEY = "aws:apigateway/apiKey:ApiKey"
USAGE_PLAN_KEY = "aws:apigateway/usagePlanKey:UsagePlanKey"
# The components the program composes (their children's parents).
COMPONENT_REST_API = "aigw:apigateway:RestApi"
COMPONENT_USAGE_PLAN = "aigw:apigateway:UsagePlan"
ONE_OF_EACH = [
    REST_API,
    RESOURCE,
    METHOD,
    MODEL,
    VALIDATOR,
    INTEGRATION,
    DEPLOYMENT,
    STAGE,
    LOG_GROUP,
    METHOD_SETTINGS,
    USAGE_PLAN,
    API_KEY,
    USAGE_PLAN_KEY,
]


@dataclass(frozen=True)
class EnvRun:
    env: str
    config: dict[str, str]  # proxy:* keys without the prefix, defaults filled in
    run: Any  # conftest.ProgramRun
    fake_outputs: Any  # conftest.fake_outputs

    def one(self, type_token: str) -> Any:
        return self.run.one(type_token)

    def id_of(self, type_token: str) -> str:
        """The physical id the mock runtime gave the one resource of this type."""
        return f"{self.one(type_token).name}-id"

    def number(self, key: str) -> float:
        return float(self.config[key])

    def flag(self, key: str) -> bool:
        return self.config[key] == "true"


def _env_config(env: str) -> dict[str, str]:
    files = stack_config(catalog.stack_dir(STACK), env)
    prefix = f"{STACK}:"
    own = {k[len(prefix) :]: v for k, v in files.items() if k.startswith(prefix)}
    return {**DEFAULTS, **own}


@pytest.fixture(scope="module")
def runs(run_program: Any, mock_outputs: Any) -> dict[str, EnvRun]:
    return {
        env: EnvRun(env, _env_config(env), run_program(STACK, env), mock_outputs)
        for env in ENVIRONMENTS
    }


@pytest.fixture(params=ENVIRONMENTS)
def env_run(request: pytest.FixtureRequest, runs: dict[str, EnvRun]) -> EnvRun:
    return runs[request.param]


def _trigger(run: Any) -> str:
    return run.one(DEPLOYMENT).inputs["triggers"]["redeployment"]


# --- every environment ----------------------------------------------------------------------


def test_every_environment_has_a_stack_file() -> None:
    assert set(ENVIRONMENTS) == {"local", "dev", "staging", "prod"}
    for env in ENVIRONMENTS:
        assert (catalog.stack_dir(STACK) / f"Pulumi.{env}.yaml").is_file()


def test_config_is_valid_and_declares_one_of_each_resource(env_run: EnvRun) -> None:
    counts = Counter(r.type for r in env_run.run.resources)
    assert counts == Counter(ONE_OF_EACH)


def test_every_resource_has_a_component_parent(env_run: EnvRun) -> None:
    for resource in env_run.run.resources:
        component_type, _, component = resource.parent.partition("::")
        assert component_type.startswith("aigw:"), f"{resource.urn} is not in a component"
        # Children are named `<component name>-<fragment>` (or the component's own name).
        assert resource.name == component or resource.name.startswith(f"{component}-")
    by_parent: dict[str, set[str]] = {}
    for resource in env_run.run.resources:
        by_parent.setdefault(resource.parent, set()).add(resource.name)
    assert by_parent.pop(f"{COMPONENT_USAGE_PLAN}::plan") == {
        "plan",
        "plan-key",
        "plan-key-subscription",
    }
    # Everything else is the REST API's.
    assert list(by_parent) == [f"{COMPONENT_REST_API}::api"]


def test_rest_api_is_regional_and_tagged(env_run: EnvRun) -> None:
    api = env_run.one(REST_API)
    assert api.name == "api"
    assert api.parent == f"{COMPONENT_REST_API}::api"
    api = api.inputs
    assert api["endpointConfiguration"] == {"types": "REGIONAL"}
    assert "name" not in api, "the API is auto-named"
    assert api["tags"]["project"] == STACK
    assert api["tags"]["environment"] == env_run.env


def test_predict_resource_hangs_off_the_api_root(env_run: EnvRun) -> None:
    api = env_run.one(REST_API)
    predict = env_run.one(RESOURCE)
    assert predict.inputs["pathPart"] == "predict"
    assert predict.inputs["restApi"] == env_run.id_of(REST_API)
    assert predict.inputs["parentId"] == env_run.fake_outputs(api)["rootResourceId"]


def test_post_method_requires_a_key_and_a_valid_body(env_run: EnvRun) -> None:
    method = env_run.one(METHOD)
    model = env_run.one(MODEL)
    validator = env_run.one(VALIDATOR)
    assert method.inputs["httpMethod"] == "POST"
    assert method.inputs["apiKeyRequired"] is True
    assert method.inputs["resourceId"] == env_run.id_of(RESOURCE)
    assert method.inputs["requestValidatorId"] == env_run.id_of(VALIDATOR)
    assert method.inputs["requestModels"] == {"application/json": model.inputs["name"]}
    assert re.fullmatch(r"[A-Za-z0-9]+", model.inputs["name"]), "model names are alphanumeric"
    # A fixed name: a replacement must delete the old model first.
    assert model.delete_before_replace is True
    assert model.inputs["contentType"] == "application/json"
    assert validator.inputs["validateRequestBody"] is True
    assert "name" not in validator.inputs, "the validator is auto-named"
    assert {model.urn, validator.urn, env_run.one(RESOURCE).urn} <= method.dependencies


VALID_BODIES = [
    {"inputs": "I love this product"},
    {"inputs": ["great", "awful"]},
    {"inputs": "so-so", "parameters": {}},
    {"inputs": ["fine"], "parameters": {"top_k": 2, "return_all_scores": True}},
]
INVALID_BODIES = [
    {},
    {"parameters": {"top_k": 1}},
    {"inputs": ""},
    {"inputs": []},
    {"inputs": 42},
    {"inputs": ["ok", 3]},
    {"inputs": [""]},
    {"inputs": ["x"] * 65},
    {"inputs": "hi", "parameters": "top_k=1"},
    {"inputs": "hi", "model": "other"},
    {"text": "hi"},
    ["hi"],
    "hi",
]


def test_body_model_accepts_the_inference_convention_only(env_run: EnvRun) -> None:
    jsonschema = pytest.importorskip(
        "jsonschema", reason="jsonschema (a check-jsonschema dependency) is not installed"
    )
    schema = json.loads(env_run.one(MODEL).inputs["schema"])
    # API Gateway models are JSON Schema draft 4.
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    jsonschema.Draft4Validator.check_schema(schema)
    validator = jsonschema.Draft4Validator(schema)
    for body in VALID_BODIES:
        assert validator.is_valid(body), f"rejected a valid body: {body!r}"
    for body in INVALID_BODIES:
        assert not validator.is_valid(body), f"accepted an invalid body: {body!r}"


def test_integration_proxies_to_the_model_endpoint(env_run: EnvRun) -> None:
    integration = env_run.one(INTEGRATION)
    inputs = integration.inputs
    assert inputs["type"] == "HTTP_PROXY"
    assert inputs["integrationHttpMethod"] == "POST"
    assert inputs["httpMethod"] == "POST"
    assert inputs["uri"] == env_run.config["modelEndpoint"]
    assert inputs["timeoutMilliseconds"] == env_run.number("integrationTimeoutMs")
    assert inputs["resourceId"] == env_run.id_of(RESOURCE)
    assert env_run.one(METHOD).urn in integration.dependencies


def test_deployment_waits_for_the_route_and_carries_a_trigger(env_run: EnvRun) -> None:
    deployment = env_run.one(DEPLOYMENT)
    assert deployment.inputs["restApi"] == env_run.id_of(REST_API)
    assert re.fullmatch(r"[0-9a-f]{64}", deployment.inputs["triggers"]["redeployment"])
    # Without these the deployment can be created before the route exists (an empty API).
    assert env_run.one(METHOD).urn in deployment.dependencies
    assert env_run.one(INTEGRATION).urn in deployment.dependencies
    assert f"{METHOD}::api-post-predict" in deployment.dependencies
    assert f"{INTEGRATION}::api-post-predict-integration" in deployment.dependencies


def test_stage_is_named_after_the_env_with_access_logs_and_tracing(env_run: EnvRun) -> None:
    stage = env_run.one(STAGE)
    log_group = env_run.one(LOG_GROUP)
    inputs = stage.inputs
    assert inputs["stageName"] == env_run.env
    assert inputs["restApi"] == env_run.id_of(REST_API)
    assert inputs["deployment"] == env_run.id_of(DEPLOYMENT)
    assert env_run.one(DEPLOYMENT).urn in stage.dependencies
    access = inputs["accessLogSettings"]
    assert access["destinationArn"] == env_run.fake_outputs(log_group)["arn"]
    fields = json.loads(access["format"])  # one JSON object per request
    assert {"requestId", "status", "apiKeyId"} <= set(fields)
    assert all(value.startswith("$context.") for value in fields.values())
    assert inputs["xrayTracingEnabled"] is TRACING[env_run.env]
    assert inputs["xrayTracingEnabled"] is env_run.flag("tracing")
    assert inputs["tags"]["environment"] == env_run.env


def test_log_group_keeps_logs_as_configured(env_run: EnvRun) -> None:
    log_group = env_run.one(LOG_GROUP)
    # The stage's own access-log group, auto-named after its logical name.
    assert log_group.name == f"api-{env_run.env}-access-logs"
    assert log_group.inputs["retentionInDays"] == env_run.number("logRetentionDays")
    assert "name" not in log_group.inputs, "the access-log group is auto-named"


def test_method_settings_throttle_every_method_of_the_stage(env_run: EnvRun) -> None:
    method_settings = env_run.one(METHOD_SETTINGS)
    inputs = method_settings.inputs
    assert inputs["methodPath"] == "*/*"
    assert inputs["stageName"] == env_run.env
    assert env_run.one(STAGE).urn in method_settings.dependencies
    settings = inputs["settings"]
    assert settings["throttlingRateLimit"] == env_run.number("stageRateLimit")
    assert settings["throttlingBurstLimit"] == env_run.number("stageBurstLimit")
    assert settings["loggingLevel"] == env_run.config["loggingLevel"]
    assert settings["metricsEnabled"] is env_run.flag("metrics")


def test_usage_plan_covers_the_stage_with_throttle_and_quota(env_run: EnvRun) -> None:
    plan = env_run.one(USAGE_PLAN)
    inputs = plan.inputs
    assert "name" not in inputs, "the usage plan is auto-named"
    assert inputs["apiStages"] == [{"apiId": env_run.id_of(REST_API), "stage": env_run.env}]
    # Referencing the stage's output orders the plan after the stage.
    assert env_run.one(STAGE).urn in plan.dependencies
    assert inputs["throttleSettings"] == {
        "rateLimit": env_run.number("planRateLimit"),
        "burstLimit": env_run.number("planBurstLimit"),
    }
    assert inputs["quotaSettings"] == {
        "limit": env_run.number("quotaLimit"),
        "period": env_run.config["quotaPeriod"],
    }


def test_api_key_is_subscribed_to_the_plan(env_run: EnvRun) -> None:
    key = env_run.one(API_KEY)
    link = env_run.one(USAGE_PLAN_KEY)
    assert (key.name, link.name) == ("plan-key", "plan-key-subscription")
    assert key.inputs["enabled"] is True
    assert "name" not in key.inputs, "the API key is auto-named"
    assert link.inputs == {
        "keyId": env_run.id_of(API_KEY),
        "keyType": "API_KEY",
        "usagePlanId": env_run.id_of(USAGE_PLAN),
    }
    assert {key.urn, env_run.one(USAGE_PLAN).urn} <= link.dependencies


def test_outputs_url_key_id_and_secret_key(env_run: EnvRun) -> None:
    outputs = env_run.run.outputs
    assert set(outputs) == {"url", "apiKeyId", "apiKey"}
    url = outputs["url"]
    assert url.known and not url.secret
    assert url.value.endswith("/predict")
    assert url.value == env_run.fake_outputs(env_run.one(STAGE))["invokeUrl"] + "/predict"
    assert outputs["apiKeyId"].value == env_run.id_of(API_KEY)
    assert not outputs["apiKeyId"].secret
    assert outputs["apiKey"].secret is True
    assert outputs["apiKey"].value == env_run.fake_outputs(env_run.one(API_KEY))["value"]


# --- redeployment trigger -------------------------------------------------------------------


def test_trigger_is_stable_for_the_same_config(run_program: Any, runs: dict[str, EnvRun]) -> None:
    assert _trigger(run_program(STACK, "dev")) == _trigger(runs["dev"].run)


@pytest.mark.parametrize(
    "overrides",
    [
        {"proxy:modelEndpoint": "https://other-model.example.com/invocations"},
        {"proxy:integrationTimeoutMs": "1000"},
    ],
    ids=["model-endpoint", "integration-timeout"],
)
def test_trigger_changes_with_the_route(
    run_program: Any, runs: dict[str, EnvRun], overrides: dict[str, str]
) -> None:
    changed = run_program(STACK, "dev", overrides)
    key, value = next(iter(overrides.items()))
    integration = changed.one(INTEGRATION).inputs
    assert value in (integration["uri"], str(int(integration["timeoutMilliseconds"])))
    assert _trigger(changed) != _trigger(runs["dev"].run)


@pytest.mark.parametrize(
    "overrides",
    [
        {"proxy:planRateLimit": "7"},
        {"proxy:stageBurstLimit": "77"},
        {"proxy:quotaLimit": "123", "proxy:quotaPeriod": "WEEK"},
        {"proxy:tracing": "true", "proxy:logRetentionDays": "90"},
    ],
    ids=["plan-rate", "stage-burst", "quota", "tracing-and-retention"],
)
def test_trigger_ignores_settings_outside_the_route(
    run_program: Any, runs: dict[str, EnvRun], overrides: dict[str, str]
) -> None:
    unchanged = run_program(STACK, "dev", overrides)
    assert unchanged.resources != runs["dev"].run.resources, "the override took effect"
    assert _trigger(unchanged) == _trigger(runs["dev"].run)


# --- environments differ sensibly -----------------------------------------------------------


def test_prod_allows_more_traffic_than_dev(runs: dict[str, EnvRun]) -> None:
    dev, prod = runs["dev"], runs["prod"]

    def plan(run: EnvRun) -> dict[str, Any]:
        return run.one(USAGE_PLAN).inputs

    def stage_throttle(run: EnvRun) -> dict[str, Any]:
        return run.one(METHOD_SETTINGS).inputs["settings"]

    assert plan(prod)["throttleSettings"]["rateLimit"] > plan(dev)["throttleSettings"]["rateLimit"]
    assert (
        plan(prod)["throttleSettings"]["burstLimit"] > plan(dev)["throttleSettings"]["burstLimit"]
    )

    def daily_quota(run: EnvRun) -> float:
        quota = plan(run)["quotaSettings"]
        return quota["limit"] / DAYS_IN_PERIOD[quota["period"]]

    assert daily_quota(prod) > daily_quota(dev)
    for limit in ("throttlingRateLimit", "throttlingBurstLimit"):
        assert stage_throttle(prod)[limit] > stage_throttle(dev)[limit]


def test_log_retention_grows_towards_prod(runs: dict[str, EnvRun]) -> None:
    retention = [runs[env].one(LOG_GROUP).inputs["retentionInDays"] for env in ENVIRONMENTS]
    assert retention == sorted(retention), dict(zip(ENVIRONMENTS, retention, strict=True))
    assert (
        runs["prod"].one(LOG_GROUP).inputs["retentionInDays"]
        > (runs["dev"].one(LOG_GROUP).inputs["retentionInDays"])
    )


def test_each_environment_has_its_own_model_endpoint(runs: dict[str, EnvRun]) -> None:
    uris = {env: runs[env].one(INTEGRATION).inputs["uri"] for env in ENVIRONMENTS}
    assert len(set(uris.values())) == len(ENVIRONMENTS)
    assert uris["local"].startswith("http://127.0.0.1:")
    for env in ("dev", "staging", "prod"):
        assert uris[env].startswith("https://"), f"{env} talks to its model in clear text"
    # Different endpoints, so each environment has its own deployment trigger.
    assert len({_trigger(runs[env].run) for env in ENVIRONMENTS}) == len(ENVIRONMENTS)
