"""ComponentResource trees: nested components, `parent=`, `depends_on` a component (all its
custom descendants, a child of a child component among them), an input read from a component's
output, and a component's custom child with a custom child of its own."""

import pulumi
import pulumi_aws as aws


class Storage(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("test:index:Storage", name, None, opts)
        self.bucket = aws.s3.Bucket(f"{name}-bucket", opts=pulumi.ResourceOptions(parent=self))
        self.logs = Logs(f"{name}-logs", pulumi.ResourceOptions(parent=self))
        self.arn = self.bucket.arn
        self.register_outputs({"arn": self.arn})


class Logs(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions) -> None:
        super().__init__("test:index:Logs", name, None, opts)
        self.group = aws.cloudwatch.LogGroup(
            f"{name}-group", opts=pulumi.ResourceOptions(parent=self)
        )
        self.register_outputs({})


storage = Storage("data")
key = aws.apigateway.ApiKey("key", name="runner-key")
waiting = aws.s3.Bucket("waiting", opts=pulumi.ResourceOptions(depends_on=[storage]))
reading = aws.s3.BucketPolicy(
    "reading",
    bucket=storage.bucket.id,
    policy=storage.arn.apply(lambda arn: f'{{"Resource": "{arn}"}}'),
    opts=pulumi.ResourceOptions(depends_on=[key]),
)
