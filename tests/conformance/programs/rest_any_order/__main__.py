"""A REST API written in the order a reader thinks of it, not the order AWS needs: the
integration is declared before the method it belongs to and names the verb as a string, so
nothing in the program orders them; AWS refuses an integration of a method that does not
exist yet ("Invalid Method identifier"), so whoever applies this must order them itself."""

import json

import pulumi
import pulumi_aws as aws

role = aws.iam.Role(
    "stats-role",
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

stats = aws.lambda_.Function(
    "stats",
    runtime="python3.12",
    handler="handler.handler",
    role=role.arn,
    code=pulumi.FileArchive("./app"),
)

api = aws.apigateway.RestApi("stats-api")
v1 = aws.apigateway.Resource("v1", rest_api=api.id, parent_id=api.root_resource_id, path_part="v1")
score = aws.apigateway.Resource("score", rest_api=api.id, parent_id=v1.id, path_part="score")

score_integration = aws.apigateway.Integration(
    "score-integration",
    rest_api=api.id,
    resource_id=score.id,
    http_method="POST",
    integration_http_method="POST",
    type="AWS_PROXY",
    uri=stats.invoke_arn,
)

score_method = aws.apigateway.Method(
    "score-post",
    rest_api=api.id,
    resource_id=score.id,
    http_method="POST",
    authorization="NONE",
)

aws.lambda_.Permission(
    "stats-invoke",
    action="lambda:InvokeFunction",
    function=stats.name,
    principal="apigateway.amazonaws.com",
    source_arn=pulumi.Output.concat(api.execution_arn, "/*/POST/v1/score"),
)

deployment = aws.apigateway.Deployment(
    "stats-deployment",
    rest_api=api.id,
    opts=pulumi.ResourceOptions(depends_on=[score_method, score_integration]),
)
stage = aws.apigateway.Stage(
    "stats-stage", rest_api=api.id, deployment=deployment.id, stage_name="live"
)

pulumi.export("url", stage.invoke_url)
