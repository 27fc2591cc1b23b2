"""S3 buckets (the pulumi-aws 7 `Bucket`) and the configuration resources that belong to one.

Each configuration resource is keyed by its bucket name, as in the AWS provider, and `read`
returns its live configuration in the shape of its recorded inputs, so that a change made behind
the engine's back (versioning suspended, the public access block removed, another encryption)
shows as drift and the next deploy puts the recorded configuration back.

What a bucket *without* the configuration reads as follows what S3 answers then; it is the same
whether the configuration was deleted behind the engine's back or the bucket was recreated bare
(after it vanished, the engine recreates the bucket first, then applies what depends on it):

- BucketVersioning: S3 reports no status (never versioned); reads as status `Disabled`, so the
  next deploy updates it.
- BucketServerSideEncryptionConfiguration: S3 reports SSE-S3 (AES256), every bucket's default
  since 2023; reads as that rule, so the next deploy updates it.
- BucketPublicAccessBlock: NoSuchPublicAccessBlockConfiguration; reads as all four settings
  false, so the next deploy updates each one the program turned on.
- BucketOwnershipControls: a bucket that never had them reports BucketOwnerEnforced, S3's
  default since 2023, read as that rule (update); deleted ones answer
  OwnershipControlsNotFoundError: not found, the next deploy re-creates them.
- BucketPolicy (NoSuchBucketPolicy) and BucketLifecycleConfiguration
  (NoSuchLifecycleConfiguration): not found, the next deploy re-creates them.

A default is given where S3 itself behaves as if that configuration were set (no block is all
four settings off; no encryption configuration is SSE-S3); not found where there is no such
equivalent. A configuration whose bucket is gone reads as not found (NoSuchBucket).

Where MiniStack 1.5.33 differs from AWS, or does not apply an input (such inputs are left out of
`inputs`, so a program setting them is refused by name):
- It does not check `expectedBucketOwner` or a versioning `mfa` token, keeps no `mfaDelete`
  status, and ignores a lifecycle's `transitionDefaultMinimumObjectSize`.
- Object Lock retention is not enforced; the provider still passes BypassGovernanceRetention when
  emptying a bucket created with object lock.
"""

from __future__ import annotations

import abc
from datetime import UTC, datetime
from typing import Any, ClassVar

from botocore.exceptions import ClientError

from shared.errors import UserError
from shared.local.engine.live import same_document, shaped
from shared.local.engine.naming import AutoName, s3_bucket_name
from shared.local.engine.providers.base import (
    Client,
    Context,
    Created,
    Desired,
    Inputs,
    Outputs,
    Provider,
    as_int,
    drop_none,
    error_code,
    json_text,
    provides,
)
from shared.local.engine.state import ResourceRecord
from shared.local.engine.tagging import tag_list, tag_map


def _absent(error: ClientError, *codes: str) -> bool:
    return error_code(error) in codes


# -- buckets ------------------------------------------------------------------------------------


