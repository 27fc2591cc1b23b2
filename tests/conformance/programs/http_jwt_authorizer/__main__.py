"""An HTTP API route behind a JWT authorizer whose issuer is a Cognito user pool and whose
audience is the pool's app client (as AWS's "Controlling access to HTTP APIs with JWT
authorizers" sets one up for Cognito), proxied to a backend URL."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()

pool = aws.cognito.UserPool("callers")
server = aws.cognito.ResourceServer(
    "models-api",
    user_pool_id=pool.id,
    identifier="models",
    name="models",
    scopes=[{"scope_name": "predict", "scope_description": "Ask for predictions"}],
)
client = aws.cognito.UserPoolClient(
    "scorer",
    user_pool_id=pool.id,
    generate_secret=True,
    allowed_oauth_flows=["client_credentials"],
    allowed_oauth_flows_user_pool_client=True,
    allowed_oauth_scopes=server.scope_identifiers,
    supported_identity_providers=["COGNITO"],
)

api = aws.apigatewayv2.Api("models", protocol_type="HTTP")
authorizer = aws.apigatewayv2.Authorizer(
    "callers",
    api_id=api.id,
    authorizer_type="JWT",
    identity_sources=["$request.header.Authorization"],
    jwt_configuration={
        "issuer": pulumi.Output.concat("https://", pool.endpoint),
        "audiences": [client.id],
    },
)
backend = aws.apigatewayv2.Integration(
    "backend",
    api_id=api.id,
    integration_type="HTTP_PROXY",
    integration_method="POST",
    integration_uri=config.require("backend"),
)
aws.apigatewayv2.Route(
    "predict",
    api_id=api.id,
    route_key="POST /predict",
    target=pulumi.Output.concat("integrations/", backend.id),
    authorization_type="JWT",
    authorizer_id=authorizer.id,
    authorization_scopes=server.scope_identifiers,
)
stage = aws.apigatewayv2.Stage("default", api_id=api.id, name="$default", auto_deploy=True)

pulumi.export("url", pulumi.Output.concat(stage.invoke_url, "/predict"))
pulumi.export("clientId", client.id)
pulumi.export("clientSecret", client.client_secret)
pulumi.export("scopes", server.scope_identifiers)
