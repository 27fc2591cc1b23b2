"""Where the pattern stacks of one environment keep their Pulumi state and secrets on AWS.

- The state bucket: a `PrivateBucket` (public access blocked on all four counts, SSE-S3
  encryption, versioning on, so every checkpoint the CLI overwrites can be recovered), never
  force-destroyed: deleting state would orphan every resource it records.
- A KMS key for Pulumi's `awskms://` secrets provider, rotated yearly by KMS, and its alias
  `alias/aigw-pulumi-<environment>`, which the provider URL names (a key id would change with a
  replacement; the alias is moved instead).
- `other_accounts`: the AWS accounts of environments that keep their state here from an account
  of their own; a bucket policy and the key policy let those accounts read and write the state
  and use the key, nothing more; within each, only who its IAM policies allow (the deploy
  roles' policies name the state bucket and key).
Pass `opts=ResourceOptions(protect=True)`: children inherit it.

Outputs: `bucket_name`, `bucket_arn`, `key_arn`, `alias_name`, `backend_url`
(`s3://<bucket>`), `secrets_provider` (`awskms://alias/...?region=<region>`; with
`other_accounts`, `awskms:///arn:aws:kms:<region>:<account>:alias/...?region=<region>`, since
KMS finds an alias by name only in the caller's account).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from shared.components import naming
from shared.components.bucket import PrivateBucket, PrivateBucketArgs

TYPE = "aigw:pulumi:StateBackend"
ALIAS_PREFIX = "alias/aigw-pulumi-"
# The longest window AWS allows before a scheduled key deletion happens: a month to notice
# that the secrets of every stack would become unreadable.
KEY_DELETION_WINDOW_DAYS = 30


ACCOUNT_ID = re.compile(r"^\d{12}$")
_STATE_OBJECTS = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
_KEY_USE = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]


def _from_other_accounts(accounts: Sequence[str]) -> dict[str, Any]:
    """A statement's principal: the other accounts, whose own IAM policies then decide which
    of their roles and people may (their deploy and preview roles' policies name the state;
    the administrator who runs their bootstrap reads it too)."""
    return {"Principal": {"AWS": [f"arn:aws:iam::{a}:root" for a in accounts]}}


def bucket_policy(bucket_arn: str, accounts: Sequence[str]) -> dict[str, Any]:
    """The state bucket's policy letting other accounts' deploy and preview roles in."""
    who = _from_other_accounts(accounts)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "OtherAccountsList", "Effect": "Allow", "Action": ["s3:ListBucket"],
             "Resource": bucket_arn, **who},
            {"Sid": "OtherAccountsState", "Effect": "Allow", "Action": _STATE_OBJECTS,
             "Resource": f"{bucket_arn}/*", **who},
        ],
    }  # fmt: skip


def key_policy(account: str, accounts: Sequence[str]) -> dict[str, Any]:
    """The secrets key's policy: KMS's default (the account's IAM policies decide, so the key
    can never be locked out), and the other accounts' bootstrap roles may use it. In a key
    policy, "*" as the resource means this key."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
             "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "kms:*",
             "Resource": "*"},
            {"Sid": "OtherAccountsSecrets", "Effect": "Allow", "Action": _KEY_USE,
             "Resource": "*", **_from_other_accounts(accounts)},
        ],
    }  # fmt: skip


def alias_name(environment: str) -> str:
    return f"{ALIAS_PREFIX}{environment}"


def secrets_provider(environment: str, region: str, account: str | None = None) -> str:
    """The `--secrets-provider` URL of the environment's key: its alias by name, or, given the
    key's `account`, by ARN (`awskms:///<alias ARN>`, the Go CDK's awskms form the Pulumi CLI
    reads). KMS resolves an alias name in the caller's own account only, so stacks deploying
    from other accounts need the ARN."""
    if account is None:
        return f"awskms://{alias_name(environment)}?region={region}"
    arn = f"arn:aws:kms:{region}:{account}:{alias_name(environment)}"
    return f"awskms:///{arn}?region={region}"


class StateBackend(pulumi.ComponentResource):
    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    key_arn: pulumi.Output[str]
    alias_name: str
    backend_url: pulumi.Output[str]
    secrets_provider: pulumi.Input[str]

    def __init__(
        self,
        name: str,
        environment: str,
        region: str,
        other_accounts: Sequence[str] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        other_accounts = sorted(set(other_accounts))
        if wrong := [a for a in other_accounts if not ACCOUNT_ID.match(a)]:
            raise ValueError(f"{TYPE} {name}: not AWS account ids: {', '.join(wrong)}.")
        bucket = PrivateBucket(
            f"{name}-state",
            PrivateBucketArgs(force_destroy=False),
            opts=naming.child(self),
        )
        key = aws.kms.Key(
            f"{name}-secrets",
            description=f"Pulumi secrets of the {environment} stacks",
            enable_key_rotation=True,
            deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
            policy=(
                aws.get_caller_identity_output().account_id.apply(
                    lambda account: json.dumps(key_policy(account, other_accounts))
                )
                if other_accounts
                else None
            ),
            tags=naming.tags(),
            opts=naming.child(self),
        )
        if other_accounts:
            aws.s3.BucketPolicy(
                f"{name}-state-other-accounts",
                bucket=bucket.bucket_name,
                policy=bucket.arn.apply(lambda arn: json.dumps(bucket_policy(arn, other_accounts))),
                opts=naming.child(self),
            )
        self.alias_name = alias_name(environment)
        # A fixed name: a replacement must delete the old alias before making the new one.
        aws.kms.Alias(
            f"{name}-secrets-alias",
            name=self.alias_name,
            target_key_id=key.key_id,
            opts=naming.child(self, delete_before_replace=True),
        )
        self.bucket_name = bucket.bucket_name
        self.bucket_arn = bucket.arn
        self.key_arn = key.arn
        self.backend_url = pulumi.Output.concat("s3://", bucket.bucket_name)
        # Other accounts' stacks use the key too: the URL must name it in this account.
        self.secrets_provider = (
            aws.get_caller_identity_output().account_id.apply(
                lambda account: secrets_provider(environment, region, account)
            )
            if other_accounts
            else secrets_provider(environment, region)
        )
        self.register_outputs(
            {
                "bucket_name": self.bucket_name,
                "bucket_arn": self.bucket_arn,
                "key_arn": self.key_arn,
                "alias_name": self.alias_name,
                "backend_url": self.backend_url,
                "secrets_provider": self.secrets_provider,
            }
        )
