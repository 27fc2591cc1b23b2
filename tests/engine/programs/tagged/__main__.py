"""An HTTP API and a bucket tagged as the project's components tag every resource.

name  prefix of the physical names (unique per test, since tests share one emulator)
"""

import pulumi
import pulumi_aws as aws

name = pulumi.Config().require("name")
tags = {"project": pulumi.get_project(), "environment": pulumi.get_stack()}

aws.apigatewayv2.Api("api", name=f"{name}-api", protocol_type="HTTP", tags=tags)
aws.s3.Bucket("bucket", bucket=f"{name}-data", force_destroy=True, tags=tags)
