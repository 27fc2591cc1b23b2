"""An AI API whose every route authenticates its callers, the ways issue 9's patterns do:

- the stack's own Cognito identity provider: a user pool with a domain, a resource server
  `aigw-<name>` with the scopes `predict` and `classify`, and one client-credentials app client
  (`predictor`: both scopes, `classifier`: `classify` only, `brief`: `predict` with tokens
  valid one second: AWS's minimum is five minutes, MiniStack takes any, which lets a test see
  a token expire);
- a REST API: `POST /cognito` behind a COGNITO_USER_POOLS authorizer asking for
  `aigw-<name>/<restScope>` (default `predict`), `POST /iam` behind AWS_IAM, `POST /keyed`
  asking for an API key; keys on usage-plan tiers (`gold`: generous, `bronze`: one request a
  second, `trial`: two a day), one of them disabled;
- an HTTP API: `POST /jwt` behind a JWT authorizer (issuer: the pool, audience: the predictor
  and brief clients) asking for `aigw-<name>/predict`, `POST /iam` behind AWS_IAM, both proxied to
  `backend`.

name      physical-name stem (unique per test); also the Cognito domain prefix
backend   the HTTP API's backend URL (a loopback server of the test's)
restScope the scope `POST /cognito` asks for (default `predict`)
"""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
name = config.require("name")
backend = config.require("backend")
identifier = f"aigw-{name}"
rest_scope = config.get("restScope") or "predict"

# -- the identity provider ----------------------------------------------------------------------

pool = aws.cognito.UserPool("pool", name=f"{name}-pool")
aws.cognito.UserPoolDomain("domain", domain=name, user_pool_id=pool.id)
server = aws.cognito.ResourceServer(
    "api",
    user_pool_id=pool.id,
    identifier=identifier,
    name=identifier,
    scopes=[
        aws.cognito.ResourceServerScopeArgs(scope_name="predict", scope_description="predict"),
        aws.cognito.ResourceServerScopeArgs(scope_name="classify", scope_description="classify"),
    ],
)
clients = {
    client: aws.cognito.UserPoolClient(
        client,
        name=f"{name}-{client}",
        user_pool_id=pool.id,
        generate_secret=True,
        allowed_oauth_flows=["client_credentials"],
        allowed_oauth_flows_user_pool_client=True,
        allowed_oauth_scopes=[f"{identifier}/{scope}" for scope in scopes],
        supported_identity_providers=["COGNITO"],
        explicit_auth_flows=["ALLOW_REFRESH_TOKEN_AUTH"],
        **validity,
        opts=pulumi.ResourceOptions(depends_on=[server]),
    )
    for client, scopes, validity in (
        ("predictor", ["predict", "classify"], {}),
        ("classifier", ["classify"], {}),
        (
            "brief",
            ["predict"],
            {"access_token_validity": 1, "token_validity_units": {"access_token": "seconds"}},
        ),
    )
}

# -- the REST API -------------------------------------------------------------------------------

rest = aws.apigateway.RestApi("rest", name=f"{name}-rest")
authorizer = aws.apigateway.Authorizer(
    "cognito",
    rest_api=rest.id,
    name="cognito",
    type="COGNITO_USER_POOLS",
    provider_arns=[pool.arn],
    identity_source="method.request.header.Authorization",
)
MOCK_OK = {"application/json": '{"statusCode": 200}'}
ANSWER = {"application/json": '{"answer": "ok"}'}
rest_parts = []
for path, access in (
    (
        "cognito",
        {
            "authorization": "COGNITO_USER_POOLS",
            "authorizer_id": authorizer.id,
            "authorization_scopes": [f"{identifier}/{rest_scope}"],
        },
    ),
    ("iam", {"authorization": "AWS_IAM"}),
    ("keyed", {"authorization": "NONE", "api_key_required": True}),
):
    resource = aws.apigateway.Resource(
        path, rest_api=rest.id, parent_id=rest.root_resource_id, path_part=path
    )
    method = aws.apigateway.Method(
        path, rest_api=rest.id, resource_id=resource.id, http_method="POST", **access
    )
    integration = aws.apigateway.Integration(
        path,
        rest_api=rest.id,
        resource_id=resource.id,
        http_method=method.http_method,
        type="MOCK",
        request_templates=MOCK_OK,
    )
    response = aws.apigateway.MethodResponse(
        path, rest_api=rest.id, resource_id=resource.id, http_method="POST", status_code="200"
    )
    rest_parts += [
        method,
        integration,
        response,
        aws.apigateway.IntegrationResponse(
            path,
            rest_api=rest.id,
            resource_id=resource.id,
            http_method="POST",
            status_code=response.status_code,
            response_templates=ANSWER,
            opts=pulumi.ResourceOptions(depends_on=[integration]),
        ),
    ]
