"""A REST API method behind a Cognito user pool authorizer asking for an OAuth scope, the
caller a client-credentials app client of the pool (as AWS's "Control access to a REST API
using Amazon Cognito user pools as an authorizer" sets it up); the method is a MOCK."""

import pulumi
import pulumi_aws as aws

pool = aws.cognito.UserPool("callers")
server = aws.cognito.ResourceServer(
    "reports-api",
    user_pool_id=pool.id,
    identifier="reports",
    name="reports",
    scopes=[{"scope_name": "read", "scope_description": "Read reports"}],
)
client = aws.cognito.UserPoolClient(
    "reporter",
    user_pool_id=pool.id,
    generate_secret=True,
    allowed_oauth_flows=["client_credentials"],
    allowed_oauth_flows_user_pool_client=True,
    allowed_oauth_scopes=server.scope_identifiers,
    supported_identity_providers=["COGNITO"],
)

api = aws.apigateway.RestApi("reports")
authorizer = aws.apigateway.Authorizer(
    "callers",
    rest_api=api.id,
    type="COGNITO_USER_POOLS",
    provider_arns=[pool.arn],
)
reports = aws.apigateway.Resource(
    "reports", rest_api=api.id, parent_id=api.root_resource_id, path_part="reports"
)
method = aws.apigateway.Method(
    "reports-get",
    rest_api=api.id,
    resource_id=reports.id,
    http_method="GET",
    authorization="COGNITO_USER_POOLS",
    authorizer_id=authorizer.id,
    authorization_scopes=server.scope_identifiers,
)
integration = aws.apigateway.Integration(
    "reports-get",
    rest_api=api.id,
    resource_id=reports.id,
    http_method=method.http_method,
    type="MOCK",
    request_templates={"application/json": '{"statusCode": 200}'},
)
ok = aws.apigateway.MethodResponse(
    "reports-200", rest_api=api.id, resource_id=reports.id, http_method="GET", status_code="200"
)
answer = aws.apigateway.IntegrationResponse(
    "reports-200",
    rest_api=api.id,
    resource_id=reports.id,
    http_method="GET",
    status_code=ok.status_code,
    response_templates={"application/json": '{"reports": []}'},
    opts=pulumi.ResourceOptions(depends_on=[integration]),
)
deployment = aws.apigateway.Deployment(
    "reports", rest_api=api.id, opts=pulumi.ResourceOptions(depends_on=[integration, answer])
)
stage = aws.apigateway.Stage("v1", rest_api=api.id, deployment=deployment.id, stage_name="v1")

pulumi.export("url", pulumi.Output.concat(stage.invoke_url, "/reports"))
pulumi.export("clientId", client.id)
pulumi.export("clientSecret", client.client_secret)
pulumi.export("scopes", server.scope_identifiers)
