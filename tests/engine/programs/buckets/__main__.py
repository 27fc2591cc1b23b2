"""A private bucket: versioned, encrypted, public access blocked.

name          bucket name (unique per test)
versioning    Enabled (default) or Suspended: updates in place
algorithm     default encryption, AES256 (default) or aws:kms: updates in place
restrict      restrict_public_buckets, true (default) or false: updates in place
owner         the owner tag: updates the bucket in place
forceDestroy  whether destroy empties the bucket first (default false): updates in place
region        the region of the bucket and its settings (default: the provider's)
"""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
region = config.get("region")

bucket = aws.s3.Bucket(
    "bucket",
    bucket=config.require("name"),
    force_destroy=config.get_bool("forceDestroy") or False,
    tags={"owner": config.get("owner") or "first"},
    region=region,
)
aws.s3.BucketPublicAccessBlock(
    "block",
    bucket=bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=config.get_bool("restrict") is not False,
    region=region,
)
aws.s3.BucketServerSideEncryptionConfiguration(
    "encryption",
    bucket=bucket.id,
    rules=[
        {
            "apply_server_side_encryption_by_default": {
                "sse_algorithm": config.get("algorithm") or "AES256"
            },
            "bucket_key_enabled": True,
        }
    ],
    region=region,
)
aws.s3.BucketVersioning(
    "versioning",
    bucket=bucket.id,
    versioning_configuration={"status": config.get("versioning") or "Enabled"},
    region=region,
)

pulumi.export("bucket", bucket.bucket)
pulumi.export("arn", bucket.arn)
pulumi.export("regionalDomainName", bucket.bucket_regional_domain_name)