deployment = aws.apigateway.Deployment(
    "rest", rest_api=rest.id, opts=pulumi.ResourceOptions(depends_on=rest_parts)
)
stage = aws.apigateway.Stage("rest", rest_api=rest.id, stage_name="v1", deployment=deployment.id)

tiers = {
    "gold": {"throttle_settings": {"rate_limit": 100, "burst_limit": 200}},
    "bronze": {"throttle_settings": {"rate_limit": 1, "burst_limit": 1}},
    "trial": {"quota_settings": {"limit": 2, "period": "DAY"}},
}
plans = {
    tier: aws.apigateway.UsagePlan(
        tier,
        name=f"{name}-{tier}",
        api_stages=[{"api_id": rest.id, "stage": stage.stage_name}],
        **settings,
    )
    for tier, settings in tiers.items()
}
keys = {}
for client, tier, enabled in (
    ("gold", "gold", True),
    ("bronze", "bronze", True),
    ("trial", "trial", True),
    ("revoked", "gold", False),
):
    keys[client] = aws.apigateway.ApiKey(client, name=f"{name}-{client}", enabled=enabled)
    aws.apigateway.UsagePlanKey(
        client, usage_plan_id=plans[tier].id, key_id=keys[client].id, key_type="API_KEY"
    )

# -- the HTTP API -------------------------------------------------------------------------------

http = aws.apigatewayv2.Api("http", name=f"{name}-http", protocol_type="HTTP")
jwt = aws.apigatewayv2.Authorizer(
    "jwt",
    api_id=http.id,
    name="cognito-jwt",
    authorizer_type="JWT",
    identity_sources=["$request.header.Authorization"],
    jwt_configuration={
        "issuer": pool.endpoint.apply(lambda endpoint: f"https://{endpoint}"),
        "audiences": [clients["predictor"].id, clients["brief"].id],
    },
)
proxy = aws.apigatewayv2.Integration(
    "backend",
    api_id=http.id,
    integration_type="HTTP_PROXY",
    integration_method="POST",
    integration_uri=backend,
    payload_format_version="1.0",
)
for path, access in (
    (
        "jwt",
        {
            "authorization_type": "JWT",
            "authorizer_id": jwt.id,
            "authorization_scopes": [f"{identifier}/predict"],
        },
    ),
    ("iam", {"authorization_type": "AWS_IAM"}),
):
    aws.apigatewayv2.Route(
        path,
        api_id=http.id,
        route_key=f"POST /{path}",
        target=proxy.id.apply(lambda i: f"integrations/{i}"),
        **access,
    )
http_stage = aws.apigatewayv2.Stage("http", api_id=http.id, name="$default", auto_deploy=True)

pulumi.export("restUrl", stage.invoke_url)
pulumi.export("httpUrl", http_stage.invoke_url)
pulumi.export("issuer", jwt.jwt_configuration.apply(lambda c: c.issuer))
pulumi.export("authorizerArn", authorizer.arn)
pulumi.export("clientIds", {client: c.id for client, c in clients.items()})
pulumi.export("clientSecrets", {client: c.client_secret for client, c in clients.items()})
pulumi.export("apiKeys", {client: key.value for client, key in keys.items()})
