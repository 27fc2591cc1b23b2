"""IAM: every grant names its actions and resources.

A wildcard grants whatever AWS adds to a service later and every resource of the account, so a
bug or a leaked credential reaches far beyond what the stack needs. Two exceptions:
- CloudWatch Logs actions on a function's own log group, `...:log-group:/aws/lambda/<fn>:*`:
  the log streams Lambda creates inside it have names nobody can know in advance;
- S3 object actions under a literal key prefix of a named bucket,
  `arn:aws:s3:::<bucket>/<prefix>/*`: objects are written after the grant, so their keys cannot
  be listed in it, and a prefix of one bucket is the narrowest grant S3 offers;
- the bootstrap's deploy role (IAM path `/aigw-deploy/`, declared by the project
  `aigw-bootstrap`) manages the stacks' auto-named resources, so its resources may be patterns,
  within its own account; its actions are named. The path alone proves nothing (any program
  can set it), so the exemption also needs the resource's URN to be of the bootstrap project.
  Its `"*"` is accepted for `cloudfront:UpdateDistribution` alone (an edge-optimized domain's
  distribution is in API Gateway's account), and otherwise only in a statement with a
  Condition (e.g. `aws:RequestedRegion`): actions the Service Authorization Reference gives no
  resource type (creating a user pool, requesting a certificate) match no ARN at all, and the
  condition is what bounds them.
"""

from __future__ import annotations

import re
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from aigw_policy.values import (
    BOOTSTRAP_PROJECT,
    UNKNOWN,
    as_list,
    json_document,
    plain,
    project,
    unknown,
)

DEPLOY_ROLE_PATH = "/aigw-deploy/"
_DOCUMENTS = {
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/policy:Policy": "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
}
ROLE = "aws:iam/role:Role"
_OWN_LOG_GROUP = re.compile(
    r"arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:/aws/lambda/[^*:?]+:\*"
)
# Setting up an edge-optimized custom domain, API Gateway requires of the caller
# cloudfront:UpdateDistribution on "*": the distribution lives in an account of API Gateway's,
# so no ARN of this account can name it (AWS, "Set up an edge-optimized custom domain name").
_DISTRIBUTIONS_OF_API_GATEWAY = frozenset({"cloudfront:UpdateDistribution"})
_OBJECTS_UNDER_PREFIX = re.compile(r"arn:aws[a-z-]*:s3:::[a-z0-9.-]+/[^*?]+/\*")
_ARN = re.compile(
    r"arn:(?P<partition>[a-z-]+):(?P<service>[a-z0-9-]+):(?P<region>[^:]*):(?P<account>[^:]*):.+"
)
# Services whose ARNs carry no account: S3 buckets, API Gateway's REST paths, Route 53 zones.
_ACCOUNTLESS = frozenset({"s3", "apigateway", "route53"})


def _pattern_in_own_account(resource: str) -> bool:
    """A resource pattern confined to one account (the deploy role's own, as IAM evaluates a
    role's policy only in its account) and one service."""
    match = _ARN.fullmatch(resource)
    if match is None or "*" in match["service"] or "?" in match["service"]:
        return False
    account = match["account"]
    return bool(re.fullmatch(r"\d{12}", account)) or (
        account == "" and match["service"] in _ACCOUNTLESS
    )


def wildcards(document: Any, *, deploy_role: bool = False) -> list[str]:
    """What is wrong with each Allow statement of an IAM policy document, in words."""
    problems = []
    for index, statement in enumerate(as_list(document.get("Statement"))):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        label = f"statement {statement.get('Sid') or index}"
        if "NotAction" in statement:
            problems.append(f"{label} allows NotAction (every other action): list the actions")
        if "NotResource" in statement:
            problems.append(
                f"{label} allows NotResource (every other resource): list the resources"
            )
        actions = [a for a in as_list(statement.get("Action")) if a is not UNKNOWN]
        resources = [r for r in as_list(statement.get("Resource")) if r is not UNKNOWN]
        for action in actions:
            if isinstance(action, str) and ("*" in action or "?" in action):
                problems.append(f"{label} allows the action {action!r}: name each action")
        logs_only = bool(actions) and all(
            isinstance(a, str) and a.startswith("logs:") for a in actions
        )
        objects_only = bool(actions) and all(
            isinstance(a, str) and a.startswith("s3:") and a.endswith("Object") for a in actions
        )
        for resource in resources:
            if not isinstance(resource, str) or ("*" not in resource and "?" not in resource):
                continue
            if logs_only and _OWN_LOG_GROUP.fullmatch(resource):
                continue
            if objects_only and _OBJECTS_UNDER_PREFIX.fullmatch(resource):
                continue
            if deploy_role and (
                _pattern_in_own_account(resource)
                or (resource == "*" and statement.get("Condition"))
                or (resource == "*" and set(actions) <= _DISTRIBUTIONS_OF_API_GATEWAY)
            ):
                continue
            problems.append(
                f"{label} applies to the resource {resource!r}: name each resource's ARN"
            )
    return problems


def _no_iam_wildcards(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = plain(args.props)
    documents: list[Any] = []
    path = props.get("path")
    if args.resource_type in _DOCUMENTS:
        documents.append(props.get(_DOCUMENTS[args.resource_type]))
    elif args.resource_type == ROLE:
        inline = props.get("inlinePolicies")
        if not unknown(inline):
            documents.extend(p.get("policy") for p in as_list(inline) if isinstance(p, dict))
    else:
        return
    deploy_role = path == DEPLOY_ROLE_PATH and project(args.urn) == BOOTSTRAP_PROJECT
    for raw in documents:
        document = json_document(raw)
        if document is UNKNOWN or not isinstance(document, dict):
            continue  # unknown until applied (checked again then), or not a document at all
        for problem in wildcards(document, deploy_role=deploy_role):
            report(f"The policy of {args.resource_type} {args.name!r}: {problem}.", None)


no_iam_wildcards = ResourceValidationPolicy(
    name="no-iam-wildcards",
    description=(
        "IAM policies name their actions and resources (no '*'), except CloudWatch Logs "
        "actions on a function's own log group, S3 object actions under a key prefix of a "
        "named bucket, and the deploy role's resources in its account."
    ),
    validate=_no_iam_wildcards,
)
