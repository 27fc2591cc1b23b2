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
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
METHOD_RESPONSE = "aws:apigateway/methodResponse:MethodResponse"
INTEGRATION_RESPONSE = "aws:apigateway/integrationResponse:IntegrationResponse"
# The components the program composes (their children's parents).
COMPONENT_REST_API = "aigw:apigateway:RestApi"
COMPONENT_USAGE_PLANS = "aigw:apigateway:UsagePlans"
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
]
# The statuses a signed model integration (SageMaker, Bedrock) declares: success and the
# API's error contract.
MODEL_STATUSES = ("200", "400", "413", "429", "502", "504")


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

    def mapping(self, key: str) -> dict[str, Any]:
        """A YAML mapping setting (`model`, `access`), as the program reads it."""
        value = json.loads(self.config[key])
        assert isinstance(value, dict)
        return value

    @property
    def model(self) -> dict[str, Any]:
        return self.mapping("model")

    @property
    def access(self) -> dict[str, Any]:
        return self.mapping("access")

    @property
    def signed(self) -> bool:
        """API Gateway calls the model itself (an `AWS` integration) rather than an HTTP URL."""
        return self.model["type"] != "http"


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


def access_log_group(run: Any) -> Any:
    """The stage's access log group (execution logging adds a second group)."""
    [group] = [g for g in run.of_type(LOG_GROUP) if g.name.endswith("-access-logs")]
    return group


def _trigger(run: Any) -> str:
    return run.one(DEPLOYMENT).inputs["triggers"]["redeployment"]


# --- every environment ----------------------------------------------------------------------


def test_every_environment_has_a_stack_file() -> None:
    assert set(ENVIRONMENTS) == {"local", "dev", "staging", "prod"}
    for env in ENVIRONMENTS:
        assert (catalog.stack_dir(STACK) / f"Pulumi.{env}.yaml").is_file()


def test_config_is_valid_and_declares_one_of_each_resource(env_run: EnvRun) -> None:
    counts = Counter(r.type for r in env_run.run.resources)
    access = env_run.access
    assert access["mode"] == "api_key"
    expected = Counter(ONE_OF_EACH)
    # One usage plan per tier; one key per client, subscribed to its tier's plan.
    expected[USAGE_PLAN] = len(access["tiers"])
    expected[API_KEY] = expected[USAGE_PLAN_KEY] = len(access["clients"])
    if env_run.signed:  # the integration's own role, and a response per status of the contract
        expected.update({ROLE: 1, ROLE_POLICY: 1})
        expected[METHOD_RESPONSE] = expected[INTEGRATION_RESPONSE] = len(MODEL_STATUSES)
    if env_run.config.get("loggingLevel", "OFF") != "OFF":
        expected[LOG_GROUP] += 1  # the execution log group, made before API Gateway would
    assert counts == expected


