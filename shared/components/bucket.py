"""A private S3 bucket (public access blocked, encrypted, versioned) and prefix-scoped access."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from shared.components import naming


def private_bucket(part: str, *, force_destroy: bool = False) -> aws.s3.Bucket:
    bucket = aws.s3.Bucket(
        part,
        bucket_prefix=f"{naming.name(part)}-",
        force_destroy=force_destroy,
        tags=naming.tags(),
    )
    aws.s3.BucketPublicAccessBlock(
        f"{part}-public-access-block",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{part}-encryption",
        bucket=bucket.id,
        rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
    )
    aws.s3.BucketVersioning(
        f"{part}-versioning",
        bucket=bucket.id,
        versioning_configuration={"status": "Enabled"},
    )
    return bucket


def prefix_read_write(bucket: aws.s3.Bucket, prefix: str) -> dict:
    """An IAM statement: read and write objects under `<prefix>/` of `bucket`, nothing else."""
    return {
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:PutObject"],
        "Resource": pulumi.Output.concat(bucket.arn, f"/{prefix}/*"),
    }
