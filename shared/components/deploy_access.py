"""The roles GitHub Actions deploys one environment and previews pull requests with, and the
OIDC provider they trust.

- The GitHub OIDC provider (`https://token.actions.githubusercontent.com`, audience
  `sts.amazonaws.com`): one per account, so an environment sharing its account with another
  passes the existing provider's ARN instead (`oidc_provider_arn`).
- The deploy role: assumable with `sts:AssumeRoleWithWebIdentity` only by a token whose audience
  is `sts.amazonaws.com` and whose subject is exactly `repo:<owner/name>:environment:<env>`
  (StringEquals, no wildcard): a job of this repository that runs in that GitHub environment,
  whose protection rules (required reviewers for prod) therefore apply to every deploy.
- Its permissions (`deploy_policies`): explicit actions only, for what the pattern stacks manage
  (API Gateway, Lambda, IAM roles, CloudWatch Logs, S3, Cognito, ACM, Route 53, and CloudFront
  for an edge-optimized custom domain) plus the state bucket's objects and the secrets key;
  resources in this account and the stacks' regions (the few actions AWS authorises only
  against "*" are held to those regions instead, but CloudFront's, a global service). It
  may not change the bootstrap's own roles (`/aigw-bootstrap/` path) or policy (`/aigw-deploy/`),
  nor the state bucket's settings, nor delete a version of a state object, so a deploy cannot
  widen its own access or lose the state.
  It makes and changes roles only under the workload boundary (`WorkloadBoundary`): CreateRole,
  PutRolePolicy and PutRolePermissionsBoundary need `iam:PermissionsBoundary` to be that
  policy, attaching managed policies is not allowed, and removing a role's boundary or changing
  the boundary policy is denied; otherwise a deploy could make an administrator role and pass it
  to a function it runs. (PassRole cannot be held to roles with the boundary; it is held to the
  services the stacks hand roles to.)
  The policies are customer managed policies on the `/aigw-deploy/` path, the one place the policy
  pack accepts account-wide resource patterns.
- The workload boundary (`WorkloadBoundary`, made by the bootstrap that owns the account's
  settings): a managed policy with a fixed name (`boundary.NAME`), the ceiling of every role
  the stacks make outside local (`boundary.for_stack()`).

- The preview role (`PreviewAccess`, made by the environment that owns the state): assumable
  only by a pull request's jobs (`repo:<owner/name>:pull_request`), allowed the state and its
  secrets only.

Outputs: `role_arn`, `oidc_provider_arn`, `policy_arns` (DeployAccess); `arn`
(WorkloadBoundary); `role_arn` (PreviewAccess).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from shared.components import boundary, naming
from shared.components.account_logging import BOOTSTRAP_PATH

TYPE = "aigw:iam:DeployAccess"
PREVIEW_TYPE = "aigw:iam:PreviewAccess"
BOUNDARY_TYPE = "aigw:iam:WorkloadBoundary"
GITHUB_ISSUER = "token.actions.githubusercontent.com"
GITHUB_OIDC_URL = f"https://{GITHUB_ISSUER}"
AUDIENCE = "sts.amazonaws.com"
DEPLOY_POLICY_PATH = "/aigw-deploy/"
# A GitHub owner and repository name (what `github.repository` holds).
REPOSITORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
# A GitHub environment name as it appears in the token's subject; IAM pattern characters are
# refused so that StringEquals cannot be mistaken for a match on several.
ENVIRONMENT = re.compile(r"^[A-Za-z0-9._-]{1,255}$")


def environment_subject(repository: str, environment: str) -> str:
    """The token subject of a job of `repository` that runs in GitHub environment `environment`."""
    return f"repo:{repository}:environment:{environment}"


def pull_request_subject(repository: str) -> str:
    """The token subject of a job of `repository` run for a pull request (with no environment)."""
    return f"repo:{repository}:pull_request"


def trust_policy(provider_arn: str, subject: str) -> dict[str, Any]:
    """Who may assume a role: GitHub tokens for AWS whose subject is exactly `subject`."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{GITHUB_ISSUER}:aud": AUDIENCE,
                        f"{GITHUB_ISSUER}:sub": subject,
                    }
                },
            }
        ],
    }


