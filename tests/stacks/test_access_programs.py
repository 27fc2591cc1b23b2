"""Who may call each stack, and what each may call, under Pulumi's mocks: every stack in every
AWS environment (and in every access mode it offers) asks each caller for credentials, and every
IAM grant to call a model names that one model.

AWS rules these encode:
- API Gateway (REST) runs a method whose `authorization` is NONE and that requires no API key
  for anyone on the internet; an HTTP API route whose `authorization_type` is NONE likewise.
- A COGNITO_USER_POOLS authorizer accepts a client-credentials access token only for a method
  that names `authorization_scopes` (without scopes it takes ID tokens, which that flow never
  issues); a JWT authorizer checks `iss` against its issuer and, for Cognito access tokens
  (which carry no `aud`), `client_id` against its audiences.
- IAM: `sagemaker:InvokeEndpoint` is granted on `arn:aws:sagemaker:<region>:<account>:
  endpoint/<name>`, `bedrock:InvokeModel` (what Converse needs) on
  `arn:aws:bedrock:<region>::foundation-model/<id>`; a wildcard would let a function call any
  model in the account.
- An `AWS` integration answers only the statuses it declares: each integration response is
  chosen by its selection pattern, a regular expression that must match the backend's whole
  status code; no pattern is the default (here 200).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from shared import catalog
from shared.components.config import ConfigError
from shared.ops.stack_files import stack_config
from tests.stacks.expected import MODEL_ACTIONS, model_arn, model_grants

REST_STACKS = ("proxy", "global", "workflows")
HTTP_STACKS = ("versions", "orchestration")
STACKS = REST_STACKS + HTTP_STACKS
AWS_ENVIRONMENTS = tuple(env for env in catalog.ENVIRONMENTS if env != catalog.LOCAL)
# The modes each kind of API offers besides `none` (local only).
MODES = {"rest": ("api_key", "cognito", "iam"), "http": ("jwt", "iam")}
# Each route's short scope (what a token must carry), None: any valid token.
ROUTE_SCOPES: dict[str, dict[str, str | None]] = {
    "proxy": {"POST /predict": "predict"},
    "global": {"POST /ai": "invoke"},
    "workflows": {"ANY /ai-service": "run", "ANY /ai-service/{proxy+}": "run"},
    "versions": {"POST /predict": "predict"},
    "orchestration": {
        "POST /classify": "classify",
        "POST /summarize": "summarize",
        "POST /chat": "chat",
        "GET /health": None,
    },
}
EXTERNAL_ISSUER = "https://login.example.org/realms/ai"

REST_API = "aws:apigateway/restApi:RestApi"
RESOURCE = "aws:apigateway/resource:Resource"
METHOD = "aws:apigateway/method:Method"
REST_AUTHORIZER = "aws:apigateway/authorizer:Authorizer"
INTEGRATION = "aws:apigateway/integration:Integration"
METHOD_RESPONSE = "aws:apigateway/methodResponse:MethodResponse"
INTEGRATION_RESPONSE = "aws:apigateway/integrationResponse:IntegrationResponse"
ROUTE = "aws:apigatewayv2/route:Route"
HTTP_AUTHORIZER = "aws:apigatewayv2/authorizer:Authorizer"
USER_POOL = "aws:cognito/userPool:UserPool"
RESOURCE_SERVER = "aws:cognito/resourceServer:ResourceServer"
APP_CLIENT = "aws:cognito/userPoolClient:UserPoolClient"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
FUNCTION = "aws:lambda/function:Function"


def kind(stack: str) -> str:
    return "rest" if stack in REST_STACKS else "http"


def scopes_of(stack: str) -> list[str]:
    return sorted({s for s in ROUTE_SCOPES[stack].values() if s})


def access_for(stack: str, mode: str) -> dict[str, Any]:
    """An `access` setting in `mode` for `stack` (`jwt-external`: an OIDC issuer of its own)."""
    if mode == "api_key":
        return {
            "mode": mode,
            "tiers": {"basic": {"rateLimit": 5, "burstLimit": 10, "quota": 100, "period": "DAY"}},
            "clients": [{"name": "web", "tier": "basic"}],
        }
    if mode in ("cognito", "jwt"):
        return {
            "mode": mode,
            "clients": [
                {"name": "app", "scopes": scopes_of(stack)},
                {"name": "ops", "scopes": scopes_of(stack)[:1]},
            ],
        }
    if mode == "jwt-external":
        return {"mode": "jwt", "issuer": EXTERNAL_ISSUER, "audience": ["ai-gateway"]}
    return {"mode": mode}


@dataclass(frozen=True)
class Case:
    """A stack run in an environment, with its own access mode or a different one."""

    stack: str
    env: str
    mode: str | None = None  # None: as the environment's file says

    @property
    def id(self) -> str:
        return f"{self.stack}-{self.env}" + (f"-{self.mode}" if self.mode else "")

    def overrides(self) -> dict[str, str]:
        if self.mode is None:
            return {}
        return {f"{self.stack}:access": json.dumps(access_for(self.stack, self.mode))}

    def config(self) -> dict[str, str]:
        return {**stack_config(catalog.stack_dir(self.stack), self.env), **self.overrides()}

    def access(self) -> dict[str, Any]:
        value = json.loads(self.config()[f"{self.stack}:access"])
        assert isinstance(value, dict)
        return value


# Every stack as each AWS environment's file configures it, and in dev in every mode it offers.
CASES = [
    *(Case(stack, env) for stack in STACKS for env in AWS_ENVIRONMENTS),
    *(Case(stack, "dev", mode) for stack in REST_STACKS for mode in MODES["rest"]),
    *(
        Case(stack, "dev", mode)
        for stack in HTTP_STACKS
        for mode in (*MODES["http"], "jwt-external")
    ),
]
REST_CASES = [c for c in CASES if kind(c.stack) == "rest"]
HTTP_CASES = [c for c in CASES if kind(c.stack) == "http"]


@pytest.fixture(scope="module")
def program(run_program: Any) -> Callable[[Case], Any]:
    """`program(case)`: the case's program run under mocks, once per module."""
    cache: dict[Case, Any] = {}

    def run(case: Case) -> Any:
        if case not in cache:
            cache[case] = run_program(case.stack, case.env, case.overrides())
        return cache[case]

    return run


