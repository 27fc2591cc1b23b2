"""What the components refuse before any resource exists: a caller's argument that would bring
back a fixed physical name or fight what the component manages, and routes whose logical names
would collide."""

from __future__ import annotations

import pytest

from shared.components import (
    Access,
    HttpApi,
    HttpApiArgs,
    HttpTarget,
    ModelBackend,
    ModelTarget,
    RestApi,
    RestApiArgs,
    Route,
    Stage,
    Throttle,
    naming,
)
from shared.components.access import Client, Tier
from shared.components.api import Quota
from shared.components.identity import ClientCredentialsIssuer, ClientCredentialsIssuerArgs
from shared.components.usage_plan import UsagePlans, UsagePlansArgs

STAGE = Stage("dev", Throttle(10, 20), 7)
MODEL = HttpTarget("https://model.example.com/invocations")
SIGNED = Access("iam")


def test_a_physical_name_in_extra_arguments_is_refused() -> None:
    with pytest.raises(ValueError, match="name: the resource is auto-named"):
        naming.merged("aigw:lambda:Function", {}, {"name": "fixed"}, {})


def test_what_a_component_manages_itself_is_refused_with_its_reason() -> None:
    with pytest.raises(ValueError, match="versioning: managed by the component"):
        naming.merged(
            "aigw:s3:PrivateBucket",
            {},
            {"versioning": {"enabled": False}},
            {},
            auto_named=("bucket",),
            refused={"versioning": "managed by the component as its own resource"},
        )


def test_every_refusal_is_listed_at_once() -> None:
    with pytest.raises(ValueError) as raised:
        naming.merged("t", {}, {"name": "x", "role": "y"}, {"role": "mine"})
    assert "role cannot be set by the caller" in str(raised.value)
    assert "name: the resource is auto-named" in str(raised.value)


@pytest.mark.parametrize(
    "paths",
    [["/a-b", "/a/b"], ["/items/{id}", "/items/id"]],
    ids=["dash against slash", "parameter against literal"],
)
def test_paths_whose_logical_names_collide_are_refused(paths: list[str]) -> None:
    routes = [Route("POST", path, MODEL) for path in paths]
    with pytest.raises(ValueError, match="paths not only in '/' against '-'"):
        RestApi("api", RestApiArgs(routes=routes, stage=STAGE, access=SIGNED))


def test_a_route_listed_twice_is_refused() -> None:
    routes = [Route("GET", "/health", MODEL), Route("GET", "/health", MODEL)]
    with pytest.raises(ValueError, match="a route is listed twice"):
        HttpApi("api", HttpApiArgs(routes=routes, stages=[STAGE], access=SIGNED))


def test_http_apis_refuse_what_only_rest_apis_have() -> None:
    with pytest.raises(ValueError, match="HTTP APIs have no body models"):
        HttpApi(
            "api",
            HttpApiArgs(
                routes=[Route("POST", "/p", MODEL, body_schema={"type": "object"})],
                stages=[STAGE],
                access=SIGNED,
            ),
        )
    with pytest.raises(ValueError, match="no X-Ray"):
        HttpApi(
            "api",
            HttpApiArgs(
                routes=[Route("POST", "/p", MODEL)],
                stages=[Stage("dev", Throttle(1, 1), 7, tracing=True)],
                access=SIGNED,
            ),
        )
    # AWS: an HTTP API has no usage plans (so no API keys) and no Cognito user-pool authorizer
    # type; it has JWT authorizers instead.
    for mode in ("api_key", "cognito"):
        with pytest.raises(ValueError, match=f"an HTTP API has no access mode '{mode}'"):
            HttpApi(
                "api",
                HttpApiArgs(
                    routes=[Route("POST", "/p", MODEL)], stages=[STAGE], access=Access(mode)
                ),
            )


def test_http_apis_refuse_a_signed_model_integration() -> None:
    """AWS: an HTTP API integration cannot sign a request (no `credentials` for SageMaker or
    Bedrock); the model is called from a function or a REST API instead."""
    target = ModelTarget(ModelBackend("sagemaker", endpoint="sentiment"))
    with pytest.raises(ValueError, match="cannot sign a request to SageMaker or Bedrock"):
        HttpApi(
            "api",
            HttpApiArgs(routes=[Route("POST", "/p", target)], stages=[STAGE], access=SIGNED),
        )