@provides
class Bucket(Provider):
    """A bucket. Its inline configuration arguments (`versioning`, `serverSideEncryption...`,
    `website`, `acl`, ...) are deprecated in pulumi-aws 7 in favour of the separate resources
    below and are not applied."""

    type_token = "aws:s3/bucket:Bucket"
    service = "s3"
    inputs = frozenset(
        {"bucket", "bucketPrefix", "forceDestroy", "objectLockEnabled", "tags", "region"}
    )
    outputs = frozenset(
        {"arn", "bucketDomainName", "bucketRegionalDomainName", "bucketRegion", "region", "tagsAll"}
    )
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
                self._put_tags(client, name, i["tags"])
            except Exception:
                client.delete_bucket(Bucket=name)  # leave nothing unrecorded behind
                raise
        return Created(name, self._outputs(name, region, i))

    @staticmethod
    def _outputs(name: str, region: str, inputs: Inputs) -> Outputs:
        return {
            "bucket": name,
            "arn": f"arn:aws:s3:::{name}",
            "bucketDomainName": f"{name}.s3.amazonaws.com",
            "bucketRegionalDomainName": f"{name}.s3.{region}.amazonaws.com",
            "bucketRegion": region,
            "region": region,
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    @staticmethod
    def _put_tags(client: Client, name: str, tags: dict[str, str] | None) -> None:
        """S3 sets or deletes a bucket's whole tag set at once, whatever it holds now."""
        if tags:
            client.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tag_list(tags)})
        else:
            client.delete_bucket_tagging(Bucket=name)

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        # The whole tag set, not the recorded difference: the live one may have drifted.
        self._put_tags(self.client(ctx, want.inputs), have.id, want.inputs.get("tags"))
        return self._outputs(have.id, ctx.region_of(want.inputs), want.inputs)

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        client = self.client(ctx, have.inputs)
        if have.inputs.get("forceDestroy"):
            empty_bucket(
                client, have.id, bypass_governance=bool(have.inputs.get("objectLockEnabled"))
            )
        client.delete_bucket(Bucket=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        """The name, region, tags and object lock; `bucketPrefix` and `forceDestroy` have no
        live counterpart."""
        client = self.client(ctx, have.inputs)
        client.head_bucket(Bucket=have.id)  # a vanished bucket raises 404 here
        live: Inputs = {"bucket": have.id}
        if "region" in have.inputs:
            constraint = client.get_bucket_location(Bucket=have.id).get("LocationConstraint")
            # No constraint is us-east-1; the legacy constraint EU is eu-west-1.
            live["region"] = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(
                constraint, constraint
            )
        try:
            tags = tag_map(client.get_bucket_tagging(Bucket=have.id)["TagSet"])
        except ClientError as error:
            if not _absent(error, "NoSuchTagSet"):
                raise
            tags = {}
        try:
            lock = client.get_object_lock_configuration(Bucket=have.id)["ObjectLockConfiguration"]
            locked = lock.get("ObjectLockEnabled") == "Enabled"
        except ClientError as error:
            if not _absent(error, "ObjectLockConfigurationNotFoundError"):
                raise
            locked = False
        return {**live, **shaped({"tags": tags, "objectLockEnabled": locked}, have.inputs)}

    def find(self, ctx: Context, want: Desired) -> str | None:
        """The bucket of the name `want` carries (its auto-name, from `bucketPrefix` too)."""
        name = want.inputs["bucket"]
        found = self.lookup(self.client(ctx, want.inputs).head_bucket, Bucket=name)
        return None if found is None else str(name)


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


# -- the configurations of a bucket -------------------------------------------------------------


class _BucketConfig(Provider):
    """A configuration that belongs to one bucket; its id is the bucket name. Subclasses say
    how to put it (`put`: the same call makes and changes it) and how to read it back in input
    form (`live`: raises not found where the table in the module doc says so)."""

    service = "s3"
    identity = ("bucket",)
    # What `live` gives for a bucket that has never had the configuration, where that is a
    # default rather than not found: `find` must not take it for one that a create made.
    unset: ClassVar[Inputs | None] = None

    @abc.abstractmethod
    def put(self, client: Client, inputs: Inputs) -> None: ...

    @abc.abstractmethod
    def live(self, client: Client, bucket: str, recorded: Inputs) -> Inputs:
        """The live configuration as camelCase inputs (without `bucket`)."""

    def create(self, ctx: Context, want: Desired) -> Created:
        self.put(self.client(ctx, want.inputs), want.inputs)
        return Created(want.inputs["bucket"])

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        self.put(self.client(ctx, want.inputs), want.inputs)
        return {}

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        live = self.live(self.client(ctx, have.inputs), have.id, have.inputs)
        return {"bucket": have.id, **shaped(live, have.inputs)}

    def find(self, ctx: Context, want: Desired) -> str | None:
        """The bucket, when it holds this configuration (not merely S3's default)."""
        bucket = want.inputs["bucket"]
        client = self.client(ctx, want.inputs)
        live = self.lookup(self.live, client=client, bucket=bucket, recorded=want.inputs)
        return None if live is None or live == self.unset else str(bucket)


_BLOCK_SETTINGS = {
    "blockPublicAcls": "BlockPublicAcls",
    "blockPublicPolicy": "BlockPublicPolicy",
    "ignorePublicAcls": "IgnorePublicAcls",
    "restrictPublicBuckets": "RestrictPublicBuckets",
}


@provides
class BucketPublicAccessBlock(_BucketConfig):
    """No block reads as all four settings false: that is what S3 then enforces, so a removed
    block shows as drift of each setting the program turned on, and the update puts it back."""

    type_token = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
    inputs = frozenset({"bucket", "region", "skipDestroy", *_BLOCK_SETTINGS})
    updatable = frozenset({"skipDestroy", *_BLOCK_SETTINGS})
    unset = {prop: False for prop in _BLOCK_SETTINGS}

    def put(self, client: Client, inputs: Inputs) -> None:
        client.put_public_access_block(
            Bucket=inputs["bucket"],
            PublicAccessBlockConfiguration={
                key: bool(inputs.get(prop)) for prop, key in _BLOCK_SETTINGS.items()
            },
        )

    def live(self, client: Client, bucket: str, recorded: Inputs) -> Inputs:
        try:
            block = client.get_public_access_block(Bucket=bucket)
        except ClientError as error:
            if not _absent(error, "NoSuchPublicAccessBlockConfiguration"):
                raise
            return dict(self.unset or {})
        config = block["PublicAccessBlockConfiguration"]
        return {prop: bool(config.get(key)) for prop, key in _BLOCK_SETTINGS.items()}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        if not have.inputs.get("skipDestroy"):
            self.client(ctx, have.inputs).delete_public_access_block(Bucket=have.id)


# Every bucket has this default encryption since January 2023, on AWS and on MiniStack.
_DEFAULT_ENCRYPTION = {
    "rules": [
        {
            "applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"},
            "bucketKeyEnabled": False,
        }
    ]
}