def rest_route_keys(run: Any) -> dict[str, Any]:
    """`METHOD /path` -> the REST Method resource (paths rebuilt from the resource tree)."""
    resources = {f"{r.name}-id": r for r in run.of_type(RESOURCE)}

    def path(resource_id: str) -> str:
        resource = resources.get(resource_id)
        if resource is None:  # the API's root
            return ""
        return path(resource.inputs["parentId"]) + "/" + resource.inputs["pathPart"]

    return {
        f"{m.inputs['httpMethod']} {path(m.inputs['resourceId'])}": m for m in run.of_type(METHOD)
    }


def policy_documents(run: Any) -> dict[str, dict[str, Any]]:
    """Every inline policy the program grants, by the name of its resource."""
    return {p.name: json.loads(p.inputs["policy"]) for p in run.of_type(ROLE_POLICY)}


# --- no route without credentials -------------------------------------------------------------


@pytest.mark.parametrize("case", REST_CASES, ids=lambda c: c.id)
def test_no_rest_method_is_callable_without_credentials(program, case: Case) -> None:
    run = program(case)
    methods = rest_route_keys(run)
    assert set(methods) == set(ROUTE_SCOPES[case.stack])
    mode = case.access()["mode"]
    assert mode != "none"
    for key, method in methods.items():
        inputs = method.inputs
        open_to_all = inputs["authorization"] == "NONE" and not inputs.get("apiKeyRequired")
        assert not open_to_all, f"{case.id}: {key} is callable without credentials"
        expected = {"api_key": "NONE", "cognito": "COGNITO_USER_POOLS", "iam": "AWS_IAM"}[mode]
        assert inputs["authorization"] == expected, key
        assert bool(inputs.get("apiKeyRequired")) is (mode == "api_key"), key


