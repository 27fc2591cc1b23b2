"""Replacement order of resources whose physical name the program fixes.

Pulumi replaces create-before-delete by default: the new copy is created while the old one
still holds the name, and AWS refuses it (EntityAlreadyExists, ResourceConflictException,
BucketAlreadyOwnedByYou...). A fixed name therefore needs `delete_before_replace=True`.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from aigw_policy.values import UNKNOWN, auto_named, plain

# Type -> the input that is the resource's physical name (unique in the account or parent).
NAME_INPUTS = {
    "aws:lambda/function:Function": "name",
    "aws:iam/role:Role": "name",
    "aws:iam/policy:Policy": "name",
    "aws:iam/rolePolicy:RolePolicy": "name",
    "aws:cloudwatch/logGroup:LogGroup": "name",
    "aws:s3/bucket:Bucket": "bucket",
    "aws:s3/bucketV2:BucketV2": "bucket",
    "aws:cognito/userPoolDomain:UserPoolDomain": "domain",
    "aws:apigateway/domainName:DomainName": "domainName",
    "aws:apigatewayv2/domainName:DomainName": "domainName",
    "aws:apigateway/model:Model": "name",
    "aws:sfn/stateMachine:StateMachine": "name",
    "aws:dynamodb/table:Table": "name",
    "aws:sqs/queue:Queue": "name",
    "aws:sns/topic:Topic": "name",
    "aws:kms/alias:Alias": "name",
    "aws:secretsmanager/secret:Secret": "name",
}
# Types whose autoname pulumi-aws lower-cases (`tfbridge.AutoNameTransform("bucket", 63,
# strings.ToLower)` in its provider/resources.go, and for BucketV2 in its compatibility
# overrides): a bucket `Data` is auto-named `data-<7 hex>`.
LOWER_CASED_AUTONAMES = frozenset({"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"})


def _fixed_names_delete_first(args: ResourceValidationArgs, report: ReportViolation) -> None:
    prop = NAME_INPUTS.get(args.resource_type)
    if prop is None or args.opts.delete_before_replace:
        return
    name = plain(args.props).get(prop)
    lower_cased = args.resource_type in LOWER_CASED_AUTONAMES
    if name is None or name is UNKNOWN or auto_named(name, args.name, lower_cased=lower_cased):
        return
    report(
        f"{args.resource_type} {args.name!r} has the fixed name {name!r}, so a replacement "
        "created before the old one is deleted would collide with it: set "
        "opts=pulumi.ResourceOptions(delete_before_replace=True), or let Pulumi name it.",
        None,
    )


fixed_names_delete_before_replace = ResourceValidationPolicy(
    name="fixed-names-delete-before-replace",
    description="A resource with a fixed physical name is replaced delete-before-create.",
    validate=_fixed_names_delete_first,
)
