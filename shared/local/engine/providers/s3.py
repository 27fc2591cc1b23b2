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

import hashlib
import re
from typing import Any

from botocore.exceptions import ClientError

from shared.local.engine.providers.base import (
    Context,
    Desired,
    Provider,
    drop_none,
    not_found,
    provides,
)


def _region(ctx: Context, inputs: dict[str, Any]) -> str:
    return inputs.get("region") or ctx.region


def _client(ctx: Context, inputs: dict[str, Any]) -> Any:
    return ctx.client("s3", inputs.get("region"))


def _absent_as_not_found(error: ClientError, *codes: str) -> ClientError:
    """Turn S3's configuration-specific 'there is none' codes into the engine's not-found."""
    if error.response.get("Error", {}).get("Code") in codes:
        return not_found(error.response["Error"].get("Message", "configuration"))
    return error


def bucket_name(want: Desired) -> str:
    """`bucket`, else `bucketPrefix` plus a stable suffix, else an auto-name made valid for S3
    (lowercase letters, digits, dots and hyphens; at most 63 characters)."""
    i = want.inputs
    if i.get("bucket"):
        return i["bucket"]
    suffix = hashlib.sha256(want.key.encode()).hexdigest()
    if i.get("bucketPrefix"):
        return (i["bucketPrefix"] + suffix)[:63]
    base = re.sub(r"[^a-z0-9.-]+", "-", want.name.lower()).strip("-.") or "bucket"
    return f"{base[:55]}-{suffix[:7]}"


@provides
class Bucket(Provider):
    type_token = "aws:s3/bucket:Bucket"
    # forceDestroy only changes what delete does; no API call.
    updatable = frozenset({"tags", "forceDestroy"})

    def create(self, ctx, want):
        i = want.inputs
        name, region = bucket_name(want), _region(ctx, i)
        client = _client(ctx, i)
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
                self._set_tags(client, name, i["tags"])
            except Exception:
                client.delete_bucket(Bucket=name)  # leave nothing unrecorded behind
                raise
        return name, self._outputs(name, region)

    def _outputs(self, name: str, region: str) -> dict[str, Any]:
        return {
            "bucket": name,
            "arn": f"arn:aws:s3:::{name}",
            "bucketDomainName": f"{name}.s3.amazonaws.com",
            "bucketRegionalDomainName": f"{name}.s3.{region}.amazonaws.com",
            "bucketRegion": region,
            "region": region,
        }

    def _set_tags(self, client, name, tags):
        if tags:
            client.put_bucket_tagging(
                Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]}
            )
        else:
            client.delete_bucket_tagging(Bucket=name)

    def update(self, ctx, have, want):
        if (have.inputs.get("tags") or {}) != (want.inputs.get("tags") or {}):
            self._set_tags(_client(ctx, want.inputs), have.id, want.inputs.get("tags"))
        return self._outputs(have.id, _region(ctx, want.inputs))

    def delete(self, ctx, have):
        client = _client(ctx, have.inputs)
        if have.inputs.get("forceDestroy"):
            empty_bucket(
                client, have.id, bypass_governance=bool(have.inputs.get("objectLockEnabled"))
            )
        client.delete_bucket(Bucket=have.id)

    def read(self, ctx, have):
        return _client(ctx, have.inputs).head_bucket(Bucket=have.id)


def empty_bucket(client: Any, bucket: str, *, bypass_governance: bool = False) -> int:
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

    def create(self, ctx, want):
        self.put(_client(ctx, want.inputs), want.inputs)
        return want.inputs["bucket"], {}

    def update(self, ctx, have, want):
        self.put(_client(ctx, want.inputs), want.inputs)
        return {}

    def put(self, client: Any, inputs: dict[str, Any]) -> None:
        raise NotImplementedError


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

    def put(self, client, inputs):
        client.put_public_access_block(
            Bucket=inputs["bucket"],
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": bool(inputs.get("blockPublicAcls")),
                "BlockPublicPolicy": bool(inputs.get("blockPublicPolicy")),
                "IgnorePublicAcls": bool(inputs.get("ignorePublicAcls")),
                "RestrictPublicBuckets": bool(inputs.get("restrictPublicBuckets")),
            },
        )

    def delete(self, ctx, have):
        if not have.inputs.get("skipDestroy"):
            _client(ctx, have.inputs).delete_public_access_block(Bucket=have.id)

    def read(self, ctx, have):
        try:
            return _client(ctx, have.inputs).get_public_access_block(Bucket=have.id)
        except ClientError as error:
            raise _absent_as_not_found(error, "NoSuchPublicAccessBlockConfiguration") from None


@provides
class BucketServerSideEncryptionConfiguration(_BucketConfig):
    type_token = (
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )
    updatable = frozenset({"rules", "expectedBucketOwner"})

    def put(self, client, inputs):
        client.put_bucket_encryption(
            **drop_none(
                Bucket=inputs["bucket"],
                ExpectedBucketOwner=inputs.get("expectedBucketOwner"),
                ServerSideEncryptionConfiguration={
                    "Rules": [_encryption_rule(r) for r in inputs.get("rules") or []]
                },
            )
        )

    def delete(self, ctx, have):
        # The bucket falls back to the default SSE-S3 encryption, as on AWS.
        _client(ctx, have.inputs).delete_bucket_encryption(Bucket=have.id)

    def read(self, ctx, have):
        try:
            return _client(ctx, have.inputs).get_bucket_encryption(Bucket=have.id)
        except ClientError as error:
            raise _absent_as_not_found(
                error, "ServerSideEncryptionConfigurationNotFoundError"
            ) from None


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

    def put(self, client, inputs):
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

    def delete(self, ctx, have):
        status = (have.inputs.get("versioningConfiguration") or {}).get("status")
        if status == "Disabled":
            return
        _client(ctx, have.inputs).put_bucket_versioning(
            Bucket=have.id, VersioningConfiguration={"Status": "Suspended"}
        )

    def read(self, ctx, have):
        return _client(ctx, have.inputs).get_bucket_versioning(Bucket=have.id)