@pytest.mark.parametrize("case", HTTP_CASES, ids=lambda c: c.id)
def test_no_http_route_is_callable_without_credentials(program, case: Case) -> None:
    run = program(case)
    routes = {r.inputs["routeKey"]: r.inputs for r in run.of_type(ROUTE)}
    assert set(routes) == set(ROUTE_SCOPES[case.stack])
    mode = case.access()["mode"]
    for key, route in routes.items():
        assert route.get("authorizationType", "NONE") != "NONE", f"{case.id}: {key} is open"
        assert route["authorizationType"] == {"jwt": "JWT", "iam": "AWS_IAM"}[mode], key


@pytest.mark.parametrize(
    "case", [c for c in REST_CASES if c.access()["mode"] == "cognito"], ids=lambda c: c.id
)
def test_cognito_methods_name_the_pools_authorizer_and_their_scope(program, case: Case) -> None:
    run = program(case)
    identifier = f"aigw-{case.stack}"
    [pool] = run.of_type(USER_POOL)
    [server] = run.of_type(RESOURCE_SERVER)
    assert server.inputs["identifier"] == identifier
    assert server.inputs["userPoolId"] == f"{pool.name}-id"
    assert sorted(s["scopeName"] for s in server.inputs["scopes"]) == scopes_of(case.stack)
    authorizers = {f"{a.name}-id": a.inputs for a in run.of_type(REST_AUTHORIZER)}
    for key, method in rest_route_keys(run).items():
        authorizer = authorizers[method.inputs["authorizerId"]]
        assert authorizer["type"] == "COGNITO_USER_POOLS"
        assert authorizer["providerArns"] == [run.resolved[pool.name]["arn"]]
        assert authorizer["identitySource"] == "method.request.header.Authorization"
        assert method.inputs["authorizationScopes"] == [
            f"{identifier}/{ROUTE_SCOPES[case.stack][key]}"
        ], key
    check_app_clients(run, case, identifier)


def check_app_clients(run: Any, case: Case, identifier: str) -> None:
    """One app client per declared client: client credentials only, a secret, its scopes."""
    clients = {c.inputs["name"]: c for c in run.of_type(APP_CLIENT)}
    declared = {c["name"]: c["scopes"] for c in case.access()["clients"]}
    assert set(clients) == set(declared)
    server = run.one(RESOURCE_SERVER)
    for name, client in clients.items():
        inputs = client.inputs
        assert inputs["allowedOauthFlows"] == ["client_credentials"]
        assert inputs["allowedOauthFlowsUserPoolClient"] is True
        assert inputs["generateSecret"] is True
        assert inputs["allowedOauthScopes"] == [f"{identifier}/{s}" for s in declared[name]]
        # Cognito refuses a client allowed a scope its resource server does not have yet.
        assert f"{server.type}::{server.name}" in client.dependencies


@pytest.mark.parametrize(
    "case",
    [c for c in HTTP_CASES if c.access()["mode"] == "jwt" and "issuer" not in c.access()],
    ids=lambda c: c.id,
)
def test_jwt_routes_trust_the_stacks_own_pool_and_name_their_scope(program, case: Case) -> None:
    run = program(case)
    identifier = f"aigw-{case.stack}"
    [pool] = run.of_type(USER_POOL)
    [authorizer] = run.of_type(HTTP_AUTHORIZER)
    jwt = authorizer.inputs["jwtConfiguration"]
    assert authorizer.inputs["authorizerType"] == "JWT"
    assert authorizer.inputs["identitySources"] == ["$request.header.Authorization"]
    # What Cognito writes in `iss`: https:// and the pool's endpoint.
    assert jwt["issuer"] == "https://" + run.resolved[pool.name]["endpoint"]
    assert jwt["issuer"].startswith("https://cognito-idp.")
    client_ids = sorted(f"{c.name}-id" for c in run.of_type(APP_CLIENT))
    assert sorted(jwt["audiences"]) == client_ids
    for route in run.of_type(ROUTE):
        key = route.inputs["routeKey"]
        assert route.inputs["authorizerId"] == f"{authorizer.name}-id", key
        scope = ROUTE_SCOPES[case.stack][key]
        assert route.inputs.get("authorizationScopes") == (
            [f"{identifier}/{scope}"] if scope else None
        ), key
    check_app_clients(run, case, identifier)


