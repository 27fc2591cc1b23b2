"""A private, encrypted, versioned bucket with capitals in its logical name and no name of its
own: pulumi-aws names it `modelartifacts-<7 hex>`, a name Pulumi made, not a fixed one."""

import pulumi_aws as aws

bucket = aws.s3.Bucket("ModelArtifacts")
aws.s3.BucketPublicAccessBlock(
    "ModelArtifacts-public-access",
    bucket=bucket.bucket,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
aws.s3.BucketServerSideEncryptionConfiguration(
    "ModelArtifacts-encryption",
    bucket=bucket.bucket,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
)
aws.s3.BucketVersioning(
    "ModelArtifacts-versioning",
    bucket=bucket.bucket,
    versioning_configuration={"status": "Enabled"},
)
