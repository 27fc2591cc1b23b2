"""A program setting inputs the local engine does not apply (a resource policy and response
compression on a REST API): dropping them would leave an API that behaves otherwise than
declared, so the engine must refuse the program before anything is applied."""

import json

import pulumi
import pulumi_aws as aws

api = aws.apigateway.RestApi(
    "api",
    name=pulumi.Config().require("name"),
    minimum_compression_size="1024",
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "execute-api:Invoke",
                    "Resource": "*",
                }
            ],
        }
    ),
)
aws.apigateway.Resource("resource", rest_api=api.id, parent_id=api.root_resource_id, path_part="a")
