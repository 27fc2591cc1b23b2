"""Answers the ARN it computes for itself from the account, partition and region the program
read from data sources, and the zone it was given: {"arn", "zone"}."""

import os


def handler(event, context):
    arn = (
        f"arn:{os.environ['PARTITION']}:lambda:{os.environ['DEPLOY_REGION']}:"
        f"{os.environ['ACCOUNT_ID']}:function:{context.function_name}"
    )
    return {"arn": arn, "zone": os.environ["ZONE"]}
