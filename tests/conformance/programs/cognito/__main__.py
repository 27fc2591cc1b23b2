"""Machine-to-machine auth with Cognito: a user pool with a hosted domain, a resource server
declaring a `predict` scope, and an app client allowed the client-credentials flow for it."""

import pulumi
import pulumi_aws as aws

pool = aws.cognito.UserPool("models", password_policy={"minimum_length": 12})

models_api = aws.cognito.ResourceServer(
    "models-api",
    user_pool_id=pool.id,
    identifier="https://models.example.com",
    name="models",
    scopes=[{"scope_name": "predict", "scope_description": "Ask the model for predictions"}],
)

client = aws.cognito.UserPoolClient(
    "batch-scorer",
    user_pool_id=pool.id,
    generate_secret=True,
    allowed_oauth_flows=["client_credentials"],
    allowed_oauth_flows_user_pool_client=True,
    allowed_oauth_scopes=models_api.scope_identifiers,
    supported_identity_providers=["COGNITO"],
)

domain = aws.cognito.UserPoolDomain(
    "models-domain",
    user_pool_id=pool.id,
    domain=pool.id.apply(lambda pool_id: f"conformance-{pool_id.split('_')[-1].lower()}"),
)

pulumi.export("userPoolId", pool.id)
pulumi.export("clientId", client.id)
pulumi.export("clientSecret", client.client_secret)
pulumi.export("scopes", models_api.scope_identifiers)
pulumi.export("domain", domain.domain)