@pytest.mark.parametrize("stack", HTTP_STACKS)
def test_jwt_with_an_external_issuer_makes_no_pool(program, stack: str) -> None:
    case = Case(stack, "dev", "jwt-external")
    run = program(case)
    assert not run.of_type(USER_POOL) and not run.of_type(APP_CLIENT)
    [authorizer] = run.of_type(HTTP_AUTHORIZER)
    assert authorizer.inputs["jwtConfiguration"] == {
        "issuer": EXTERNAL_ISSUER,
        "audiences": ["ai-gateway"],
    }
    for route in run.of_type(ROUTE):
        scope = ROUTE_SCOPES[stack][route.inputs["routeKey"]]
        # The external issuer names its own scopes: the route's, as they are.
        assert route.inputs.get("authorizationScopes") == ([scope] if scope else None)
    access = run.outputs["access"].value
    assert (access["issuer"], access["audience"]) == (EXTERNAL_ISSUER, ["ai-gateway"])
    assert "tokenUrl" not in access


# --- model grants -------------------------------------------------------------------------------


def allowed_models(case: Case) -> list[dict[str, Any]]:
    config = case.config()
    models = [json.loads(config[f"{case.stack}:model"])] if f"{case.stack}:model" in config else []
    if case.stack == "orchestration":
        chat = config.get("orchestration:chatModelId", "amazon.nova-micro-v1:0")
        models.append({"type": "bedrock", "modelId": chat})
    return models


@pytest.mark.parametrize(
    "case", [Case(s, e) for s in STACKS for e in catalog.ENVIRONMENTS], ids=lambda c: c.id
)
def test_every_model_grant_names_exactly_one_configured_model(program, case: Case) -> None:
    run = program(case)
    regions = {
        "",  # the stack's own (what the mocks' data sources answer)
        *(r.inputs.get("region") or "" for r in run.of_type(FUNCTION)),
    }
    home = run.outputs["access"].value["region"]
    allowed = {
        model_arn(model, region or home) for model in allowed_models(case) for region in regions
    } - {None}
    found = 0
    for name, document in policy_documents(run).items():
        for statement in model_grants(document):
            found += 1
            resource = statement["Resource"]
            resources = [resource] if isinstance(resource, str) else resource
            assert len(resources) == 1, f"{name} grants a model call on {resources}"
            assert "*" not in resources[0], f"{name} grants a model call on a wildcard"
            assert resources[0] in allowed, f"{name}: {resources[0]} is not the configured model"
            service = resources[0].split(":")[2]
            assert statement["Action"] == [MODEL_ACTIONS[service]], name
            assert statement["Effect"] == "Allow"
    signed = [m for m in allowed_models(case) if m["type"] != "http"]
    assert bool(found) is bool(signed), "a signed model is granted, an HTTP one never"


# --- `none` is for local only; local ships what prod does ---------------------------------------


@pytest.mark.parametrize(("stack", "env"), [(s, e) for s in STACKS for e in AWS_ENVIRONMENTS])
def test_access_mode_none_is_a_config_error_outside_local(run_program, stack, env) -> None:
    with pytest.raises(ConfigError) as raised:
        run_program(stack, env, {f"{stack}:access": '{"mode": "none"}'})
    [problem] = raised.value.problems
    assert problem.startswith(f"{stack}:access.mode: 'none' is accepted only for local"), problem
    valid = re.search(r"must use one of (.*)\.$", problem)
    assert valid is not None, problem
    assert valid.group(1).split(", ") == list(MODES[kind(stack)])


@pytest.mark.parametrize("stack", STACKS)
def test_access_mode_none_is_accepted_locally(run_program, stack) -> None:
    run = run_program(stack, "local", {f"{stack}:access": '{"mode": "none"}'})
    assert run.outputs["access"].value["mode"] == "none"
    for method in run.of_type(METHOD):
        assert method.inputs["authorization"] == "NONE"
        assert not method.inputs.get("apiKeyRequired")
    for route in run.of_type(ROUTE):
        assert route.inputs.get("authorizationType", "NONE") == "NONE"


