"""An existing resource read with `.get()` instead of declared."""

import pulumi
import pulumi_aws as aws

existing = aws.s3.Bucket.get("existing", "some-bucket")
pulumi.export("arn", existing.arn)
