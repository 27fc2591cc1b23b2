# Seed 000 (/work/shared/seeds/000_*.txt): "API Gateway Stage Variables for AI Model Versions".
# Edits, and only these:
# - The Deployment is removed, and with it `deployment_id` on both stages: it was created before
#   any route exists, which AWS refuses for an HTTP API ("no routes exist in this API"), so the
#   program cannot run; stages with `auto_deploy=True` deploy the API themselves (pulumi-aws 7:
#   with auto_deploy set no deployment_id and create no Deployment).
# The seed's other defect is kept: no route or integration uses the stage variables, so each
# stage answers 404 to every path.
import pulumi
import pulumi_aws as aws

# Create an API object to hold your resources
api = aws.apigatewayv2.Api(
    "myApi",
    protocol_type="HTTP",  # Define the protocol type (HTTP or WEBSOCKET)
    route_selection_expression="$request.method $request.path",
)

# Creating a stage for AI Model v1
stage_v1 = aws.apigatewayv2.Stage(
    "myApiStageV1",
    api_id=api.id,
    name="v1",
    # Using the 'stage_variables' to setup variables that can be used in the integration
    # transforms and routing
    stage_variables={
        "modelVersion": "v1",
        "modelEndpoint": "https://example.com/ai/v1/inference",  # An example endpoint
    },
    auto_deploy=True,
)

# Creating a stage for AI Model v2
stage_v2 = aws.apigatewayv2.Stage(
    "myApiStageV2",
    api_id=api.id,
    name="v2",
    stage_variables={
        "modelVersion": "v2",
        "modelEndpoint": "https://example.com/ai/v2/inference",  # An example endpoint
    },
    auto_deploy=True,
)

# Exporting the URLs of the stages so they can be accessed
pulumi.export("stage_v1_invoke_url", stage_v1.invoke_url)
pulumi.export("stage_v2_invoke_url", stage_v2.invoke_url)