# -- what the stacks manage: the actions the AWS provider calls for their resource types -------

_API_GATEWAY = ["apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH",
                "apigateway:DELETE"]  # fmt: skip
# API Gateway's writes to its account settings (the CloudWatch role): the bootstrap's alone.
_API_GATEWAY_ACCOUNT_WRITES = ["apigateway:PATCH", "apigateway:PUT", "apigateway:POST",
                               "apigateway:DELETE"]  # fmt: skip
_LAMBDA = [
    "lambda:CreateFunction", "lambda:DeleteFunction", "lambda:GetFunction",
    "lambda:GetFunctionConfiguration", "lambda:GetFunctionCodeSigningConfig",
    "lambda:GetRuntimeManagementConfig", "lambda:UpdateFunctionCode",
    "lambda:UpdateFunctionConfiguration", "lambda:ListVersionsByFunction",
    "lambda:PublishVersion", "lambda:PutFunctionConcurrency",
    "lambda:DeleteFunctionConcurrency", "lambda:AddPermission", "lambda:RemovePermission",
    "lambda:GetPolicy", "lambda:TagResource", "lambda:UntagResource", "lambda:ListTags",
]  # fmt: skip
# Creating a role, or putting a policy on one, is allowed only for roles that carry the
# workload boundary (`boundary.NAME`): without that condition the deploy role could make a role
# with any permission and pass it to a function it then runs. Attaching managed policies is not
# allowed at all (the stacks' roles have inline policies only).
_IAM_ROLES_BOUNDED = ["iam:CreateRole", "iam:PutRolePolicy", "iam:PutRolePermissionsBoundary"]
_IAM_ROLES = [
    "iam:DeleteRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy",
    "iam:TagRole", "iam:UntagRole", "iam:ListRoleTags", "iam:ListRolePolicies",
    "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole", "iam:GetRolePolicy",
    "iam:DeleteRolePolicy",
]  # fmt: skip
_IAM_ROLE_WRITES = [
    *_IAM_ROLES_BOUNDED,
    *(a for a in _IAM_ROLES if not a.startswith(("iam:Get", "iam:List"))),
]
# What would let a deploy lift the ceiling: removing a role's boundary, or changing the
# boundary policy itself.
_BOUNDARY_REMOVAL = ["iam:DeleteRolePermissionsBoundary"]
_BOUNDARY_CHANGES = ["iam:CreatePolicyVersion", "iam:DeletePolicyVersion",
                     "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"]  # fmt: skip
