"""A custom domain that still accepts TLS 1.0."""

import pulumi
import pulumi_aws as aws

aws.apigateway.DomainName(
    "api",
    domain_name="api.example.com",
    regional_certificate_arn="arn:aws:acm:us-east-1:000000000000:certificate/0123",
    endpoint_configuration={"types": "REGIONAL"},
    security_policy="TLS_1_0",
    opts=pulumi.ResourceOptions(delete_before_replace=True),
)
