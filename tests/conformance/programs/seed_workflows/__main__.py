# Seed 004 (/work/shared/seeds/004_*.txt): "API Gateway as Orchestrator for AI Workflows".
# Edits, and only these:
# - `import json` added: the seed calls json.dumps without it (NameError).
# - The role and its policy attachment moved above the function: the seed reads
#   `ai_lambda_role.arn` before assigning it (NameError).
# - runtime python3.8 -> python3.12: AWS no longer creates python3.8 functions (retired).
# - `Deployment(stage_name="prod")` and `deployment.invoke_url` are gone in pulumi-aws 7: the
#   stage is an aws.apigateway.Stage named prod and the URL its `invoke_url`.
# - The deployment depends on the integration: AWS refuses to deploy a method that has no
#   integration yet ("No integration defined for method"), and nothing else orders them.
# - path-to-ai-lambda-code/index.py written: the seed gives no code.
# The seed's other defects are kept: the integration is still declared before the method it
# belongs to, with nothing ordering them (whoever applies it must), and there is no
# aws.lambda_.Permission, so on AWS the method answers 500 (MiniStack does not check Lambda
# resource policies, so here it answers).
import json

import pulumi
import pulumi_aws as aws

# Create an AWS API Gateway to act as our orchestrator for AI workflows.
api_gateway = aws.apigateway.RestApi(
    "aiOrchestratorApi", description="API Gateway to orchestrate AI Workflows"
)

# Create a resource representing our AI service endpoint within the API Gateway.
ai_resource = aws.apigateway.Resource(
    "aiServiceResource",
    parent_id=api_gateway.root_resource_id,
    path_part="ai-service",
    rest_api=api_gateway.id,
)

# Role for the Lambda function with policies allowing execution and logging.
ai_lambda_role = aws.iam.Role(
    "aiLambdaRole",
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
)

# Attach a policy to the Lambda role for logging.
aws.iam.RolePolicyAttachment(
    "lambdaLogs",
    role=ai_lambda_role.name,
    policy_arn=aws.iam.ManagedPolicy.AWS_LAMBDA_BASIC_EXECUTION_ROLE.value,
)

# Define the Lambda function that will handle the logic for our AI service.
ai_lambda_function = aws.lambda_.Function(
    "aiServiceLambda",
    # Path to the directory containing your Lambda function's code and dependencies.
    code=pulumi.FileArchive("./path-to-ai-lambda-code"),
    # The entrypoint into your Lambda function, typically 'filename.handler_function'.
    handler="index.handler",
    # The IAM role that the Lambda function assumes. Must have necessary permissions.
    role=ai_lambda_role.arn,
    runtime="python3.12",  # Identifier of the function's runtime environment.
)

# Create an integration between the AI service resource and the Lambda function.
integration = aws.apigateway.Integration(
    "aiServiceIntegration",
    rest_api=api_gateway.id,
    resource_id=ai_resource.id,
    # You can specify different HTTP methods as needed (GET, POST, etc.).
    http_method="ANY",
    # The backend request's HTTP method (must be POST for Lambda function invocations).
    integration_http_method="POST",
    # Integration type 'AWS_PROXY' allows for the passing of the entire request to the backend
    # Lambda function.
    type="AWS_PROXY",
    uri=ai_lambda_function.invoke_arn,
)

# Create a method for clients to use the AI service's endpoint through the API Gateway.
method = aws.apigateway.Method(
    "aiServiceMethod",
    rest_api=api_gateway.id,
    resource_id=ai_resource.id,
    http_method="ANY",  # Match the method type specified in the integration.
    # Authorization can be set to AWS_IAM, CUSTOM, or NONE based on your security needs.
    authorization="NONE",
)

# Deploy the API Gateway to make the AI service endpoint accessible.
deployment = aws.apigateway.Deployment(
    "aiServiceDeployment",
    rest_api=api_gateway.id,
    opts=pulumi.ResourceOptions(depends_on=[integration]),
)
# Note: In a real-world scenario, you might want to associate this deployment with a stage for
# lifecycle management.
stage = aws.apigateway.Stage(
    "aiServiceStage", rest_api=api_gateway.id, deployment=deployment.id, stage_name="prod"
)

# After deploying the API Gateway, an Invoke URL will be created. We can export this URL for
# easy access.
pulumi.export("invoke_url", stage.invoke_url)