# The services a stack's roles are handed to: functions, and API Gateway's AWS integrations.
_PASSED_TO = ["lambda.amazonaws.com", "apigateway.amazonaws.com"]
_LOGS = [
    "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy",
    "logs:DeleteRetentionPolicy", "logs:TagResource", "logs:UntagResource",
    "logs:ListTagsForResource", "logs:TagLogGroup", "logs:UntagLogGroup", "logs:ListTagsLogGroup",
]  # fmt: skip
_BUCKETS = [
    "s3:CreateBucket", "s3:DeleteBucket", "s3:ListBucket", "s3:ListBucketVersions",
    "s3:GetBucketLocation", "s3:GetBucketTagging", "s3:PutBucketTagging",
    "s3:GetBucketVersioning", "s3:PutBucketVersioning", "s3:GetEncryptionConfiguration",
    "s3:PutEncryptionConfiguration", "s3:GetBucketPublicAccessBlock",
    "s3:PutBucketPublicAccessBlock", "s3:GetBucketPolicy", "s3:GetBucketAcl", "s3:GetBucketCORS",
    "s3:GetBucketWebsite", "s3:GetBucketLogging", "s3:GetAccelerateConfiguration",
    "s3:GetBucketRequestPayment", "s3:GetLifecycleConfiguration",
    "s3:GetReplicationConfiguration", "s3:GetBucketObjectLockConfiguration",
    "s3:GetBucketOwnershipControls",
]  # fmt: skip
# What emptying a bucket takes (`force_destroy` of a dev data bucket).
_BUCKET_OBJECTS = ["s3:DeleteObject", "s3:DeleteObjectVersion"]
_STATE_BUCKET_SETTINGS = [
    "s3:DeleteBucket", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration",
    "s3:PutBucketPublicAccessBlock", "s3:PutBucketTagging",
]  # fmt: skip
_STATE_OBJECTS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
_STATE_VERSION_DELETION = ["s3:DeleteObjectVersion"]
_COGNITO = [
    "cognito-idp:DeleteUserPool", "cognito-idp:DescribeUserPool", "cognito-idp:UpdateUserPool",
    "cognito-idp:GetUserPoolMfaConfig", "cognito-idp:SetUserPoolMfaConfig",
    "cognito-idp:CreateUserPoolClient", "cognito-idp:DeleteUserPoolClient",
    "cognito-idp:DescribeUserPoolClient", "cognito-idp:UpdateUserPoolClient",
    "cognito-idp:CreateUserPoolDomain", "cognito-idp:DeleteUserPoolDomain",
    "cognito-idp:UpdateUserPoolDomain", "cognito-idp:CreateResourceServer",
    "cognito-idp:DeleteResourceServer", "cognito-idp:DescribeResourceServer",
    "cognito-idp:UpdateResourceServer", "cognito-idp:TagResource", "cognito-idp:UntagResource",
    "cognito-idp:ListTagsForResource",
]  # fmt: skip
_CERTIFICATES = [
    "acm:DescribeCertificate", "acm:DeleteCertificate",
    "acm:ListTagsForCertificate", "acm:AddTagsToCertificate", "acm:RemoveTagsFromCertificate",
]  # fmt: skip
# An edge-optimized custom domain: API Gateway makes (and updates, with its certificate) a
# CloudFront distribution in an account of its own, and requires the caller to be allowed to
# update distributions ("Set up an edge-optimized custom domain name in API Gateway"). Its
# distribution's ARN is not in this account and CloudFront is global, so the grant is "*"
# with no region condition.
_EDGE_DISTRIBUTIONS = ["cloudfront:UpdateDistribution"]
_RECORDS = ["route53:GetHostedZone", "route53:ListResourceRecordSets",
            "route53:ChangeResourceRecordSets"]  # fmt: skip
# Actions AWS authorises against no resource type (the Service Authorization Reference lists
# none for them): a statement naming an ARN never matches them, so they take "*", held to the
# stacks' regions. A new user pool or certificate has no ARN yet; a pool domain is looked up by
# its name alone; listing log groups is account-wide; an HTTP API stage's access logs are a log
# delivery API Gateway sets up with the caller's permissions (API Gateway's "Configuring
# logging for an HTTP API").
NO_RESOURCE_TYPE = [
    "cognito-idp:CreateUserPool", "cognito-idp:DescribeUserPoolDomain", "acm:RequestCertificate",
    "logs:DescribeLogGroups", "logs:CreateLogDelivery", "logs:GetLogDelivery",
    "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries",
    "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
]  # fmt: skip
_STATE_KEY = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]


