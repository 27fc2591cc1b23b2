"""A REST stage with neither access logs nor throttling."""

import pulumi
import pulumi_aws as aws

api = aws.apigateway.RestApi("api")
resource = aws.apigateway.Resource(
    "ping", rest_api=api.id, parent_id=api.root_resource_id, path_part="ping"
)
method = aws.apigateway.Method(
    "ping-get",
    rest_api=api.id,
    resource_id=resource.id,
    http_method="GET",
    authorization="NONE",
    api_key_required=True,
)
integration = aws.apigateway.Integration(
    "ping-get-integration",
    rest_api=api.id,
    resource_id=resource.id,
    http_method=method.http_method,
    type="MOCK",
    request_templates={"application/json": '{"statusCode": 200}'},
)
deployment = aws.apigateway.Deployment(
    "deployment", rest_api=api.id, opts=pulumi.ResourceOptions(depends_on=[integration])
)
aws.apigateway.Stage("stage", rest_api=api.id, deployment=deployment.id, stage_name="v1")
