# Seed 003 (/work/shared/seeds/003_*.txt): "Global API Gateway for Distributed AI Applications".
# Edits, and only these:
# - `import json` added: the seed calls json.dumps without it (NameError).
# - runtime python3.8 -> python3.12: AWS no longer creates python3.8 functions (retired).
# - `Deployment(stage_name="prod")` is gone in pulumi-aws 7: the stage is an
#   aws.apigateway.Stage named prod, and the URL reads its `stage_name`.
# - `depends_on=[method]` was a keyword argument of Deployment, which takes none (TypeError):
#   it is a ResourceOptions, and names the integration as well as the method, since AWS refuses
#   to deploy a method that has no integration yet ("No integration defined for method").
# - app/app.py written: the seed assumes "a file named app.py within the app/ directory".
# `aws.config.region` is set by the stack's config (Pulumi.local.yaml), not by an edit.
# The seed's other defect is kept: there is no aws.lambda_.Permission, so on AWS the method
# answers 500 (MiniStack does not check Lambda resource policies, so here it answers).
import json

import pulumi
import pulumi_aws as aws

# Define an AWS Lambda function to serve as the backend for your AI application.
# The 'runtime' should match the environment compatible with your AI application,
# and 'handler' should point to the function within your code that AWS Lambda can invoke.
ai_lambda = aws.lambda_.Function(
    "aiLambdaFunction",
    runtime="python3.12",
    code=pulumi.AssetArchive(
        {
            ".": pulumi.FileArchive("./app"),  # Path to your Lambda function code
        }
    ),
    handler="app.handler",  # The format is {file_name}.{handler_function}
    role=aws.iam.Role(
        "lambdaRole",
        assume_role_policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Action": "sts:AssumeRole",
                        "Effect": "Allow",
                        "Principal": {
                            "Service": "lambda.amazonaws.com",
                        },
                    }
                ],
            }
        ),
    ).arn,
)

# Create an API Gateway REST API to expose the AI Lambda function.
api_gateway = aws.apigateway.RestApi(
    "aiApiGateway", description="API Gateway for Distributed AI Applications"
)

# Define a resource within the API Gateway to serve as an endpoint for the AI function.
resource = aws.apigateway.Resource(
    "aiResource",
    parent_id=api_gateway.root_resource_id,
    path_part="ai",  # This is the path that will follow your API Gateway's base URL (e.g., /ai)
    rest_api=api_gateway.id,
)

# Create a method for the resource, such as a HTTP GET or POST.
method = aws.apigateway.Method(
    "aiMethod",
    http_method="POST",  # Choose the HTTP method that your AI application needs.
    authorization="NONE",  # Update this to the type of authorization you require.
    resource_id=resource.id,
    rest_api=api_gateway.id,
)

# Integrate the Lambda function with the API Gateway resource.
integration = aws.apigateway.Integration(
    "aiIntegration",
    http_method=method.http_method,
    resource_id=resource.id,
    rest_api=api_gateway.id,
    integration_http_method="POST",
    type="AWS_PROXY",
    uri=ai_lambda.invoke_arn,
)

# Deploy the API Gateway.
deployment = aws.apigateway.Deployment(
    "aiApiDeployment",
    rest_api=api_gateway.id,
    # The deployment needs to depend on the method integration.
    opts=pulumi.ResourceOptions(depends_on=[method, integration]),
)
# 'stage_name' defines the stage of the API, 'prod' for production.
stage = aws.apigateway.Stage(
    "aiApiStage", rest_api=api_gateway.id, deployment=deployment.id, stage_name="prod"
)

# Make the gateway's URL easily discoverable.
pulumi.export(
    "api_url",
    pulumi.Output.concat(
        "https://",
        api_gateway.id,
        ".execute-api.",
        aws.config.region,
        ".amazonaws.com/",
        stage.stage_name,
    ),
)