def deploy_policies(
    account: str,
    regions: Sequence[str],
    hosted_zones: Sequence[str],
    state_bucket_arn: str,
    key_arn: str,
    edge_domains: bool = False,
) -> dict[str, dict[str, Any]]:
    """The deploy role's permissions (see the module doc), as two documents: IAM caps a managed
    policy at 6,144 characters, which the services' statements for three regions come close
    to alone. `regions`: where the stacks deploy; `hosted_zones`: the Route 53 zones of their
    custom domains (none: no record access); `edge_domains`: whether a stack has an
    edge-optimized custom domain (CloudFront access)."""
    regions = sorted(set(regions))
    if not regions:
        raise ValueError("deploy_policies: no region to deploy to")

    def per_region(template: str) -> list[str]:
        return [template.format(region=r, account=account) for r in regions]

    services: list[dict[str, Any]] = [
        # API Gateway ARNs name no account: a path in the region is this account's.
        _allow("ApiGateway", _API_GATEWAY, per_region("arn:aws:apigateway:{region}::/*")),
        _allow("Functions", _LAMBDA, per_region("arn:aws:lambda:{region}:{account}:function:*")),
        _allow("LogGroups", _LOGS, per_region("arn:aws:logs:{region}:{account}:log-group:*")),
        _allow(
            "UserPools", _COGNITO, per_region("arn:aws:cognito-idp:{region}:{account}:userpool/*")
        ),
        _allow(
            "Certificates",
            _CERTIFICATES,
            per_region("arn:aws:acm:{region}:{account}:certificate/*"),
        ),
        _allow(
            "NoResourceType",
            NO_RESOURCE_TYPE,
            ["*"],
            {"StringEquals": {"aws:RequestedRegion": regions}},
        ),
    ]
    if hosted_zones:
        zones = [f"arn:aws:route53:::hostedzone/{zone}" for zone in sorted(set(hosted_zones))]
        services += [
            _allow("DomainRecords", _RECORDS, zones),
            _allow("RecordChanges", ["route53:GetChange"], ["arn:aws:route53:::change/*"]),
        ]
    if edge_domains:
        services.append(_allow("EdgeDomainDistributions", _EDGE_DISTRIBUTIONS, ["*"]))
    services.append(
        _deny(
            "KeepAccountSettings",
            _API_GATEWAY_ACCOUNT_WRITES,
            per_region("arn:aws:apigateway:{region}::/account"),
        )
    )
    roles = [f"arn:aws:iam::{account}:role/*"]
    workload_boundary = boundary.policy_arn(account)
    identity_and_state: list[dict[str, Any]] = [
        _allow("StackRoles", _IAM_ROLES, roles),
        _allow(
            "StackRolesWithBoundary",
            _IAM_ROLES_BOUNDED,
            roles,
            {"StringEquals": {"iam:PermissionsBoundary": workload_boundary}},
        ),
        _allow(
            "PassStackRoles",
            ["iam:PassRole"],
            roles,
            {"StringEquals": {"iam:PassedToService": _PASSED_TO}},
        ),
        # Bucket ARNs name no account: the condition holds them to this one.
        _allow(
            "StackBuckets",
            _BUCKETS,
            ["arn:aws:s3:::*"],
            {"StringEquals": {"s3:ResourceAccount": account}},
        ),
        _allow(
            "EmptyStackBuckets",
            _BUCKET_OBJECTS,
            ["arn:aws:s3:::*/*"],
            {"StringEquals": {"s3:ResourceAccount": account}},
        ),
        *state_statements(state_bucket_arn, key_arn),
        _deny(
            "KeepBootstrapRoles",
            [*_IAM_ROLE_WRITES, "iam:PassRole"],
            [f"arn:aws:iam::{account}:role{BOOTSTRAP_PATH}*"],
        ),
        _deny("KeepStateBucket", _STATE_BUCKET_SETTINGS, [state_bucket_arn]),
        # Versioning keeps every checkpoint a deploy overwrites or deletes; deleting a version
        # is the one way to lose one (EmptyStackBuckets allows it on the stacks' buckets).
        _deny("KeepStateVersions", _STATE_VERSION_DELETION, [f"{state_bucket_arn}/*"]),
        _deny("KeepRoleBoundaries", _BOUNDARY_REMOVAL, roles),
        _deny("KeepWorkloadBoundary", _BOUNDARY_CHANGES, [workload_boundary]),
    ]
    return {
        "services": _document(services),
        "identity-and-state": _document(identity_and_state),
    }


def workload_boundary_policy(
    account: str, regions: Sequence[str], state_bucket_arn: str
) -> dict[str, Any]:
    """The permissions boundary of every role the stacks make (see `boundary`): the union of
    what their roles are granted today, as patterns of this account and the stacks' regions.
    - a function's role writes its log streams (`/aws/lambda/<function>`);
    - it reads and writes objects of the account's buckets (orchestration's records), never
      the state's;
    - it or an API Gateway integration's role invokes a SageMaker endpoint of the account, or a
      Bedrock model (Converse is authorised as `bedrock:InvokeModel`). Foundation-model ARNs
      name no account (AWS owns them), so the grant is "*" held to the stacks' regions.
    A boundary grants nothing itself: a role may do only what both its own policy and this
    allow."""
    regions = sorted(set(regions))
    if not regions:
        raise ValueError("workload_boundary_policy: no region the stacks deploy to")

    def per_region(template: str) -> list[str]:
        return [template.format(region=r, account=account) for r in regions]

    return _document(
        [
            _allow(
                "FunctionLogs",
                ["logs:CreateLogStream", "logs:PutLogEvents"],
                per_region("arn:aws:logs:{region}:{account}:log-group:/aws/lambda/*"),
            ),
            _allow(
                "BucketObjects",
                ["s3:GetObject", "s3:PutObject"],
                ["arn:aws:s3:::*/*"],
                {"StringEquals": {"s3:ResourceAccount": account}},
            ),
            _allow(
                "SageMakerEndpoints",
                ["sagemaker:InvokeEndpoint"],
                per_region("arn:aws:sagemaker:{region}:{account}:endpoint/*"),
            ),
            _allow(
                "BedrockModels",
                ["bedrock:InvokeModel"],
                ["*"],
                {"StringEquals": {"aws:RequestedRegion": regions}},
            ),
            _deny("NotTheState", ["s3:GetObject", "s3:PutObject"], [f"{state_bucket_arn}/*"]),
        ]
    )


