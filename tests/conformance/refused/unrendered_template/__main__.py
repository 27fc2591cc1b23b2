"""A SageMaker `AWS` integration whose request template uses `#foreach`: the engine's local
bridge does not render it, so the program is refused before anything is made."""

import json

import pulumi_aws as aws

role = aws.iam.Role(
    "invoke",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "apigateway.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
)
api = aws.apigateway.RestApi("batch")
method = aws.apigateway.Method(
    "post",
    rest_api=api.id,
    resource_id=api.root_resource_id,
    http_method="POST",
    authorization="NONE",
)
aws.apigateway.Integration(
    "batch-invoke",
    rest_api=api.id,
    resource_id=api.root_resource_id,
    http_method=method.http_method,
    type="AWS",
    integration_http_method="POST",
    uri="arn:aws:apigateway:us-east-1:runtime.sagemaker:path/endpoints/batch/invocations",
    credentials=role.arn,
    request_templates={
        "application/json": '{"instances": [#foreach($t in $input.path(\'$.texts\'))"$t"'
        "#if($foreach.hasNext),#end#end]}"
    },
)