@provides
class BucketServerSideEncryptionConfiguration(_BucketConfig):
    """Deleting it leaves the default SSE-S3 (AES256) encryption in place, as on AWS; so does a
    bucket recreated bare, which reads as that rule."""

    type_token = (
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )
    inputs = frozenset({"bucket", "rules", "region"})
    updatable = frozenset({"rules"})
    unset = _DEFAULT_ENCRYPTION

    def put(self, client: Client, inputs: Inputs) -> None:
        client.put_bucket_encryption(
            Bucket=inputs["bucket"],
            ServerSideEncryptionConfiguration={
                "Rules": [_encryption_rule(r) for r in inputs.get("rules") or []]
            },
        )

    def live(self, client: Client, bucket: str, recorded: Inputs) -> Inputs:
        config = client.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
        rules = []
        for rule in config.get("Rules", []):
            default = rule.get("ApplyServerSideEncryptionByDefault") or {}
            rules.append(
                drop_none(
                    applyServerSideEncryptionByDefault=drop_none(
                        sseAlgorithm=default.get("SSEAlgorithm"),
                        kmsMasterKeyId=default.get("KMSMasterKeyID"),
                    ),
                    bucketKeyEnabled=bool(rule.get("BucketKeyEnabled")),
                )
            )
        return {"rules": rules}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_bucket_encryption(Bucket=have.id)


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
    bucket unversioned, and a bucket never versioned reads as `Disabled`: a bucket recreated
    bare shows as drift and the update turns versioning back on. `mfaDelete` is passed on but
    not read back (MiniStack keeps no MFA delete status)."""

    type_token = "aws:s3/bucketVersioning:BucketVersioning"
    inputs = frozenset({"bucket", "versioningConfiguration", "region"})
    updatable = frozenset({"versioningConfiguration"})
    unset = {"versioningConfiguration": {"status": "Disabled"}}

    def put(self, client: Client, inputs: Inputs) -> None:
        config = inputs.get("versioningConfiguration") or {}
        status = config.get("status")
        if status == "Disabled":
            if client.get_bucket_versioning(Bucket=inputs["bucket"]).get("Status"):
                # S3 has no call that makes a versioned bucket unversioned again.
                raise UserError(
                    f"Bucket {inputs['bucket']} is versioned and S3 cannot make it unversioned "
                    'again: set versioning_configuration status "Suspended" instead of "Disabled".'
                )
            return
        client.put_bucket_versioning(
            Bucket=inputs["bucket"],
            VersioningConfiguration=drop_none(Status=status, MFADelete=config.get("mfaDelete")),
        )

    def live(self, client: Client, bucket: str, recorded: Inputs) -> Inputs:
        status = client.get_bucket_versioning(Bucket=bucket).get("Status") or "Disabled"
        config: Inputs = {"status": status}
        if "mfaDelete" in (recorded.get("versioningConfiguration") or {}):
            config["mfaDelete"] = recorded["versioningConfiguration"]["mfaDelete"]  # unreadable
        return {"versioningConfiguration": config}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        status = (have.inputs.get("versioningConfiguration") or {}).get("status")
        if status == "Disabled":
            return
        self.client(ctx, have.inputs).put_bucket_versioning(
            Bucket=have.id, VersioningConfiguration={"Status": "Suspended"}
        )


@provides
class BucketOwnershipControls(_BucketConfig):
    """A bucket that never had ownership controls reads as S3's default, BucketOwnerEnforced;
    one whose controls were deleted answers OwnershipControlsNotFoundError, which is not
    found: the next deploy creates them again."""

    type_token = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
    inputs = frozenset({"bucket", "rule", "region"})
    updatable = frozenset({"rule"})
    not_found_codes = frozenset({"OwnershipControlsNotFoundError"})
    unset = {"rule": {"objectOwnership": "BucketOwnerEnforced"}}

    def put(self, client: Client, inputs: Inputs) -> None:
        client.put_bucket_ownership_controls(
            Bucket=inputs["bucket"],
            OwnershipControls={
                "Rules": [{"ObjectOwnership": (inputs.get("rule") or {})["objectOwnership"]}]
            },
        )

    def live(self, client: Client, bucket: str, recorded: Inputs) -> Inputs:
        controls = client.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]
        [rule] = controls["Rules"]
        return {"rule": {"objectOwnership": rule["ObjectOwnership"]}}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_bucket_ownership_controls(Bucket=have.id)


@provides
class BucketPolicy(_BucketConfig):
    """The bucket's policy document. A bucket without one answers NoSuchBucketPolicy, which is
    not found: the next deploy puts it again. A live document equal to the recorded one as
    JSON reads as the recorded text, whatever its spacing or key order."""

    type_token = "aws:s3/bucketPolicy:BucketPolicy"
    inputs = frozenset({"bucket", "policy", "region"})
    updatable = frozenset({"policy"})
    not_found_codes = frozenset({"NoSuchBucketPolicy"})

    def put(self, client: Client, inputs: Inputs) -> None:
        client.put_bucket_policy(Bucket=inputs["bucket"], Policy=json_text(inputs["policy"]))

    def live(self, client: Client, bucket: str, recorded: Inputs) -> Inputs:
        text = client.get_bucket_policy(Bucket=bucket)["Policy"]
        return {"policy": same_document(recorded.get("policy"), text)}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_bucket_policy(Bucket=have.id)


@provides
class BucketLifecycleConfiguration(_BucketConfig):
    """Lifecycle rules. A bucket without them answers NoSuchLifecycleConfiguration, which is
    not found: the next deploy puts them again. Rules are compared in order, as S3 keeps
    them."""

    type_token = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
    inputs = frozenset({"bucket", "rules", "region"})
    updatable = frozenset({"rules"})
    not_found_codes = frozenset({"NoSuchLifecycleConfiguration"})

    def put(self, client: Client, inputs: Inputs) -> None:
        client.put_bucket_lifecycle_configuration(
            Bucket=inputs["bucket"],
            LifecycleConfiguration={"Rules": [_lifecycle_rule(r) for r in inputs["rules"]]},
        )

    def live(self, client: Client, bucket: str, recorded: Inputs) -> Inputs:
        rules = client.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
        return {"rules": [_lifecycle_inputs(r) for r in rules]}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_bucket_lifecycle(Bucket=have.id)


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A lifecycle rule's inputs as S3 takes it."""
    expiration = rule.get("expiration") or {}
    noncurrent = rule.get("noncurrentVersionExpiration") or {}
    abort = rule.get("abortIncompleteMultipartUpload") or {}
    return drop_none(
        ID=rule["id"],
        Status=rule["status"],
        Prefix=rule.get("prefix"),
        # S3 wants a filter or a prefix; an empty filter applies the rule to every object.
        Filter=_lifecycle_filter(rule["filter"])
        if rule.get("filter") is not None
        else (None if rule.get("prefix") is not None else {}),
        Expiration=drop_none(
            Date=expiration.get("date"),
            Days=as_int(expiration.get("days")),
            ExpiredObjectDeleteMarker=expiration.get("expiredObjectDeleteMarker"),
        )
        or None,
        Transitions=[
            drop_none(
                Date=t.get("date"), Days=as_int(t.get("days")), StorageClass=t["storageClass"]
            )
            for t in rule.get("transitions") or []
        ]
        or None,
        NoncurrentVersionExpiration=drop_none(
            NoncurrentDays=as_int(noncurrent.get("noncurrentDays")),
            NewerNoncurrentVersions=as_int(noncurrent.get("newerNoncurrentVersions")),
        )
        or None,
        NoncurrentVersionTransitions=[
            drop_none(
                NoncurrentDays=as_int(t.get("noncurrentDays")),
                NewerNoncurrentVersions=as_int(t.get("newerNoncurrentVersions")),
                StorageClass=t["storageClass"],
            )
            for t in rule.get("noncurrentVersionTransitions") or []
        ]
        or None,
        AbortIncompleteMultipartUpload=drop_none(
            DaysAfterInitiation=as_int(abort.get("daysAfterInitiation"))
        )
        or None,
    )