def state_statements(state_bucket_arn: str, key_arn: str) -> list[dict[str, Any]]:
    """Reading and writing Pulumi's state (checkpoints, history, locks) and its secrets."""
    return [
        _allow("StateListing", ["s3:ListBucket"], [state_bucket_arn]),
        _allow("StateObjects", _STATE_OBJECTS, [f"{state_bucket_arn}/*"]),
        _allow("StateSecrets", _STATE_KEY, [key_arn]),
    ]


def preview_policy(state_bucket_arn: str, key_arn: str) -> dict[str, Any]:
    """The preview role's permissions: the state and its secrets, nothing of the stacks'
    services (`pulumi preview` without `--refresh` reads only the state)."""
    return _document(state_statements(state_bucket_arn, key_arn))


def _text(documents: dict[str, dict[str, Any]], part: str) -> str:
    return json.dumps(documents[part])


def _document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statements}


def _allow(
    sid: str, actions: list[str], resources: list[str], condition: dict | None = None
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": sorted(actions),
        "Resource": resources,
    }
    if condition:
        statement["Condition"] = condition
    return statement


def _deny(sid: str, actions: list[str], resources: list[str]) -> dict[str, Any]:
    return {**_allow(sid, actions, resources), "Effect": "Deny"}


@dataclass(frozen=True, kw_only=True)
class DeployAccessArgs:
    repository: str  # owner/name
    environment: str  # the GitHub environment whose jobs deploy
    regions: Sequence[str]
    hosted_zones: Sequence[str] = ()
    edge_domains: bool = False  # a stack has an edge-optimized custom domain
    state_bucket_arn: pulumi.Input[str]
    key_arn: pulumi.Input[str]
    # An OIDC provider for GitHub that already exists in the account (made by another
    # environment's bootstrap, or by hand): reused, not made.
    oidc_provider_arn: pulumi.Input[str] | None = None

    def problems(self) -> list[str]:
        found = []
        if not REPOSITORY.match(self.repository):
            found.append(f"repository {self.repository!r} is not a GitHub owner/name")
        if not ENVIRONMENT.match(self.environment):
            found.append(
                f"environment {self.environment!r} is not a GitHub environment name "
                "(letters, digits, '.', '_' and '-')"
            )
        return found


