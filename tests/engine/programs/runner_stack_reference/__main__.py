"""Stack references to another locally deployed project, read the ways Pulumi's docs show.

reference   the name given to pulumi.StackReference (default organization/network/local)
"""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
network = pulumi.StackReference(config.get("reference") or "organization/network/local")

aws.s3.Bucket("bucket", bucket=network.require_output("bucketName"))
pulumi.export("bucketName", network.get_output("bucketName"))
pulumi.export("missing", network.get_output("nothing"))
pulumi.export("token", network.require_output("token"))
pulumi.export(
    "tokenDetails",
    pulumi.Output.from_input(network.get_output_details("token")).apply(
        lambda d: [d.value, d.secret_value]
    ),
)
pulumi.export(
    "nameDetails",
    pulumi.Output.from_input(network.get_output_details("bucketName")).apply(
        lambda d: [d.value, d.secret_value]
    ),
)
