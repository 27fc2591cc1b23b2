"""A Lambda function behind a REST API, with a bucket: one of each kind of resource a crash
can catch half-made (named by AWS, by the engine's auto-name, or by its identity).

name        prefix of every physical name (unique per test, since tests share one emulator)
roleSuffix  part of the role's name prefix: changing it replaces the role create-before-delete
"""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
name = config.require("name")

role = aws.iam.Role(
    "role",
    name_prefix=f"{name}-{config.get('roleSuffix') or 'r'}-",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
)
function = aws.lambda_.Function(
    "function",
    name=f"{name}-fn",
    runtime="python3.12",
    handler="handler.handler",
    role=role.arn,
    code=pulumi.AssetArchive(
        {
            "handler.py": pulumi.StringAsset(
                "import json\n"
                "def handler(event, context):\n"
                "    return {'statusCode': 200, 'body': json.dumps({'ok': True})}\n"
            )
        }
    ),
)
api = aws.apigateway.RestApi("api", name=f"{name}-api")
resource = aws.apigateway.Resource(
    "resource", rest_api=api.id, parent_id=api.root_resource_id, path_part="hello"
)
method = aws.apigateway.Method(
    "method", rest_api=api.id, resource_id=resource.id, http_method="GET", authorization="NONE"
)
integration = aws.apigateway.Integration(
    "integration",
    rest_api=api.id,
    resource_id=resource.id,
    http_method=method.http_method,
    type="AWS_PROXY",
    integration_http_method="POST",
    uri=function.invoke_arn,
)
aws.lambda_.Permission(
    "invoke",
    action="lambda:InvokeFunction",
    function=function.name,
    principal="apigateway.amazonaws.com",
    source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/*"),
)
deployment = aws.apigateway.Deployment(
    "deployment", rest_api=api.id, opts=pulumi.ResourceOptions(depends_on=[integration])
)
stage = aws.apigateway.Stage("stage", rest_api=api.id, deployment=deployment.id, stage_name="local")
bucket = aws.s3.Bucket("bucket", bucket=f"{name}-data", force_destroy=True)

pulumi.export("url", pulumi.Output.concat(stage.invoke_url, "/hello"))
