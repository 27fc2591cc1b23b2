"""S3: every bucket is private, encrypted and versioned.

pulumi-aws 7 declares each of these as a resource of its own next to the bucket, so the rule
looks at the whole stack and links them to their bucket by dependency or by the `bucket` input.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    PolicyResource,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from aigw_policy.values import UNKNOWN, describe, dig, linked, of_type, plain

BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
PUBLIC_ACCESS_BLOCK = ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",)
ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
VERSIONING = (
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
)
_BLOCK_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def _names_bucket(bucket: PolicyResource, companion: PolicyResource) -> bool:
    target = plain(companion.props).get("bucket")
    mine = plain(bucket.props)
    return isinstance(target, str) and target in (mine.get("bucket"), mine.get("id"))


def _ok(value: Any, want: Any) -> bool:
    return value is UNKNOWN or value == want


def _buckets_private_encrypted_versioned(
    args: StackValidationArgs, report: ReportViolation
) -> None:
    def companions(bucket: PolicyResource, types: tuple[str, ...]) -> list[dict[str, Any]]:
        return [
            plain(r.props)
            for r in linked(bucket, of_type(args.resources, *types), matches=_names_bucket)
        ]

    for bucket in of_type(args.resources, *BUCKETS):
        own = plain(bucket.props)
        if not any(
            all(_ok(block.get(flag), True) for flag in _BLOCK_FLAGS)
            for block in companions(bucket, PUBLIC_ACCESS_BLOCK)
        ):
            report(
                f"The bucket {describe(bucket)} may become public: add an "
                "aws.s3.BucketPublicAccessBlock for it with block_public_acls, "
                "block_public_policy, ignore_public_acls and restrict_public_buckets all True.",
                bucket.urn,
            )
        encrypted = [c for c in companions(bucket, ENCRYPTION) if c.get("rules")] or own.get(
            "serverSideEncryptionConfiguration"
        )
        if not encrypted:
            report(
                f"The bucket {describe(bucket)} declares no encryption: add an "
                "aws.s3.BucketServerSideEncryptionConfiguration for it (AES256 or aws:kms).",
                bucket.urn,
            )
        versioned = any(
            _ok(dig(c, "versioningConfiguration", "status"), "Enabled")
            for c in companions(bucket, VERSIONING)
        ) or dig(own, "versioning", "enabled") in (True, UNKNOWN)
        if not versioned:
            report(
                f"The bucket {describe(bucket)} is not versioned: add an aws.s3.BucketVersioning "
                "for it with versioning_configuration status 'Enabled'.",
                bucket.urn,
            )


buckets_private_encrypted_versioned = StackValidationPolicy(
    name="buckets-private-encrypted-versioned",
    description="Every S3 bucket blocks public access, is encrypted and is versioned.",
    validate=_buckets_private_encrypted_versioned,
)
