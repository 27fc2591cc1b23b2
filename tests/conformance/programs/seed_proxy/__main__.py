# Seed 002 (/work/shared/seeds/002_*.txt): "API Gateway as a Proxy for ML Model Endpoints".
# Edits, and only these:
# - `Deployment(stage_name='v1')` and `deployment.invoke_url` are gone in pulumi-aws 7: the
#   stage is an aws.apigateway.Stage named v1 and the URL its `invoke_url` (which has no
#   trailing slash, hence '/predict').
# - The deployment depends on the integration: AWS refuses to deploy a method that has no
#   integration yet ("No integration defined for method"), and nothing else orders them.
# - `ml_model_endpoint` is read from config (default: the seed's placeholder), as the seed says
#   to replace it with your actual endpoint.
# The API key and usage plan stay commented out, as in the seed.
import pulumi
import pulumi_aws as aws

# Create a new REST API on API Gateway. This will act as a proxy to the ML endpoint.
rest_api = aws.apigateway.RestApi(
    "MLProxyAPI", description="API Gateway to proxy requests to ML model endpoint."
)

# Create a resource (such as /predict) within our REST API. All requests to this path
# will be forwarded to the ML model's HTTP endpoint.
prediction_resource = aws.apigateway.Resource(
    "PredictResource",
    rest_api=rest_api.id,
    parent_id=rest_api.root_resource_id,
    path_part="predict",  # The URL path for invoking the ML model.
)

# Create a method for the prediction resource. This specifies the HTTP method
# clients can use, in this case, we're allowing POST requests.
prediction_method = aws.apigateway.Method(
    "PredictPOSTMethod",
    rest_api=rest_api.id,
    resource_id=prediction_resource.id,
    http_method="POST",
    authorization="NONE",  # Specifies the type of authorization, here we're allowing open access.
)

# Configure the integration to connect the prediction resource to the actual ML model endpoint.
# You might use a SageMaker endpoint, an EC2 instance, or any HTTP endpoint serving the ML model.
ml_model_endpoint = pulumi.Config().require("mlModelEndpoint")
prediction_integration = aws.apigateway.Integration(
    "PredictIntegration",
    rest_api=rest_api.id,
    resource_id=prediction_resource.id,
    http_method=prediction_method.http_method,
    integration_http_method="POST",  # The backend HTTP method expected by the ML model endpoint.
    type="HTTP_PROXY",  # Type HTTP_PROXY for straightforward proxying.
    uri=ml_model_endpoint,  # The URI of the ML model endpoint.
)

# Deploy the API to make it accessible. We'll create a stage named 'v1'.
deployment = aws.apigateway.Deployment(
    "MLProxyAPIDeployment",
    rest_api=rest_api.id,
    opts=pulumi.ResourceOptions(depends_on=[prediction_integration]),
)
stage = aws.apigateway.Stage(
    "MLProxyAPIStage", rest_api=rest_api.id, deployment=deployment.id, stage_name="v1"
)

# If you'd like to secure the API with an API key and usage plan, uncomment the lines below.
# api_key = aws.apigateway.ApiKey('APIKey', enabled=True)
# plan = aws.apigateway.UsagePlan('APIUsagePlan',
#     api_stages=[{
#         'apiId': rest_api.id,
#         'stage': deployment.stage_name,
#     }],
#     throttle={
#         'burstLimit': 10,
#         'rateLimit': 2,
#     },
#     quota={
#         'limit': 1000,
#         'period': 'MONTH',
#         'offset': 1,
#     }
# )

# Export the URL of the deployed API so we know where to send requests.
pulumi.export("api_url", stage.invoke_url.apply(lambda url: url + "/predict"))
