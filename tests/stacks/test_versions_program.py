"""The versions program on Pulumi's mock runtime, for every environment."""

from __future__ import annotations

import json

import pytest

from shared import catalog
from shared.components.config import ConfigError
from shared.ops.stack_files import stack_config

STAGE = "aws:apigatewayv2/stage:Stage"
INTEGRATION = "aws:apigatewayv2/integration:Integration"
ROUTE = "aws:apigatewayv2/route:Route"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
API = "aws:apigatewayv2/api:Api"
AUTHORIZER = "aws:apigatewayv2/authorizer:Authorizer"
COMPONENT_HTTP_API = "aigw:apigatewayv2:HttpApi"
COMPONENT_ISSUER = "aigw:cognito:ClientCredentialsIssuer"


def access_of(env):
    return json.loads(stack_config(catalog.stack_dir("versions"), env)["versions:access"])


@pytest.fixture(params=catalog.ENVIRONMENTS)
def env_run(request, run_program):
    return request.param, run_program("versions", request.param)


def test_one_stage_per_version_plus_live(env_run):
    env, run = env_run
    names = sorted(s.inputs["name"] for s in run.of_type(STAGE))
    assert names == ["live", "v1", "v2"]


def test_every_resource_has_a_component_parent(env_run):
    _, run = env_run
    for resource in run.resources:
        component_type, _, component = resource.parent.partition("::")
        assert component_type.startswith("aigw:"), f"{resource.urn} is not in a component"
        assert resource.name == component or resource.name.startswith(f"{component}-")
    # One HTTP API component holds everything but the token issuer (the stack's own Cognito
    # pool, jwt access); the API itself is auto-named.
    by_parent: dict[str, set[str]] = {}
    for resource in run.resources:
        by_parent.setdefault(resource.parent, set()).add(resource.name)
    clients = [c["name"] for c in access_of(env_run[0])["clients"]]
    assert by_parent.pop(f"{COMPONENT_ISSUER}::api-callers") == {
        "api-callers-pool",
        "api-callers-resource-server",
        "api-callers-domain",
        *(f"api-callers-{name}" for name in clients),
    }
    assert set(by_parent) == {f"{COMPONENT_HTTP_API}::api"}
    assert "api-jwt-authorizer" in by_parent[f"{COMPONENT_HTTP_API}::api"]
    assert run.one(API).name == "api" and "name" not in run.one(API).inputs
    assert {s.name for s in run.of_type(STAGE)} == {
        f"api-{s.inputs['name']}" for s in run.of_type(STAGE)
    }


def test_the_integration_really_uses_the_stage_variables(env_run):
    """AWS rule (API Gateway stage variables reference): in an HTTP integration URI a stage
    variable stands for part of the URL after a literal scheme, `http://${stageVariables.x}`;
    a URI that is nothing but a variable is not a documented form."""
    env, run = env_run
    integration = run.one(INTEGRATION)
    assert integration.inputs["integrationType"] == "HTTP_PROXY"
    scheme = "http" if env == "local" else "https"
    assert integration.inputs["integrationUri"] == f"{scheme}://${{stageVariables.modelEndpoint}}"
    for stage in run.of_type(STAGE):
        assert "://" not in stage.inputs["stageVariables"]["modelEndpoint"]
    route = run.one(ROUTE)
    assert route.inputs["routeKey"] == "POST /predict"
    assert route.inputs["target"] == "integrations/api-post-predict-integration-id"


def test_the_route_asks_every_stage_for_a_token_with_the_predict_scope(env_run):
    """One route serves every stage, so one JWT authorizer guards every version: a token
    from the stack's own pool, carrying `aigw-versions/predict`."""
    env, run = env_run
    assert access_of(env)["mode"] == "jwt"
    route, authorizer = run.one(ROUTE).inputs, run.one(AUTHORIZER)
    assert route["authorizationType"] == "JWT"
    assert route["authorizerId"] == f"{authorizer.name}-id"
    assert route["authorizationScopes"] == ["aigw-versions/predict"]
    assert authorizer.inputs["authorizerType"] == "JWT"
    assert authorizer.inputs["identitySources"] == ["$request.header.Authorization"]


