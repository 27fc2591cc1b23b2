"""A function allowed 30 s behind a REST integration that gives up after 29 s."""

import pulumi
import pulumi_aws as aws

function = aws.lambda_.Function(
    "slow",
    runtime="python3.12",
    handler="index.handler",
    role="arn:aws:iam::000000000000:role/runner",
    timeout=30,
    code=pulumi.AssetArchive(
        {"index.py": pulumi.StringAsset("def handler(e, c):\n    return e\n")}
    ),
)
api = aws.apigateway.RestApi("api")
resource = aws.apigateway.Resource(
    "slow", rest_api=api.id, parent_id=api.root_resource_id, path_part="slow"
)
method = aws.apigateway.Method(
    "slow-post",
    rest_api=api.id,
    resource_id=resource.id,
    http_method="POST",
    authorization="NONE",
    api_key_required=True,
)
aws.apigateway.Integration(
    "slow-post-integration",
    rest_api=api.id,
    resource_id=resource.id,
    http_method=method.http_method,
    type="AWS_PROXY",
    integration_http_method="POST",
    uri=function.invoke_arn,
)
