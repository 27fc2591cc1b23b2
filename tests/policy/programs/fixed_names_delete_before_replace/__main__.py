"""A log group whose name the program fixes, replaced create-before-delete."""

import pulumi_aws as aws

aws.cloudwatch.LogGroup("events", name="/aigw/policy-test/events", retention_in_days=7)