def test_rest_apis_refuse_a_jwt_authorizer() -> None:
    with pytest.raises(ValueError, match="a REST API has no access mode 'jwt'"):
        RestApi(
            "api",
            RestApiArgs(routes=[Route("POST", "/p", MODEL)], stage=STAGE, access=Access("jwt")),
        )


def test_cognito_methods_must_name_the_scope_they_need() -> None:
    """AWS: a COGNITO_USER_POOLS method without authorization scopes accepts ID tokens only,
    which the client-credentials flow never issues: such a route could never be called."""
    access = Access("cognito", clients=(Client("app", scopes=("predict",)),))
    routes = [Route("POST", "/p", MODEL, scopes=("predict",)), Route("GET", "/health", MODEL)]
    with pytest.raises(ValueError, match="these routes name no scope: GET /health"):
        RestApi("api", RestApiArgs(routes=routes, stage=STAGE, access=access))


def test_a_client_on_a_tier_that_does_not_exist_is_refused() -> None:
    tiers = {"standard": Tier("standard", Throttle(1, 2), Quota(10, "DAY"))}
    clients = [Client("web", tier="standard"), Client("partner", tier="gold")]
    with pytest.raises(ValueError, match="clients on tiers that do not exist: gold"):
        UsagePlans(
            "plans",
            UsagePlansArgs(api_id="api", stage_name="dev", tiers=tiers, clients=clients),
        )
    with pytest.raises(ValueError, match="API keys need at least one client"):
        UsagePlans("plans", UsagePlansArgs(api_id="api", stage_name="dev", tiers=tiers, clients=[]))


def test_a_token_client_asking_for_a_scope_no_route_uses_is_refused() -> None:
    """Cognito refuses an app client whose allowed scope the resource server does not have."""
    clients = [Client("app", scopes=("predict", "admin"))]
    with pytest.raises(ValueError, match="clients ask for scopes no route uses: admin"):
        ClientCredentialsIssuer(
            "callers", ClientCredentialsIssuerArgs(scopes=["predict"], clients=clients)
        )
    with pytest.raises(ValueError, match="a token issuer needs at least one client"):
        ClientCredentialsIssuer(
            "callers", ClientCredentialsIssuerArgs(scopes=["predict"], clients=[])
        )


def test_rest_api_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="endpoint_type must be one of EDGE, REGIONAL, PRIVATE"):
        RestApi(
            "api",
            RestApiArgs(
                routes=[Route("POST", "/p", MODEL)],
                stage=STAGE,
                access=SIGNED,
                endpoint_type="GLOBAL",
            ),
        )


@pytest.mark.parametrize("timeout_s", [0.1, 1.5, 2.0, 5.0, 12.0, 28.0])
def test_the_settings_budget_a_signed_model_call_as_the_runtime_makes_it(timeout_s) -> None:
    """The config check (shared/components/model.py) and the runtime's botocore client
    (shared/runtime/aws.py) must agree on how long a SageMaker or Bedrock call can take, or a
    function could be killed before it answers 504."""
    from shared.components.model import signed_call_budget_s
    from shared.runtime.aws import worst_case_s

    assert signed_call_budget_s(timeout_s) == worst_case_s(timeout_s)


@pytest.mark.parametrize(
    "model_id",
    [
        "us.anthropic.claude-3-haiku-20240307-v1:0",
        "jp.anthropic.claude-3-haiku-20240307-v1:0",
        "global.anthropic.claude-sonnet-4-20250514-v1:0",
        "arn:aws:bedrock:eu-west-1:111111111111:inference-profile/eu.amazon.nova-micro-v1:0",
        "arn:aws:bedrock:eu-west-1:111111111111:application-inference-profile/abc123",
    ],
)
def test_bedrock_inference_profiles_are_refused(model_id) -> None:
    """AWS: invoking through an inference profile needs a grant on the profile and on the
    foundation model in every region it routes to, more than the one ARN a grant names here."""
    from shared.components.model import ModelBackend

    assert [p for p in ModelBackend.bedrock(model_id).problems()]


@pytest.mark.parametrize(
    "model_id", ["anthropic.claude-3-haiku-20240307-v1:0", "amazon.nova-micro-v1:0"]
)
def test_bedrock_model_ids_are_accepted(model_id) -> None:
    from shared.components.model import ModelBackend

    assert list(ModelBackend.bedrock(model_id).problems()) == []
