"""A REST method anyone may call: no authorizer and no API key."""

import pulumi_aws as aws

api = aws.apigateway.RestApi("api")
resource = aws.apigateway.Resource(
    "open", rest_api=api.id, parent_id=api.root_resource_id, path_part="open"
)
aws.apigateway.Method(
    "open-get",
    rest_api=api.id,
    resource_id=resource.id,
    http_method="GET",
    authorization="NONE",
)