class DeployAccess(pulumi.ComponentResource):
    role_arn: pulumi.Output[str]
    oidc_provider_arn: pulumi.Output[str]
    policy_arns: list[pulumi.Output[str]]

    def __init__(
        self, name: str, args: DeployAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        if problems := args.problems():
            raise ValueError(f"{TYPE} {name}: " + "; ".join(problems) + ".")
        if args.oidc_provider_arn is not None:
            provider_arn = pulumi.Output.from_input(args.oidc_provider_arn)
        else:
            provider = aws.iam.OpenIdConnectProvider(
                f"{name}-github",
                url=GITHUB_OIDC_URL,
                client_id_lists=[AUDIENCE],
                tags=naming.tags(),
                # Its ARN is its URL's: one per account, so a replacement deletes first.
                opts=naming.child(self, delete_before_replace=True),
            )
            provider_arn = provider.arn
        role = aws.iam.Role(
            f"{name}-role",
            path=BOOTSTRAP_PATH,
            description=f"GitHub Actions deploys {args.environment} with this role.",
            assume_role_policy=provider_arn.apply(
                lambda arn: json.dumps(
                    trust_policy(arn, environment_subject(args.repository, args.environment))
                )
            ),
            tags=naming.tags(),
            opts=naming.child(self),
        )
        account = aws.get_caller_identity_output()
        documents = pulumi.Output.all(
            account.account_id, args.state_bucket_arn, args.key_arn
        ).apply(
            lambda values: deploy_policies(
                values[0],
                args.regions,
                args.hosted_zones,
                values[1],
                values[2],
                edge_domains=args.edge_domains,
            )
        )
        policy_arns = []
        for part in ("services", "identity-and-state"):
            policy = aws.iam.Policy(
                f"{name}-{part}",
                path=DEPLOY_POLICY_PATH,
                description=f"What deploying the {args.environment} stacks takes ({part}).",
                policy=documents.apply(functools.partial(_text, part=part)),
                tags=naming.tags(),
                opts=naming.child(self),
            )
            aws.iam.RolePolicyAttachment(
                f"{name}-{part}-attachment",
                role=role.name,
                policy_arn=policy.arn,
                opts=naming.child(self),
            )
            policy_arns.append(policy.arn)
        self.role_arn = role.arn
        self.oidc_provider_arn = provider_arn
        self.policy_arns = policy_arns
        self.register_outputs(
            {
                "role_arn": self.role_arn,
                "oidc_provider_arn": self.oidc_provider_arn,
                "policy_arns": self.policy_arns,
            }
        )


class WorkloadBoundary(pulumi.ComponentResource):
    """The account's permissions boundary for the stacks' roles (`boundary.NAME` on
    `boundary.PATH`, so its ARN follows from the account), made by the bootstrap that owns the
    account's settings. `regions`: every region a stack of the account deploys to."""

    arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        regions: Sequence[str],
        state_bucket_arn: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(BOUNDARY_TYPE, name, None, opts)
        account = aws.get_caller_identity_output().account_id
        policy = aws.iam.Policy(
            f"{name}-policy",
            name=boundary.NAME,
            path=boundary.PATH,
            description="The most any role the stacks make may do (their permissions boundary).",
            policy=pulumi.Output.all(account, state_bucket_arn).apply(
                lambda values: json.dumps(workload_boundary_policy(values[0], regions, values[1]))
            ),
            tags=naming.tags(),
            # A fixed name: a replacement must delete the old policy before making the new one.
            opts=naming.child(self, delete_before_replace=True),
        )
        self.arn = policy.arn
        self.register_outputs({"arn": self.arn})


class PreviewAccess(pulumi.ComponentResource):
    """The role pull-request previews run with: assumable only by a token whose subject is
    `repo:<owner/name>:pull_request` (a pull request's job, which has no environment), allowed
    the state and its secrets only. A preview plans against the environment that owns the
    state (dev); it changes no resource."""

    role_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        repository: str,
        oidc_provider_arn: pulumi.Input[str],
        state_bucket_arn: pulumi.Input[str],
        key_arn: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(PREVIEW_TYPE, name, None, opts)
        if not REPOSITORY.match(repository):
            raise ValueError(f"{PREVIEW_TYPE} {name}: {repository!r} is not a GitHub owner/name.")
        role = aws.iam.Role(
            f"{name}-role",
            path=BOOTSTRAP_PATH,
            description="GitHub Actions previews pull requests with this role.",
            assume_role_policy=pulumi.Output.from_input(oidc_provider_arn).apply(
                lambda arn: json.dumps(trust_policy(arn, pull_request_subject(repository)))
            ),
            tags=naming.tags(),
            opts=naming.child(self),
        )
        policy = aws.iam.Policy(
            f"{name}-state",
            path=DEPLOY_POLICY_PATH,
            description="What previewing the stacks takes: their state and its secrets.",
            policy=pulumi.Output.all(state_bucket_arn, key_arn).apply(
                lambda values: json.dumps(preview_policy(values[0], values[1]))
            ),
            tags=naming.tags(),
            opts=naming.child(self),
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-state-attachment",
            role=role.name,
            policy_arn=policy.arn,
            opts=naming.child(self),
        )
        self.role_arn = role.arn
        self.register_outputs({"role_arn": self.role_arn})
