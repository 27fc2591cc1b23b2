"""Resource options and outputs the engine reads through the SDK internals (sdk.py): a parent,
delete_before_replace, protect, dependencies direct and through inputs, secret and unknown
outputs. Run on the mock runtime only; nothing here is applied."""

import pulumi
import pulumi_aws as aws


class Group(pulumi.ComponentResource):
    def __init__(self, name: str) -> None:
        super().__init__("test:index:Group", name)
        self.api = aws.apigateway.RestApi(
            "api",
            name="options-api",
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True, protect=True),
        )
        self.register_outputs({})


group = Group("group")
key = aws.apigateway.ApiKey("key", name="options-key")
resource = aws.apigateway.Resource(
    "resource",
    rest_api=group.api.id,  # a dependency through an input
    parent_id=group.api.root_resource_id,
    path_part="one",
    opts=pulumi.ResourceOptions(depends_on=[key]),  # and a direct one
)

pulumi.export("apiId", group.api.id)
pulumi.export("token", pulumi.Output.secret("s3cret"))
pulumi.export("plain", "value")