@pytest.mark.parametrize("stack", STACKS)
def test_local_uses_the_same_access_mode_as_prod(stack) -> None:
    """What is tried locally is what ships."""
    local, prod = (Case(stack, env).access() for env in (catalog.LOCAL, "prod"))
    assert local["mode"] == prod["mode"] != "none"


# --- invalid access and model values: one line naming the key -----------------------------------

TIER = {"rateLimit": 1, "burstLimit": 1, "quota": 1, "period": "DAY"}
INVALID: list[Any] = [
    ("proxy", "access", {"mode": "open"}, "proxy:access: mode: 'open' is not one of"),
    (
        "proxy",
        "access",
        {"mode": "api_key", "tiers": {"basic": TIER}, "clients": [{"name": "web", "tier": "gold"}]},
        "proxy:access.clients.web.tier: 'gold' is not one of basic",
    ),
    (
        "versions",
        "access",
        {"mode": "jwt", "issuer": EXTERNAL_ISSUER},
        "versions:access: 'audience' is a dependency of 'issuer'",
    ),
    (
        "global",
        "access",
        {"mode": "cognito", "clients": [{"name": "app", "scopes": ["admin"]}]},
        "global:access.clients.app.scopes: admin not used by any route",
    ),
    (
        "orchestration",
        "access",
        {"mode": "jwt", "clients": [{"name": "app", "scopes": ["classify", "predict"]}]},
        "orchestration:access.clients.app.scopes: predict not used by any route",
    ),
    ("versions", "access", {"mode": "api_key"}, "versions:access: mode: 'api_key' is not one of"),
    (
        "versions",
        "access",
        {"mode": "jwt", **access_for("versions", "jwt-external"), **access_for("versions", "jwt")},
        "versions:access: jwt takes clients (the stack's own Cognito pool) or an external "
        "issuer, not both",
    ),
    ("versions", "access", {"mode": "jwt"}, "versions:access: jwt needs clients"),
    (
        "global",
        "model",
        {"type": "bedrock", "modelId": "us.anthropic.claude-3-haiku-20240307-v1:0"},
        "global:model: 'us.anthropic.claude-3-haiku-20240307-v1:0' is an inference profile",
    ),
    (
        "proxy",
        "model",
        {
            "type": "bedrock",
            "modelId": "arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-micro-v1:0",
        },
        "proxy:model.modelId: proxy calls Bedrock by model id, not by ARN",
    ),
    (
        "orchestration",
        "access",
        {"mode": "jwt", "clients": [{"name": "app", "scopes": ["chat"]}] * 2},
        "orchestration:access.clients: 'app' is listed twice",
    ),
    (
        "proxy",
        "access",
        {
            "mode": "api_key",
            "tiers": {"basic": TIER},
            "clients": [{"name": "web", "tier": "basic", "enabled": False}],
        },
        "proxy:access.clients: at least one client must be enabled",
    ),
    (
        "proxy",
        "access",
        {
            "mode": "api_key",
            "tiers": {"basic": {**TIER, "period": "YEAR"}},
            "clients": [{"name": "web", "tier": "basic"}],
        },
        "proxy:access: tiers.basic.period: 'YEAR' is not one of",
    ),
    (
        "workflows",
        "access",
        {"mode": "iam", "clients": [{"name": "app", "scopes": ["run"]}]},
        "workflows:access: Additional properties are not allowed ('clients' was unexpected)",
    ),
    ("workflows", "model", {"type": "tpu"}, "workflows:model: type: 'tpu' is not one of"),
    ("proxy", "model", {"type": "sagemaker"}, "proxy:model: 'endpoint' is a required property"),
    ("global", "model", {"type": "bedrock"}, "global:model: 'modelId' is a required property"),
]
# A value without its discriminant is told so, not checked against every kind.
INVALID += [
    pytest.param(
        "orchestration",
        "model",
        {"url": "https://m.example.com"},
        "orchestration:model: 'type' is a required property",
    ),
    pytest.param(
        "proxy",
        "access",
        {"clients": [{"name": "web", "tier": "basic"}]},
        "proxy:access: 'mode' is a required property",
    ),
]


