"""A small program whose config drives every kind of engine step.

name        RestApi name (unique per test, since tests share one emulator)
description RestApi description: changes in place
path        Resource path part: forces a replacement (and of the method and integration on it)
withKey     adds or removes an API key
"""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
api = aws.apigateway.RestApi(
    "api", name=config.require("name"), description=config.get("description") or "first"
)
resource = aws.apigateway.Resource(
    "resource",
    rest_api=api.id,
    parent_id=api.root_resource_id,
    path_part=config.get("path") or "one",
)
method = aws.apigateway.Method(
    "method", rest_api=api.id, resource_id=resource.id, http_method="GET", authorization="NONE"
)
aws.apigateway.Integration(
    "integration",
    rest_api=api.id,
    resource_id=resource.id,
    http_method=method.http_method,
    type="MOCK",
    request_templates={"application/json": '{"statusCode": 200}'},
)
if config.get_bool("withKey"):
    key = aws.apigateway.ApiKey("key", name=pulumi.Output.concat(api.name, "-key"))
    pulumi.export("keyId", key.id)

pulumi.export("apiId", api.id)
pulumi.export("path", resource.path)
