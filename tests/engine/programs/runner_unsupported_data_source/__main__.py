"""A data source the local engine does not provide, called before and after a resource."""

import pulumi_aws as aws

aws.s3.Bucket("before")
vpc = aws.ec2.get_vpc(default=True)
aws.s3.Bucket("after", bucket=vpc.id)
