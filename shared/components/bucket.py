"""A private S3 bucket, as one component, and prefix-scoped access to it.

Default settings (a caller's `bucket_args` override the first kind; what is marked fixed is
insisted on):
- auto-named from the component's name (globally unique, so replacements never collide);
- `force_destroy` False: destroy fails on a bucket holding objects unless asked;
- public access blocked on all four counts (fixed), default encryption SSE-S3 AES256 (fixed),
  versioning enabled (fixed), each as its own resource as pulumi-aws 7 models them;
- tags: project, environment, managed-by (merged over the caller's).
Pass `opts=ResourceOptions(protect=True)` to keep Pulumi from deleting it: children inherit it.

Outputs: `bucket_name`, `arn`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from shared.components import naming

TYPE = "aigw:s3:PrivateBucket"
# The Bucket's inline forms of what this component manages as resources of their own: set here,
# they would fight those resources on every deploy.
_MANAGED_SEPARATELY = {
    key: "managed by the component as its own resource (private, encrypted, versioned)"
    for key in ("acl", "grants", "policy", "versioning", "server_side_encryption_configuration")
}


@dataclass(frozen=True, kw_only=True)
class PrivateBucketArgs:
    force_destroy: bool = False
    bucket_args: Mapping[str, Any] = field(default_factory=dict)  # extra aws.s3.Bucket


class PrivateBucket(pulumi.ComponentResource):
    bucket_name: pulumi.Output[str]
    arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: PrivateBucketArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        args = args or PrivateBucketArgs()
        bucket = aws.s3.Bucket(
            name,
            **naming.merged(
                TYPE,
                defaults={"force_destroy": args.force_destroy},
                extra=args.bucket_args,
                insisted={"tags": naming.tags()},
                auto_named=("bucket",),
                refused=_MANAGED_SEPARATELY,
            ),
            opts=naming.child(self),
        )
        aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=naming.child(self),
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=naming.child(self),
        )
        aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=naming.child(self),
        )
        self.bucket_name = bucket.bucket
        self.arn = bucket.arn
        self.register_outputs({"bucket_name": self.bucket_name, "arn": self.arn})

    def read_write(self, prefix: str) -> dict[str, Any]:
        """An IAM statement: read and write objects under `<prefix>/` of this bucket only."""
        return {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": pulumi.Output.concat(self.arn, f"/{prefix}/*"),
        }