@pytest.mark.parametrize(
    ("stack", "key", "value", "problem"),
    INVALID,
    ids=[
        "unknown-mode",
        "client-on-missing-tier",
        "issuer-without-audience",
        "cognito-scope-no-route-uses",
        "jwt-scope-no-route-uses",
        "rest-mode-on-http-api",
        "jwt-clients-and-issuer",
        "jwt-neither-clients-nor-issuer",
        "bedrock-inference-profile",
        "proxy-bedrock-arn",
        "client-listed-twice",
        "no-enabled-client",
        "unknown-quota-period",
        "iam-with-clients",
        "unknown-model-type",
        "sagemaker-without-endpoint",
        "bedrock-without-model-id",
        "model-without-type",
        "access-without-mode",
    ],
)
def test_an_invalid_access_or_model_value_is_one_line_naming_its_key(
    run_program, stack, key, value, problem
) -> None:
    with pytest.raises(ConfigError) as raised:
        run_program(stack, "dev", {f"{stack}:{key}": json.dumps(value)})
    [found] = raised.value.problems
    assert found.startswith(problem), found


# --- proxy: API Gateway calls SageMaker or Bedrock itself ---------------------------------------

SIGNED_MODELS = {
    "sagemaker": (
        {"type": "sagemaker", "endpoint": "Sentiment-Prod"},
        ":runtime.sagemaker:path/endpoints/Sentiment-Prod/invocations",
        "$input.body",
    ),
    "bedrock": (
        {"type": "bedrock", "modelId": "anthropic.claude-3-haiku-20240307-v1:0"},
        ":bedrock-runtime:path/model/anthropic.claude-3-haiku-20240307-v1:0/converse",
        '{"messages":[{"role":"user","content":[{"text":$input.json(\'$.inputs\')}]}],'
        '"inferenceConfig":{"maxTokens":1024}}',
    ),
}
# What the model's status becomes for the caller: its own faults keep theirs, a model timeout
# (Bedrock's 408 ModelTimeoutException) is 504, the rest is 502.
CONTRACT = {400: "400", 413: "413", 429: "429", 408: "504"}
DECLARED_STATUSES = ["200", "400", "413", "429", "502", "504"]


@pytest.fixture(scope="module", params=sorted(SIGNED_MODELS))
def signed_proxy(request, run_program) -> tuple[str, Any]:
    model = SIGNED_MODELS[request.param][0]
    return request.param, run_program("proxy", "dev", {"proxy:model": json.dumps(model)})


def test_the_integration_is_aws_signed_with_its_own_role(signed_proxy) -> None:
    backend, run = signed_proxy
    model, uri_tail, template = SIGNED_MODELS[backend]
    region = run.outputs["access"].value["region"]
    integration = run.one(INTEGRATION)
    inputs = integration.inputs
    assert inputs["type"] == "AWS"
    assert inputs["integrationHttpMethod"] == "POST"
    assert inputs["uri"] == f"arn:aws:apigateway:{region}{uri_tail}"
    [role] = run.of_type(ROLE)
    assert inputs["credentials"] == run.resolved[role.name]["arn"]
    assert inputs["requestTemplates"] == {"application/json": template}
    # Another content type would reach the model untranslated: API Gateway answers 415.
    assert inputs["passthroughBehavior"] == "NEVER"
    # The role may be assumed by API Gateway only, and call that one model only.
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "apigateway.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ]
    [policy] = run.of_type(ROLE_POLICY)
    assert policy.inputs["role"] == f"{role.name}-id"
    assert json.loads(policy.inputs["policy"])["Statement"] == [
        {
            "Effect": "Allow",
            "Action": [MODEL_ACTIONS[backend]],
            "Resource": model_arn(model, region),
        }
    ]
    # API Gateway checks it may assume the role when the integration is created.
    assert f"{ROLE_POLICY}::{policy.name}" in integration.dependencies


