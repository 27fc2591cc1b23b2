"""A published function that imports its helper from a layer, behind an alias, with the
permission API Gateway needs on that alias: the way an AI service ships a model client.

name     physical-name stem of the function, layer and role (unique per test)
code     folder holding the function's handler.py (FileArchive)
layer    folder holding the layer's python/ tree (FileArchive)
message  the MESSAGE environment variable: configuration, updates in place and publishes
weight   with a value, the alias routes that share of calls to version 1 (routingConfig)
"""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
name = config.require("name")

role = aws.iam.Role(
    "role",
    name_prefix=f"{name}-",
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
    managed_policy_arns=["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
)
layer = aws.lambda_.LayerVersion(
    "helpers",
    layer_name=f"{name}-helpers",
    code=pulumi.FileArchive(config.require("layer")),
    compatible_runtimes=["python3.12"],
    description="prompt helpers",
)
function = aws.lambda_.Function(
    "model",
    name=name,
    runtime="python3.12",
    handler="handler.handler",
    role=role.arn,
    code=pulumi.FileArchive(config.require("code")),
    layers=[layer.arn],
    publish=True,
    timeout=10,
    memory_size=256,
    environment={"variables": {"MESSAGE": config.get("message") or "hello"}},
    tags={"purpose": "inference"},
)
weight = config.get_float("weight")
alias = aws.lambda_.Alias(
    "live",
    name="live",
    function_name=function.name,
    function_version=function.version,
    description="what callers use",
    routing_config={"additional_version_weights": {"1": weight}} if weight else None,
)
aws.lambda_.Permission(
    "invoke",
    action="lambda:InvokeFunction",
    function=function.name,
    qualifier=alias.name,
    principal="apigateway.amazonaws.com",
    source_arn="arn:aws:execute-api:us-east-1:000000000000:abcdef1234/*/*",
)

pulumi.export("functionName", function.name)
pulumi.export("version", function.version)
pulumi.export("qualifiedArn", function.qualified_arn)
pulumi.export("qualifiedInvokeArn", function.qualified_invoke_arn)
pulumi.export("aliasArn", alias.arn)
pulumi.export("aliasInvokeArn", alias.invoke_arn)
pulumi.export("layerArn", layer.layer_arn)
pulumi.export("layerVersionArn", layer.arn)
pulumi.export("layerVersion", layer.version)
pulumi.export("roleName", role.name)
