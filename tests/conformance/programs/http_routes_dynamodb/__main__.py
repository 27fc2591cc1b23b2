"""An HTTP API with its integration, routes and stage declared one by one, in front of a
Lambda function that keeps items in a DynamoDB table."""

import json

import pulumi
import pulumi_aws as aws

table = aws.dynamodb.Table(
    "items",
    billing_mode="PAY_PER_REQUEST",
    hash_key="id",
    attributes=[{"name": "id", "type": "S"}],
)

role = aws.iam.Role(
    "items-role",
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
aws.iam.RolePolicy(
    "items-table-access",
    role=role.id,
    policy=table.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
                        "Resource": arn,
                    }
                ],
            }
        )
    ),
)

items = aws.lambda_.Function(
    "items",
    runtime="python3.12",
    handler="handler.handler",
    role=role.arn,
    code=pulumi.FileArchive("./app"),
    environment={"variables": {"TABLE_NAME": table.name}},
    timeout=10,
)

api = aws.apigatewayv2.Api("items-api", protocol_type="HTTP")

integration = aws.apigatewayv2.Integration(
    "items-lambda",
    api_id=api.id,
    integration_type="AWS_PROXY",
    integration_uri=items.invoke_arn,
    integration_method="POST",
    payload_format_version="2.0",
)

for route_key in ("PUT /items/{id}", "GET /items/{id}"):
    aws.apigatewayv2.Route(
        route_key.split()[0].lower() + "-item",
        api_id=api.id,
        route_key=route_key,
        target=integration.id.apply(lambda integration_id: f"integrations/{integration_id}"),
    )

stage = aws.apigatewayv2.Stage("items-stage", api_id=api.id, name="api", auto_deploy=True)

aws.lambda_.Permission(
    "items-invoke",
    action="lambda:InvokeFunction",
    function=items.name,
    principal="apigateway.amazonaws.com",
    source_arn=pulumi.Output.concat(api.execution_arn, "/*/*/items/{id}"),
)

pulumi.export("url", stage.invoke_url)
pulumi.export("tableName", table.name)