def test_every_resource_has_a_component_parent(env_run: EnvRun) -> None:
    for resource in env_run.run.resources:
        component_type, _, component = resource.parent.partition("::")
        assert component_type.startswith("aigw:"), f"{resource.urn} is not in a component"
        # Children are named `<component name>-<fragment>` (or the component's own name).
        assert resource.name == component or resource.name.startswith(f"{component}-")
    by_parent: dict[str, set[str]] = {}
    for resource in env_run.run.resources:
        by_parent.setdefault(resource.parent, set()).add(resource.name)
    access = env_run.access
    assert by_parent.pop(f"{COMPONENT_USAGE_PLANS}::api-plans") == {
        *(f"api-plans-{tier}" for tier in access["tiers"]),
        *(f"api-plans-{c['name']}-key" for c in access["clients"]),
        *(f"api-plans-{c['name']}-subscription" for c in access["clients"]),
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
    model = env_run.model
    if model["type"] == "http":
        assert inputs["type"] == "HTTP_PROXY"
        assert inputs["uri"] == model["url"]
    else:  # signed by API Gateway (tests/stacks/test_access_programs.py checks the rest)
        assert inputs["type"] == "AWS"
        assert inputs["uri"].endswith(
            f"endpoints/{model['endpoint']}/invocations"
            if model["type"] == "sagemaker"
            else f"model/{model['modelId']}/converse"
        )
    assert inputs["integrationHttpMethod"] == "POST"
    assert inputs["httpMethod"] == "POST"
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
    log_group = access_log_group(env_run.run)
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
    log_group = access_log_group(env_run.run)
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


def test_one_usage_plan_per_tier_covers_the_stage_with_its_throttle_and_quota(
    env_run: EnvRun,
) -> None:
    tiers = env_run.access["tiers"]
    plans = {plan.name: plan for plan in env_run.run.of_type(USAGE_PLAN)}
    assert set(plans) == {f"api-plans-{tier}" for tier in tiers}
    for tier, limits in tiers.items():
        plan = plans[f"api-plans-{tier}"]
        inputs = plan.inputs
        assert "name" not in inputs, "the usage plan is auto-named"
        assert inputs["tags"]["tier"] == tier
        assert inputs["apiStages"] == [{"apiId": env_run.id_of(REST_API), "stage": env_run.env}]
        # Referencing the stage's output orders the plan after the stage.
        assert env_run.one(STAGE).urn in plan.dependencies
        assert inputs["throttleSettings"] == {
            "rateLimit": limits["rateLimit"],
            "burstLimit": limits["burstLimit"],
        }
        assert inputs["quotaSettings"] == {"limit": limits["quota"], "period": limits["period"]}


def test_one_api_key_per_client_is_subscribed_to_its_tiers_plan(env_run: EnvRun) -> None:
    clients = env_run.access["clients"]
    keys = {key.name: key for key in env_run.run.of_type(API_KEY)}
    links = {link.name: link for link in env_run.run.of_type(USAGE_PLAN_KEY)}
    assert set(keys) == {f"api-plans-{c['name']}-key" for c in clients}
    assert set(links) == {f"api-plans-{c['name']}-subscription" for c in clients}
    for client in clients:
        key = keys[f"api-plans-{client['name']}-key"]
        link = links[f"api-plans-{client['name']}-subscription"]
        plan = env_run.run.named(f"api-plans-{client['tier']}")
        assert key.inputs["enabled"] is client.get("enabled", True)
        assert key.inputs["tags"]["client"] == client["name"]
        assert "name" not in key.inputs, "the API key is auto-named"
        assert link.inputs == {
            "keyId": f"{key.name}-id",
            "keyType": "API_KEY",
            "usagePlanId": f"{plan.name}-id",
        }
        assert {key.urn, plan.urn} <= link.dependencies


def test_a_disabled_clients_key_exists_but_is_refused(run_program: Any) -> None:
    """API Gateway answers 403 to a key whose `enabled` is false: a client is cut off by
    config without losing its key (turned on again, it works with the same value)."""
    access = json.loads(_env_config("dev")["access"])
    access["clients"].append({"name": "retired", "tier": "standard", "enabled": False})
    run = run_program(STACK, "dev", {"proxy:access": json.dumps(access)})
    keys = {key.name: key.inputs for key in run.of_type(API_KEY)}
    assert keys["api-plans-retired-key"]["enabled"] is False
    assert keys["api-plans-web-key"]["enabled"] is True
    link = run.named("api-plans-retired-subscription").inputs
    assert link["usagePlanId"] == "api-plans-standard-id"
    assert run.outputs["access"].value["clients"]["retired"] == {
        "tier": "standard",
        "enabled": False,
    }


def test_outputs_url_access_credentials_and_the_first_clients_key(env_run: EnvRun) -> None:
    outputs = env_run.run.outputs
    assert set(outputs) == {"url", "baseUrl", "access", "credentials", "apiKeyId", "apiKey"}
    url, base = outputs["url"], outputs["baseUrl"]
    assert url.known and not url.secret and not base.secret
    assert base.value == env_run.fake_outputs(env_run.one(STAGE))["invokeUrl"]
    assert url.value == base.value + "/predict"
    clients = env_run.access["clients"]
    first = next(c["name"] for c in clients if c.get("enabled", True))
    assert outputs["apiKeyId"].value == f"api-plans-{first}-key-id"
    assert not outputs["apiKeyId"].secret
    key_value = env_run.fake_outputs(env_run.run.named(f"api-plans-{first}-key"))["value"]
    assert outputs["apiKey"].secret is True
    assert outputs["apiKey"].value == key_value
    # What `invoke call` reads: the mode and each client's tier (plain), the keys (secret).
    access = outputs["access"]
    assert not access.secret
    assert access.value["mode"] == "api_key"
    assert access.value["clients"] == {
        c["name"]: {"tier": c["tier"], "enabled": c.get("enabled", True)} for c in clients
    }
    credentials = outputs["credentials"]
    assert credentials.secret is True
    assert set(credentials.value) == {"apiKeys"}
    assert set(credentials.value["apiKeys"]) == {c["name"] for c in clients}


# --- redeployment trigger -------------------------------------------------------------------


def test_trigger_is_stable_for_the_same_config(run_program: Any, runs: dict[str, EnvRun]) -> None:
    assert _trigger(run_program(STACK, "dev")) == _trigger(runs["dev"].run)


@pytest.mark.parametrize(
    "overrides",
    [
        {"proxy:model": json.dumps({"type": "sagemaker", "endpoint": "other-model"})},
        {"proxy:model": json.dumps({"type": "bedrock", "modelId": "amazon.nova-micro-v1:0"})},
        {"proxy:model": json.dumps({"type": "http", "url": "https://other.example.com/inv"})},
        {"proxy:integrationTimeoutMs": "1000"},
        {"proxy:access": json.dumps({"mode": "iam"})},
    ],
    ids=["sagemaker-endpoint", "bedrock-model", "http-model", "integration-timeout", "access"],
)
def test_trigger_changes_with_the_route(
    run_program: Any, runs: dict[str, EnvRun], overrides: dict[str, str]
) -> None:
    changed = run_program(STACK, "dev", overrides)
    integration = changed.one(INTEGRATION).inputs
    method = changed.one(METHOD).inputs
    assert (integration, method) != (
        runs["dev"].one(INTEGRATION).inputs,
        runs["dev"].one(METHOD).inputs,
    ), "the override took effect"
    assert _trigger(changed) != _trigger(runs["dev"].run)


def _with_tier(env: str, tier: str, **limits: Any) -> dict[str, str]:
    """Overrides of `env`'s access setting with one tier's limits changed."""
    access = json.loads(_env_config(env)["access"])
    access["tiers"][tier].update(limits)
    return {"proxy:access": json.dumps(access)}


@pytest.mark.parametrize(
    "overrides",
    [
        _with_tier("dev", "standard", rateLimit=7),
        {"proxy:stageBurstLimit": "77"},
        _with_tier("dev", "partner", quota=123, period="WEEK"),
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

    def plan(run: EnvRun, tier: str) -> dict[str, Any]:  # each tier is compared with itself
        return run.run.named(f"api-plans-{tier}").inputs

    def stage_throttle(run: EnvRun) -> dict[str, Any]:
        return run.one(METHOD_SETTINGS).inputs["settings"]

    def daily_quota(run: EnvRun, tier: str) -> float:
        quota = plan(run, tier)["quotaSettings"]
        return quota["limit"] / DAYS_IN_PERIOD[quota["period"]]

    assert set(dev.access["tiers"]) == set(prod.access["tiers"])
    for tier in dev.access["tiers"]:
        for limit in ("rateLimit", "burstLimit"):
            prod_limit = plan(prod, tier)["throttleSettings"][limit]
            assert prod_limit > plan(dev, tier)["throttleSettings"][limit], (tier, limit)
        assert daily_quota(prod, tier) > daily_quota(dev, tier), tier
    for limit in ("throttlingRateLimit", "throttlingBurstLimit"):
        assert stage_throttle(prod)[limit] > stage_throttle(dev)[limit]


def test_log_retention_grows_towards_prod(runs: dict[str, EnvRun]) -> None:
    retention = [access_log_group(runs[env].run).inputs["retentionInDays"] for env in ENVIRONMENTS]
    assert retention == sorted(retention), dict(zip(ENVIRONMENTS, retention, strict=True))
    assert (
        access_log_group(runs["prod"].run).inputs["retentionInDays"]
        > (access_log_group(runs["dev"].run).inputs["retentionInDays"])
    )


def test_each_environment_has_its_own_model_endpoint(runs: dict[str, EnvRun]) -> None:
    uris = {env: runs[env].one(INTEGRATION).inputs["uri"] for env in ENVIRONMENTS}
    assert len(set(uris.values())) == len(ENVIRONMENTS)
    assert uris["local"].startswith("http://127.0.0.1:")
    for env in ("dev", "staging", "prod"):
        # Signed by API Gateway (an `AWS` integration) or an https URL: never clear text.
        assert uris[env].startswith(("arn:aws:apigateway:", "https://")), (
            f"{env} talks to its model in clear text"
        )
    # Different endpoints, so each environment has its own deployment trigger.
    assert len({_trigger(runs[env].run) for env in ENVIRONMENTS}) == len(ENVIRONMENTS)
