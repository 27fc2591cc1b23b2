"""A REST API whose program declares each piece before the one AWS needs first, with no
dependency between them: the integration and its responses before the method, the
deployment before everything it snapshots. AWS refuses an integration without its method
("Invalid Method identifier") and a deployment of an API without methods; the engine applies
them in AWS's order (each provider's `after`) whatever order the program declares.

The stage's method settings are declared before the stage and name it by its literal name,
so only `after` orders them; an API key on a usage plan, a model and a validator complete the
REST API types.

name      the RestApi's name (unique per test)
rate      the stage's and the usage plan's throttle, requests per second: updates in place
"""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
rate = float(config.get("rate") or "50")
api = aws.apigateway.RestApi("api", name=config.require("name"), description="any order")
resource = aws.apigateway.Resource(
    "resource", rest_api=api.id, parent_id=api.root_resource_id, path_part="ping"
)

deployment = aws.apigateway.Deployment("deployment", rest_api=api.id)
aws.apigateway.MethodSettings(
    "settings",
    rest_api=api.id,
    stage_name="v1",
    method_path="*/*",
    settings={"throttling_rate_limit": rate, "throttling_burst_limit": 20, "metrics_enabled": True},
)
aws.apigateway.IntegrationResponse(
    "integration-200",
    rest_api=api.id,
    resource_id=resource.id,
    http_method="GET",
    status_code="200",
    response_templates={"application/json": '{"pong": true}'},
)
aws.apigateway.Integration(
    "integration",
    rest_api=api.id,
    resource_id=resource.id,
    http_method="GET",
    type="MOCK",
    request_templates={"application/json": '{"statusCode": 200}'},
)
aws.apigateway.MethodResponse(
    "method-200", rest_api=api.id, resource_id=resource.id, http_method="GET", status_code="200"
)
aws.apigateway.Method(
    "method", rest_api=api.id, resource_id=resource.id, http_method="GET", authorization="NONE"
)
stage = aws.apigateway.Stage(
    "stage",
    rest_api=api.id,
    deployment=deployment.id,
    stage_name="v1",
    variables={"backend": "blue"},
    tags={"team": "engine"},
)
aws.apigateway.Model(
    "model",
    rest_api=api.id,
    name="Ping",
    content_type="application/json",
    schema='{"type": "object"}',
)
aws.apigateway.RequestValidator("validator", rest_api=api.id, validate_request_body=True)
key = aws.apigateway.ApiKey("key", enabled=True)
plan = aws.apigateway.UsagePlan(
    "plan",
    api_stages=[{"api_id": api.id, "stage": stage.stage_name}],
    throttle_settings={"rate_limit": rate, "burst_limit": 10},
    quota_settings={"limit": 1000, "period": "DAY"},
)
aws.apigateway.UsagePlanKey(
    "subscription", key_id=key.id, key_type="API_KEY", usage_plan_id=plan.id
)

pulumi.export("url", stage.invoke_url)
