"""Explicit providers: resources given one directly, through a component's `providers=` or
`provider=` (down its `parent` chain), one that sets its own region, a global type (IAM) that
has no region, a data source called through the provider, and a resource on the default
provider."""

import pulumi
import pulumi_aws as aws

west = aws.Provider("west", region="eu-west-1")


class Site(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions) -> None:
        super().__init__("test:index:Site", name, None, opts)
        self.bucket = aws.s3.Bucket(f"{name}-bucket", opts=pulumi.ResourceOptions(parent=self))
        inner = pulumi.ComponentResource(
            "test:index:Inner", f"{name}-inner", None, pulumi.ResourceOptions(parent=self)
        )
        self.nested = aws.s3.Bucket(f"{name}-nested", opts=pulumi.ResourceOptions(parent=inner))
        self.register_outputs({})


aws.s3.Bucket("direct", opts=pulumi.ResourceOptions(provider=west))
aws.s3.Bucket("own-region", region="ap-southeast-2", opts=pulumi.ResourceOptions(provider=west))
aws.iam.Role("global", assume_role_policy="{}", opts=pulumi.ResourceOptions(provider=west))
aws.s3.Bucket("default")
Site("listed", pulumi.ResourceOptions(providers=[west]))
Site("single", pulumi.ResourceOptions(provider=west))

pulumi.export("westRegion", aws.get_region(opts=pulumi.InvokeOptions(provider=west)).region)
pulumi.export("defaultRegion", aws.get_region().region)
