# Seed 001 (/work/shared/seeds/001_*.txt): "AI Services Orchestration through AWS API Gateway".
# Edits, and only these:
# - runtime python3.8 -> python3.12: AWS no longer creates python3.8 functions (retired).
# - app/handler.py written: the seed assumes "a 'handler.py' file with a 'main' function" in
#   ./app and gives none.
# The seed's other defect is kept: there is no aws.lambda_.Permission, so on AWS the route
# answers 500 (MiniStack does not check Lambda resource policies, so here it answers).
import pulumi
import pulumi_aws as aws

# Create the role for Lambda Function
lambda_role = aws.iam.Role(
    "lambdaRole",
    assume_role_policy="""{
        "Version": "2012-10-17",
        "Statement": [
            {
                "Action": "sts:AssumeRole",
                "Principal": {
                    "Service": "lambda.amazonaws.com"
                },
                "Effect": "Allow",
                "Sid": ""
            }
        ]
    }""",
)

# Attach the AWSLambdaBasicExecutionRole policy to the role
basic_execution_policy_attachment = aws.iam.RolePolicyAttachment(
    "basicExecution",
    role=lambda_role,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
)

# Define the Lambda Function
lambda_function = aws.lambda_.Function(
    "aiServiceFunction",
    role=lambda_role.arn,
    runtime="python3.12",
    handler="handler.main",  # Assuming 'handler.py' file with a 'main' function.
    code=pulumi.AssetArchive(
        {
            ".": pulumi.FileArchive("./app")  # Assuming your Lambda function code is in 'app'
        }
    ),
)

# Define the HTTP API
api = aws.apigatewayv2.Api("aiServicesHttpApi", protocol_type="HTTP")

# Create an integration for the Lambda function
integration = aws.apigatewayv2.Integration(
    "lambdaIntegration",
    api_id=api.id,
    integration_type="AWS_PROXY",
    integration_uri=lambda_function.invoke_arn,
)

# Create a route for GET requests
route = aws.apigatewayv2.Route(
    "apiGETRoute",
    api_id=api.id,
    route_key="GET /",
    target=pulumi.Output.concat("integrations/", integration.id),
)

# Deploy the API
stage = aws.apigatewayv2.Stage("apiStage", api_id=api.id, name="v1", auto_deploy=True)

# Export the API endpoint for easy access
pulumi.export("api_endpoint", api.api_endpoint)
