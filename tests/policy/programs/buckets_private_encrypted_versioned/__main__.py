"""A bucket with no public access block, no encryption and no versioning."""

import pulumi_aws as aws

aws.s3.Bucket("data")