def test_each_stage_points_at_its_own_model(env_run):
    env, run = env_run
    stages = {s.inputs["name"]: s.inputs for s in run.of_type(STAGE)}
    live = stages["live"]["stageVariables"]["modelVersion"]
    assert live in ("v1", "v2")
    for version in ("v1", "v2"):
        variables = stages[version]["stageVariables"]
        assert variables["modelVersion"] == version
        assert f"{version}" in variables["modelEndpoint"]
    assert (
        stages["live"]["stageVariables"]["modelEndpoint"]
        == stages[live]["stageVariables"]["modelEndpoint"]
    )
    config = stack_config(catalog.stack_dir("versions"), env)
    versions = json.loads(config["versions:modelVersions"])
    for version, url in versions.items():
        # The variable is the configured URL after its scheme.
        assert (
            url
            == f"{'http' if env == 'local' else 'https'}://"
            + (stages[version]["stageVariables"]["modelEndpoint"])
        )


def test_versions_on_different_schemes_are_refused(run_program):
    """One integration URI writes the scheme literally, so every version shares it."""
    with pytest.raises(
        ConfigError, match="modelVersions: every version's endpoint must use the same scheme"
    ):
        run_program(
            "versions",
            "local",
            {
                "versions:modelVersions": json.dumps(
                    {"v1": "http://127.0.0.1:8080/v1/invocations", "v2": "https://m.test/v2"}
                )
            },
        )


def test_every_stage_has_access_logging_and_route_throttling(env_run):
    _, run = env_run
    log_arns = {g.name: g for g in run.of_type(LOG_GROUP)}
    for stage in run.of_type(STAGE):
        inputs = stage.inputs
        assert inputs["autoDeploy"] is True and "deploymentId" not in inputs
        settings = inputs["defaultRouteSettings"]
        assert settings["throttlingRateLimit"] > 0 and settings["throttlingBurstLimit"] >= 1
        log = inputs["accessLogSettings"]
        assert json.loads(log["format"])["requestId"] == "$context.requestId"
        assert f"api-{inputs['name']}-access-logs" in log_arns
        assert "name" not in log_arns[f"api-{inputs['name']}-access-logs"].inputs, "auto-named"
        assert log["destinationArn"].endswith(f"api-{inputs['name']}-access-logs")
        assert "api-post-predict" in {d.split("::")[-1] for d in stage.dependencies}


def test_outputs_give_every_stage_url(env_run):
    _, run = env_run
    urls = run.outputs["stageUrls"].value
    assert set(urls) == {"v1", "v2", "live"}
    assert all(url.endswith("/predict") for url in urls.values())
    assert run.outputs["url"].value == urls["live"]
    # `invoke call --path=/v2/predict` appends the path to the API's endpoint.
    assert run.outputs["baseUrl"].value == run.outputs["apiEndpoint"].value
    access = run.outputs["access"]
    assert not access.secret and access.value["mode"] == "jwt"
    assert access.value["scopes"] == ["aigw-versions/predict"]
    assert run.outputs["credentials"].secret
    assert set(run.outputs["credentials"].value["clientSecrets"]) == set(access.value["clients"])


def test_switching_live_is_a_config_change(run_program):
    first = run_program("versions", "local", {"versions:liveVersion": "v1"})
    second = run_program("versions", "local", {"versions:liveVersion": "v2"})

    def live(run):
        stage = next(s for s in run.of_type(STAGE) if s.inputs["name"] == "live")
        return stage.inputs["stageVariables"]["modelVersion"]

    assert (live(first), live(second)) == ("v1", "v2")
    assert first.outputs["liveVersion"].value == "v1"
    assert second.outputs["liveVersion"].value == "v2"


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"versions:liveVersion": "v9"}, "versions:liveVersion: 'v9' is not one of v1, v2"),
        (
            {"versions:modelVersions": '{"v1": "not a url"}', "versions:liveVersion": "v1"},
            "versions:modelVersions.v1: expected an http(s) URL",
        ),
        (
            {"versions:modelVersions": '{"live": "http://x/y"}', "versions:liveVersion": "live"},
            "'live' is not a usable stage name",
        ),
        ({"versions:modelVersions": "[1, 2]"}, "versions:modelVersions: expected a mapping"),
    ],
)
def test_invalid_versions_are_reported_by_key(run_program, overrides, problem):
    with pytest.raises(ConfigError) as raised:
        run_program("versions", "local", overrides)
    assert problem in str(raised.value)
