"""A state machine whose one task is a Lambda function, as pulumi/examples aws-py-stepfunctions
writes it: the roles come from the program's own `iam` module."""

import json

import iam
import pulumi
from pulumi_aws import lambda_, sfn

sum_fn = lambda_.Function(
    "sumFunction",
    role=iam.lambda_role.arn,
    runtime="python3.12",
    handler="sum_step.handler",
    code=pulumi.AssetArchive({".": pulumi.FileArchive("./step_sum")}),
)

state_machine = sfn.StateMachine(
    "stateMachine",
    role_arn=iam.sfn_role.arn,
    definition=sum_fn.arn.apply(
        lambda arn: json.dumps(
            {
                "Comment": "Sums the numbers it is given, then says how many there were",
                "StartAt": "Sum",
                "States": {
                    "Sum": {"Type": "Task", "Resource": arn, "Next": "Done"},
                    "Done": {"Type": "Pass", "End": True},
                },
            }
        )
    ),
)

pulumi.export("state_machine_arn", state_machine.id)
