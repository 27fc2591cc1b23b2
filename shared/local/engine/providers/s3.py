"""S3 buckets (the pulumi-aws 7 `Bucket`) and their separate configuration resources.

Each configuration resource (public access block, default encryption, versioning) is keyed by
its bucket name, as in the AWS provider. Where MiniStack 1.5.33 differs from AWS:
- Creating a bucket that already exists succeeds in every region (AWS answers
  BucketAlreadyOwnedByYou outside us-east-1); the provider adopts it as AWS does in us-east-1.
- Like AWS since 2023, deleting a bucket's encryption configuration leaves the default SSE-S3
  (AES256) one in place, so `get_bucket_encryption` never reports it gone while the bucket exists.
- Object Lock retention is not enforced; the provider still passes BypassGovernanceRetention when
  emptying a bucket created with object lock.
"""

from __future__ import annotations

import abc
from typing import Any

from botocore.exceptions import ClientError

from shared.local.engine.naming import AutoName, s3_bucket_name
from shared.local.engine.providers.base import (
    Client,
    Context,
    Created,
    Desired,
    Inputs,
    Outputs,
    Provider,
    drop_none,
    provides,
    tag_list,
)
from shared.local.engine.state import ResourceRecord


@provides
class Bucket(Provider):
    type_token = "aws:s3/bucket:Bucket"
    service = "s3"
    # forceDestroy only changes what delete does; no API call.
    updatable = frozenset({"tags", "forceDestroy"})
    # pulumi-aws lowercases a bucket's auto-name; the engine also drops what S3 refuses.
    auto_name = AutoName("bucket", prefix="bucketPrefix", max_length=63, transform=s3_bucket_name)

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        name, region = i["bucket"], ctx.region_of(i)
        client = self.client(ctx, i)
        client.create_bucket(
            **drop_none(
                Bucket=name,
                # us-east-1 is the default location and must not be named.
                CreateBucketConfiguration=(
                    {"LocationConstraint": region} if region != "us-east-1" else None
                ),
                ObjectLockEnabledForBucket=i.get("objectLockEnabled"),
            )
        )
        if i.get("tags"):
            try:
                self._retag(client, name, {}, i["tags"])
            except Exception:
                client.delete_bucket(Bucket=name)  # leave nothing unrecorded behind
                raise
        return Created(name, self._outputs(name, region))

    @staticmethod
    def _outputs(name: str, region: str) -> Outputs:
        return {
            "bucket": name,
            "arn": f"arn:aws:s3:::{name}",
            "bucketDomainName": f"{name}.s3.amazonaws.com",
            "bucketRegionalDomainName": f"{name}.s3.{region}.amazonaws.com",
            "bucketRegion": region,
            "region": region,
        }

    @staticmethod
    def _retag(client: Client, name: str, old: dict | None, new: dict | None) -> None:
        """S3 sets or deletes a bucket's whole tag set at once."""
        if (old or {}) == (new or {}):
            return
        if new:
            client.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tag_list(new)})
        else:
            client.delete_bucket_tagging(Bucket=name)

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        client = self.client(ctx, want.inputs)
        self._retag(client, have.id, have.inputs.get("tags"), want.inputs.get("tags"))
        return self._outputs(have.id, ctx.region_of(want.inputs))

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        client = self.client(ctx, have.inputs)
        if have.inputs.get("forceDestroy"):
            empty_bucket(
                client, have.id, bypass_governance=bool(have.inputs.get("objectLockEnabled"))
            )
        client.delete_bucket(Bucket=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).head_bucket(Bucket=have.id)


def empty_bucket(client: Client, bucket: str, *, bypass_governance: bool = False) -> int:
    """Delete every object version and delete marker (all objects, versioned or not); returns
    how many were deleted."""
    deleted = 0
    for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket):
        doomed = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        for start in range(0, len(doomed), 1000):  # DeleteObjects takes at most 1000 keys
            batch = doomed[start : start + 1000]
            answer = client.delete_objects(
                Bucket=bucket,
                Delete={"Objects": batch, "Quiet": True},
                **({"BypassGovernanceRetention": True} if bypass_governance else {}),
            )
            if errors := answer.get("Errors"):
                first = errors[0]
                raise ClientError(
                    {"Error": {"Code": first.get("Code"), "Message": first.get("Message")}},
                    "DeleteObjects",
                )
            deleted += len(batch)
    return deleted


