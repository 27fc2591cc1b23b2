"""An HTTP API over the notes table of conformance-stackref-producer, whose name and ARN are
read from that project's stack of the same name through a `pulumi.StackReference`."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
producer = pulumi.StackReference(f"{config.require('producer')}/{pulumi.get_stack()}")
table_name = producer.require_output("tableName")
table_arn = producer.require_output("tableArn")

role = aws.iam.Role(
    "notes-role",
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
    "notes-table-access",
    role=role.id,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["dynamodb:PutItem", "dynamodb:Query"],
                    "Resource": table_arn,
                }
            ],
        }
    ),
)

notes = aws.lambda_.Function(
    "notes",
    runtime="python3.12",
    handler="handler.handler",
    role=role.arn,
    code=pulumi.FileArchive("./app"),
    environment={"variables": {"TABLE_NAME": table_name}},
    timeout=10,
)

api = aws.apigatewayv2.Api("notes-api", protocol_type="HTTP")
integration = aws.apigatewayv2.Integration(
    "notes-lambda",
    api_id=api.id,
    integration_type="AWS_PROXY",
    integration_uri=notes.invoke_arn,
    payload_format_version="2.0",
)
for method in ("POST", "GET"):
    aws.apigatewayv2.Route(
        f"{method.lower()}-notes",
        api_id=api.id,
        route_key=f"{method} /notes/{{author}}",
        target=pulumi.Output.concat("integrations/", integration.id),
    )
stage = aws.apigatewayv2.Stage("notes-stage", api_id=api.id, name="v1", auto_deploy=True)
aws.lambda_.Permission(
    "notes-invoke",
    action="lambda:InvokeFunction",
    function=notes.name,
    principal="apigateway.amazonaws.com",
    source_arn=pulumi.Output.concat(api.execution_arn, "/*/*"),
)

pulumi.export("url", stage.invoke_url)
pulumi.export("tableName", table_name)
