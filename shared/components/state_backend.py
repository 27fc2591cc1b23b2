"""Where the pattern stacks of one environment keep their Pulumi state and secrets on AWS.

- The state bucket: a `PrivateBucket` (public access blocked on all four counts, SSE-S3
  encryption, versioning on, so every checkpoint the CLI overwrites can be recovered), never
  force-destroyed: deleting state would orphan every resource it records.
- A KMS key for Pulumi's `awskms://` secrets provider, rotated yearly by KMS, and its alias
  `alias/aigw-pulumi-<environment>`, which the provider URL names (a key id would change with a
  replacement; the alias is moved instead).
Pass `opts=ResourceOptions(protect=True)`: children inherit it.

Outputs: `bucket_name`, `bucket_arn`, `key_arn`, `alias_name`, `backend_url`
(`s3://<bucket>`), `secrets_provider` (`awskms://alias/...?region=<region>`).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from shared.components import naming
from shared.components.bucket import PrivateBucket, PrivateBucketArgs

TYPE = "aigw:pulumi:StateBackend"
ALIAS_PREFIX = "alias/aigw-pulumi-"
# The longest window AWS allows before a scheduled key deletion happens: a month to notice
# that the secrets of every stack would become unreadable.
KEY_DELETION_WINDOW_DAYS = 30


def alias_name(environment: str) -> str:
    return f"{ALIAS_PREFIX}{environment}"


def secrets_provider(environment: str, region: str) -> str:
    """The `--secrets-provider` URL of the environment's key."""
    return f"awskms://{alias_name(environment)}?region={region}"


class StateBackend(pulumi.ComponentResource):
    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    key_arn: pulumi.Output[str]
    alias_name: str
    backend_url: pulumi.Output[str]
    secrets_provider: str

    def __init__(
        self,
        name: str,
        environment: str,
        region: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE, name, None, opts)
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
            tags=naming.tags(),
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
        self.secrets_provider = secrets_provider(environment, region)
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
