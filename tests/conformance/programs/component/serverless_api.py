"""`ServerlessApi`: a Lambda function behind one HTTP API route, as one component."""

import json

import pulumi
import pulumi_aws as aws


class ServerlessApi(pulumi.ComponentResource):
    """A function with its role, served at `route_key` of an HTTP API; `url` is the stage's."""

    url: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        code: str,
        route_key: str,
        environment: dict[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("conformance:index:ServerlessApi", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        role = aws.iam.Role(
            f"{name}-role",
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
            opts=child,
        )
        function = aws.lambda_.Function(
            f"{name}-function",
            runtime="python3.12",
            handler="handler.handler",
            role=role.arn,
            code=pulumi.FileArchive(code),
            environment={"variables": environment},
            opts=child,
        )
        api = aws.apigatewayv2.Api(f"{name}-api", protocol_type="HTTP", opts=child)
        integration = aws.apigatewayv2.Integration(
            f"{name}-integration",
            api_id=api.id,
            integration_type="AWS_PROXY",
            integration_uri=function.invoke_arn,
            payload_format_version="2.0",
            opts=child,
        )
        aws.apigatewayv2.Route(
            f"{name}-route",
            api_id=api.id,
            route_key=route_key,
            target=pulumi.Output.concat("integrations/", integration.id),
            opts=child,
        )
        stage = aws.apigatewayv2.Stage(
            f"{name}-stage", api_id=api.id, name="live", auto_deploy=True, opts=child
        )
        aws.lambda_.Permission(
            f"{name}-invoke",
            action="lambda:InvokeFunction",
            function=function.name,
            principal="apigateway.amazonaws.com",
            source_arn=pulumi.Output.concat(api.execution_arn, "/*/*"),
            opts=child,
        )

        self.url = stage.invoke_url
        self.register_outputs({"url": self.url})
