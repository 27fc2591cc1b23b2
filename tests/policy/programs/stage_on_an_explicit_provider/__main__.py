"""A logging REST stage on an explicit provider in eu-north-1, in a stack that reads the
bootstrap stack of its environment: the stage lives in its provider's region, where the
bootstrap (covering eu-west-1 in the test) set no CloudWatch role."""

import pulumi
import pulumi_aws as aws

pulumi.StackReference(f"{pulumi.get_organization()}/aigw-bootstrap/{pulumi.get_stack()}")
north = aws.Provider("north", region="eu-north-1")
on_north = pulumi.ResourceOptions(provider=north)
api = aws.apigateway.RestApi("api", opts=on_north)
resource = aws.apigateway.Resource(
    "ping", rest_api=api.id, parent_id=api.root_resource_id, path_part="ping", opts=on_north
)
method = aws.apigateway.Method(
    "ping-get",
    rest_api=api.id,
    resource_id=resource.id,
    http_method="GET",
    authorization="NONE",
    api_key_required=True,
    opts=on_north,
)
integration = aws.apigateway.Integration(
    "ping-get-integration",
    rest_api=api.id,
    resource_id=resource.id,
    http_method=method.http_method,
    type="MOCK",
    request_templates={"application/json": '{"statusCode": 200}'},
    opts=on_north,
)
deployment = aws.apigateway.Deployment(
    "deployment",
    rest_api=api.id,
    opts=pulumi.ResourceOptions(provider=north, depends_on=[integration]),
)
logs = aws.cloudwatch.LogGroup("access-logs", retention_in_days=7, opts=on_north)
stage = aws.apigateway.Stage(
    "stage",
    rest_api=api.id,
    deployment=deployment.id,
    stage_name="v1",
    access_log_settings={"destination_arn": logs.arn, "format": '{"id":"$context.requestId"}'},
    opts=on_north,
)
aws.apigateway.MethodSettings(
    "stage-settings",
    rest_api=api.id,
    stage_name=stage.stage_name,
    method_path="*/*",
    settings={"throttling_rate_limit": 10, "throttling_burst_limit": 20},
    opts=on_north,
)