def test_every_status_of_the_contract_has_a_method_and_an_integration_response(
    signed_proxy,
) -> None:
    _, run = signed_proxy
    method_responses = {r.inputs["statusCode"]: r for r in run.of_type(METHOD_RESPONSE)}
    integration_responses = {r.inputs["statusCode"]: r for r in run.of_type(INTEGRATION_RESPONSE)}
    assert sorted(method_responses) == sorted(integration_responses) == DECLARED_STATUSES
    method = run.one(METHOD)
    for status, response in integration_responses.items():
        inputs = response.inputs
        assert (inputs["httpMethod"], inputs["resourceId"]) == ("POST", method.inputs["resourceId"])
        # An integration response needs its method response and the integration first.
        assert f"{METHOD_RESPONSE}::{method_responses[status].name}" in response.dependencies
        assert f"{INTEGRATION}::{run.one(INTEGRATION).name}" in response.dependencies
        template = inputs["responseTemplates"]["application/json"]
        if status == "200":
            assert "selectionPattern" not in inputs, "the success response is the default"
            assert template == "$input.body"
        else:
            assert set(json.loads(template)) == {"message"}


def test_selection_patterns_choose_exactly_the_contracts_status(signed_proxy) -> None:
    _, run = signed_proxy
    patterns = {
        r.inputs["statusCode"]: r.inputs["selectionPattern"]
        for r in run.of_type(INTEGRATION_RESPONSE)
        if r.inputs.get("selectionPattern")
    }
    for backend_status in range(200, 600):
        # API Gateway matches the whole status code (Java's String.matches).
        chosen = [s for s, p in patterns.items() if re.fullmatch(p, str(backend_status))]
        if backend_status < 400:
            assert chosen == [], f"{backend_status} must fall to the default (200) response"
            continue
        expected = CONTRACT.get(backend_status, "502")
        assert chosen == [expected], f"the model's {backend_status} becomes {chosen}"


# --- orchestration: chat calls its Bedrock model, the rest the stack's model --------------------


@pytest.mark.parametrize(
    "model",
    [
        {"type": "sagemaker", "endpoint": "sentiment-dev"},
        {"type": "bedrock", "modelId": "anthropic.claude-3-haiku-20240307-v1:0"},
        {"type": "http", "url": "https://models.example.com/invocations"},
    ],
    ids=lambda m: m["type"],
)
def test_chat_may_call_its_model_only_and_the_others_the_stacks_only(run_program, model) -> None:
    chat_id = "amazon.nova-lite-v1:0"
    run = run_program(
        "orchestration",
        "dev",
        {"orchestration:model": json.dumps(model), "orchestration:chatModelId": chat_id},
    )
    region = run.outputs["access"].value["region"]
    chat = {"type": "bedrock", "modelId": chat_id}
    policies = policy_documents(run)
    for function in run.of_type(FUNCTION):
        variables = function.inputs["environment"]["variables"]
        granted = [s["Resource"] for s in model_grants(policies[f"{function.name}-policy"])]
        if function.name == "chat":
            assert variables["CHAT_MODEL_ID"] == chat_id
            assert "MODEL_BACKEND" not in variables
            assert granted == [model_arn(chat, region)]
        elif function.name == "health":  # pings an HTTP model, never invokes one
            assert "CHAT_MODEL_ID" not in variables
            assert granted == []
        else:
            assert "CHAT_MODEL_ID" not in variables
            assert granted == [a for a in [model_arn(model, region)] if a]


@pytest.mark.parametrize("env", ["staging", "prod"])  # extraRegions / a domainName
def test_global_refuses_iam_where_the_answering_region_is_not_the_callers_choice(
    run_program, env
) -> None:
    """AWS: a SigV4 signature names one region; behind latency records or a custom domain the
    caller cannot know which region's API answers, so a signed call fails in the others."""
    with pytest.raises(ConfigError) as raised:
        run_program("global", env, {"global:access": json.dumps({"mode": "iam"})})
    assert "iam cannot be used with extraRegions or domainName" in str(raised.value)
