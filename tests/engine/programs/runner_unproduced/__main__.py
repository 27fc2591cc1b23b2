"""Outputs read from a resource whose provider does not produce them.

use   how the unproduced output `arn` of the API is read: direct (an input), concat, apply
      (an f-string in apply), json (json.dumps in apply), export (a stack output), produced
      (only outputs the engine produces: nothing is refused), unread (nothing reads it),
      mixed (with the API's id, unknown in a preview until the API is created)
"""

import json

import pulumi
import pulumi_aws as aws

use = pulumi.Config().get("use") or "direct"
api = aws.apigateway.RestApi("api", name="runner-api")
sources = {
    "direct": api.arn,
    "concat": pulumi.Output.concat(api.arn, "/*"),
    "apply": api.arn.apply(lambda arn: f"{arn}/*/*"),
    "json": api.arn.apply(lambda arn: json.dumps({"Resource": [arn]})),
    "produced": api.execution_arn.apply(lambda arn: f"{arn}/*"),
    "mixed": pulumi.Output.all(api.id, api.arn).apply(lambda both: f"{both[1]}/{both[0]}"),
}
if use in sources:
    aws.lambda_.Permission(
        "allow",
        function="runner-function",
        action="lambda:InvokeFunction",
        principal="apigateway.amazonaws.com",
        source_arn=sources[use],
    )
if use == "export":
    pulumi.export("apiArn", api.arn)
pulumi.export("apiId", api.id)
