"""A program using a resource type the local engine has no provider for."""

import pulumi_aws as aws

aws.apigateway.RestApi("api", name="never-created")
aws.ec2.Vpc("network", cidr_block="10.0.0.0/16")
