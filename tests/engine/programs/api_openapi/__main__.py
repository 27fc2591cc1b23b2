"""A REST API and an HTTP API each defined by an OpenAPI document (`body`), as Pulumi's
examples write them: the REST API published by a Deployment redeployed when the document
changes, and a Stage; the HTTP API by an auto-deployed stage.

backend   URL of an HTTP backend both APIs proxy `GET /hello` to
greeting  the text the REST API's mocked `GET /greeting` answers: changes the document
"""

import hashlib
import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
backend = config.require("backend")
greeting = config.get("greeting") or "hello"

rest_document = {
    "openapi": "3.0.1",
    "info": {"title": "openapi-rest", "version": "1.0"},
    "paths": {
        "/hello": {
            "get": {
                "x-amazon-apigateway-integration": {
                    "type": "http_proxy",
                    "httpMethod": "GET",
                    "uri": f"{backend}/hello",
                    "timeoutInMillis": 5000,
                }
            }
        },
        "/greeting": {
            "get": {
                "responses": {"200": {"description": "the greeting"}},
                "x-amazon-apigateway-integration": {
                    "type": "mock",
                    "requestTemplates": {"application/json": '{"statusCode": 200}'},
                    "responses": {
                        "default": {
                            "statusCode": "200",
                            "responseTemplates": {
                                "application/json": json.dumps({"greeting": greeting})
                            },
                        }
                    },
                },
            }
        },
    },
}
rest_body = json.dumps(rest_document, sort_keys=True)
rest = aws.apigateway.RestApi("rest", body=rest_body, endpoint_configuration={"types": "REGIONAL"})
deployment = aws.apigateway.Deployment(
    "deployment",
    rest_api=rest.id,
    triggers={"redeployment": hashlib.sha256(rest_body.encode()).hexdigest()},
)
stage = aws.apigateway.Stage("v1", rest_api=rest.id, deployment=deployment.id, stage_name="v1")

http_document = {
    "openapi": "3.0.1",
    "info": {"title": "openapi-http", "version": "1.0"},
    "paths": {
        "/hello": {
            "get": {
                "x-amazon-apigateway-integration": {
                    "type": "http_proxy",
                    "httpMethod": "GET",
                    "uri": f"{backend}/hello",
                    "payloadFormatVersion": "1.0",
                }
            }
        }
    },
}
http = aws.apigatewayv2.Api("http", protocol_type="HTTP", body=json.dumps(http_document))
http_stage = aws.apigatewayv2.Stage("http-live", api_id=http.id, name="live", auto_deploy=True)

pulumi.export("restApiId", rest.id)
pulumi.export("rootResourceId", rest.root_resource_id)
pulumi.export("restExecutionArn", rest.execution_arn)
pulumi.export("restUrl", stage.invoke_url)
pulumi.export("httpApiId", http.id)
pulumi.export("httpEndpoint", http.api_endpoint)
pulumi.export("httpUrl", http_stage.invoke_url)