def _lifecycle_filter(f: dict[str, Any]) -> dict[str, Any]:
    both = f.get("and")
    return drop_none(
        Prefix=f.get("prefix"),
        Tag={"Key": f["tag"]["key"], "Value": f["tag"]["value"]} if f.get("tag") else None,
        ObjectSizeGreaterThan=as_int(f.get("objectSizeGreaterThan")),
        ObjectSizeLessThan=as_int(f.get("objectSizeLessThan")),
        And=drop_none(
            Prefix=both.get("prefix"),
            Tags=tag_list(both.get("tags")) or None,
            ObjectSizeGreaterThan=as_int(both.get("objectSizeGreaterThan")),
            ObjectSizeLessThan=as_int(both.get("objectSizeLessThan")),
        )
        if both
        else None,
    )


def _lifecycle_inputs(rule: dict[str, Any]) -> dict[str, Any]:
    """A lifecycle rule as S3 answers it, in input form (the inverse of `_lifecycle_rule`)."""
    f = rule.get("Filter") or {}
    both = f.get("And")
    expiration = rule.get("Expiration") or {}
    noncurrent = rule.get("NoncurrentVersionExpiration") or {}
    return drop_none(
        id=rule.get("ID"),
        status=rule.get("Status"),
        prefix=rule.get("Prefix"),
        filter=drop_none(
            prefix=f.get("Prefix"),
            tag={"key": f["Tag"]["Key"], "value": f["Tag"]["Value"]} if f.get("Tag") else None,
            objectSizeGreaterThan=f.get("ObjectSizeGreaterThan"),
            objectSizeLessThan=f.get("ObjectSizeLessThan"),
            **{
                "and": drop_none(
                    prefix=both.get("Prefix"),
                    tags=tag_map(both.get("Tags")),
                    objectSizeGreaterThan=both.get("ObjectSizeGreaterThan"),
                    objectSizeLessThan=both.get("ObjectSizeLessThan"),
                )
                if both
                else None
            },
        ),
        expiration=drop_none(
            date=_date(expiration.get("Date")),
            days=expiration.get("Days"),
            expiredObjectDeleteMarker=expiration.get("ExpiredObjectDeleteMarker"),
        ),
        transitions=[
            drop_none(date=_date(t.get("Date")), days=t.get("Days"), storageClass=t["StorageClass"])
            for t in rule.get("Transitions", [])
        ],
        noncurrentVersionExpiration=drop_none(
            noncurrentDays=noncurrent.get("NoncurrentDays"),
            newerNoncurrentVersions=noncurrent.get("NewerNoncurrentVersions"),
        ),
        noncurrentVersionTransitions=[
            drop_none(
                noncurrentDays=t.get("NoncurrentDays"),
                newerNoncurrentVersions=t.get("NewerNoncurrentVersions"),
                storageClass=t["StorageClass"],
            )
            for t in rule.get("NoncurrentVersionTransitions", [])
        ],
        abortIncompleteMultipartUpload=drop_none(
            daysAfterInitiation=(rule.get("AbortIncompleteMultipartUpload") or {}).get(
                "DaysAfterInitiation"
            )
        ),
    )


def _date(value: datetime | None) -> str | None:
    """A lifecycle date as pulumi-aws takes it: RFC 3339 at midnight UTC."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
