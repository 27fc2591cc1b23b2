"""A function whose conversion code lives in a layer, published as a version and served by an
HTTP API through its `live` alias (the integration and the permission name the alias)."""

import json

import pulumi
import pulumi_aws as aws

units = aws.lambda_.LayerVersion(
    "units",
    layer_name="conformance-units",
    code=pulumi.FileArchive("./layer"),
    compatible_runtimes=["python3.12"],
    description="Unit conversions",
)

role = aws.iam.Role(
    "converter-role",
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

converter = aws.lambda_.Function(
    "converter",
    runtime="python3.12",
    handler="handler.handler",
    role=role.arn,
    code=pulumi.FileArchive("./app"),
    layers=[units.arn],
    publish=True,
)

live = aws.lambda_.Alias(
    "live",
    name="live",
    function_name=converter.name,
    function_version=converter.version,
    description="What the API serves",
)

api = aws.apigatewayv2.Api("converter-api", protocol_type="HTTP")
integration = aws.apigatewayv2.Integration(
    "converter-live",
    api_id=api.id,
    integration_type="AWS_PROXY",
    integration_uri=live.invoke_arn,
    payload_format_version="2.0",
)
aws.apigatewayv2.Route(
    "get-convert",
    api_id=api.id,
    route_key="GET /convert",
    target=pulumi.Output.concat("integrations/", integration.id),
)
stage = aws.apigatewayv2.Stage("converter-stage", api_id=api.id, name="v1", auto_deploy=True)
aws.lambda_.Permission(
    "converter-invoke",
    action="lambda:InvokeFunction",
    function=converter.name,
    qualifier=live.name,
    principal="apigateway.amazonaws.com",
    source_arn=pulumi.Output.concat(api.execution_arn, "/*/GET/convert"),
)

pulumi.export("url", stage.invoke_url)
pulumi.export("functionName", converter.name)
pulumi.export("version", converter.version)
pulumi.export("layerArn", units.arn)