class _BucketConfig(Provider):
    """A configuration that belongs to one bucket; its id is the bucket name."""

    service = "s3"
    identity = ("bucket",)

    def create(self, ctx: Context, want: Desired) -> Created:
        self.put(self.client(ctx, want.inputs), want.inputs)
        return Created(want.inputs["bucket"])

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        self.put(self.client(ctx, want.inputs), want.inputs)
        return {}

    @abc.abstractmethod
    def put(self, client: Client, inputs: Inputs) -> None:
        """Set the configuration (the same call makes and changes it)."""


@provides
class BucketPublicAccessBlock(_BucketConfig):
    type_token = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
    updatable = frozenset(
        {
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
            "skipDestroy",
        }
    )

    def put(self, client: Client, inputs: Inputs) -> None:
        client.put_public_access_block(
            Bucket=inputs["bucket"],
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": bool(inputs.get("blockPublicAcls")),
                "BlockPublicPolicy": bool(inputs.get("blockPublicPolicy")),
                "IgnorePublicAcls": bool(inputs.get("ignorePublicAcls")),
                "RestrictPublicBuckets": bool(inputs.get("restrictPublicBuckets")),
            },
        )

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        if not have.inputs.get("skipDestroy"):
            self.client(ctx, have.inputs).delete_public_access_block(Bucket=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).get_public_access_block(Bucket=have.id)


@provides
class BucketServerSideEncryptionConfiguration(_BucketConfig):
    type_token = (
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )
    updatable = frozenset({"rules", "expectedBucketOwner"})

    def put(self, client: Client, inputs: Inputs) -> None:
        client.put_bucket_encryption(
            **drop_none(
                Bucket=inputs["bucket"],
                ExpectedBucketOwner=inputs.get("expectedBucketOwner"),
                ServerSideEncryptionConfiguration={
                    "Rules": [_encryption_rule(r) for r in inputs.get("rules") or []]
                },
            )
        )

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        # The bucket falls back to the default SSE-S3 encryption, as on AWS.
        self.client(ctx, have.inputs).delete_bucket_encryption(Bucket=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).get_bucket_encryption(Bucket=have.id)


def _encryption_rule(rule: dict[str, Any]) -> dict[str, Any]:
    default = rule.get("applyServerSideEncryptionByDefault") or {}
    return drop_none(
        ApplyServerSideEncryptionByDefault=drop_none(
            SSEAlgorithm=default.get("sseAlgorithm"),
            KMSMasterKeyID=default.get("kmsMasterKeyId"),
        )
        or None,
        BucketKeyEnabled=rule.get("bucketKeyEnabled"),
    )


@provides
class BucketVersioning(_BucketConfig):
    """Versioning can never be switched off again, only suspended; deleting the resource
    suspends it, as the AWS provider does. `Disabled` (allowed only at creation) leaves a new
    bucket unversioned."""

    type_token = "aws:s3/bucketVersioning:BucketVersioning"
    updatable = frozenset({"versioningConfiguration", "mfa", "expectedBucketOwner"})

    def put(self, client: Client, inputs: Inputs) -> None:
        config = inputs.get("versioningConfiguration") or {}
        status = config.get("status")
        if status == "Disabled":
            return
        client.put_bucket_versioning(
            **drop_none(
                Bucket=inputs["bucket"],
                MFA=inputs.get("mfa"),
                ExpectedBucketOwner=inputs.get("expectedBucketOwner"),
                VersioningConfiguration=drop_none(Status=status, MFADelete=config.get("mfaDelete")),
            )
        )

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        status = (have.inputs.get("versioningConfiguration") or {}).get("status")
        if status == "Disabled":
            return
        self.client(ctx, have.inputs).put_bucket_versioning(
            Bucket=have.id, VersioningConfiguration={"Status": "Suspended"}
        )

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).get_bucket_versioning(Bucket=have.id)
