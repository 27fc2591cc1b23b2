"""A protected store and an unprotected bucket beside it.

name      the store bucket's name (unique per test): a new name replaces the bucket
protect   whether the store is protected (default true): its bucket inherits it, as a child
keep      whether the store is declared: true (default), false, or preview (only while
          previewing: a program that declares less when applied than when planned)
scratch   the unprotected bucket's name
"""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()


class Store(pulumi.ComponentResource):
    """A component whose bucket inherits its protect option (the SDK resolves it)."""

    def __init__(self, name: str, bucket: str, opts: pulumi.ResourceOptions) -> None:
        super().__init__("tests:index:Store", name, None, opts)
        self.bucket = aws.s3.Bucket("data", bucket=bucket, opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})


keep = config.get("keep") or "true"
if keep == "true" or (keep == "preview" and pulumi.runtime.is_dry_run()):
    store = Store(
        "store",
        config.require("name"),
        pulumi.ResourceOptions(protect=config.get_bool("protect") is not False),
    )
    pulumi.export("bucket", store.bucket.bucket)

aws.s3.Bucket("scratch", bucket=config.require("scratch"))
