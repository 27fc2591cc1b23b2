"""Each rule of the policy pack (policy/aigw_policy) called directly, as the Pulumi CLI's
analyzer calls it, on a resource that passes and one that fails.

Resources are built the way the local engine hands them to the pack
(shared.local.engine.policy.resources): camelCase inputs, unknown values as pulumi_policy's
sentinel, dependencies linked, the provider carrying the region.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy import (
    Policy,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
)

from shared import catalog
from shared.local.engine import policy
from shared.local.engine.program import Registration
from shared.local.engine.sdk import Unknown

PACK = policy.load(catalog.POLICY_PACK_DIR)
RULES = {p.name: p for p in PACK.policies}
ACCOUNT = "123456789012"

METHOD = "aws:apigateway/method:Method"
ROUTE = "aws:apigatewayv2/route:Route"
REST_STAGE = "aws:apigateway/stage:Stage"
HTTP_STAGE = "aws:apigatewayv2/stage:Stage"
METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
FUNCTION = "aws:lambda/function:Function"
REST_INTEGRATION = "aws:apigateway/integration:Integration"
HTTP_INTEGRATION = "aws:apigatewayv2/integration:Integration"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
IAM_POLICY = "aws:iam/policy:Policy"
ROLE = "aws:iam/role:Role"
BUCKET = "aws:s3/bucket:Bucket"
RECORD = "aws:route53/record:Record"
REST_DOMAIN = "aws:apigateway/domainName:DomainName"
HTTP_DOMAIN = "aws:apigatewayv2/domainName:DomainName"


def res(
    type_: str,
    name: str,
    inputs: dict[str, Any] | None = None,
    *,
    deps: tuple[str, ...] = (),
    delete_before_replace: bool = False,
    provider: str = "",
) -> Registration:
    """A registration; `deps` are names of the other resources of the same test, `provider`
    the 'pulumi:providers:aws::<name>' of an explicit provider."""
    return Registration(
        f"{type_}::{name}",
        type_,
        name,
        dict(inputs or {}),
        dependencies=frozenset(deps),
        delete_before_replace=delete_before_replace,
        provider=provider,
    )


def violations(
    rule: str,
    *registrations: Registration,
    env: str = "dev",
    references: dict[str, dict[str, Any]] | None = None,
    region: str = "eu-west-1",
    project: str = "test",
    providers: dict[str, dict[str, Any]] | None = None,
) -> list[str]:
    """The messages `rule` reports on these resources in stack `env` of `project`;
    `providers` are the registered inputs of the explicit providers they name."""
    by_name = {r.name: r.urn for r in registrations}
    linked = {
        r.urn: Registration(
            r.urn,
            r.type,
            r.name,
            r.inputs,
            dependencies=frozenset(by_name[d] for d in r.dependencies),
            delete_before_replace=r.delete_before_replace,
            provider=r.provider,
        )
        for r in registrations
    }
    planned = policy.resources(
        linked,
        references or {},
        project=project,
        stack=env,
        config={"aws:region": region},
        providers=providers or {},
    )
    found: list[str] = []
    chosen: Policy = RULES[rule]

    def report(message: str, urn: str | None = None) -> None:
        found.append(message)

    if isinstance(chosen, ResourceValidationPolicy):
        for r in planned:
            if r.resource_type != policy.STACK_REFERENCE:
                args = ResourceValidationArgs(
                    r.resource_type, r.props, r.urn, r.name, r.opts, r.provider
                )
                chosen.validate(args, report)
    else:
        chosen.validate(StackValidationArgs(planned), report)  # type: ignore[attr-defined]
    return found


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_the_pack_declares_every_rule_mandatory():
    """Every rule stops the run: `pulumi preview/up` fails on any violation."""
    assert PACK.name == "aigw"
    assert [PACK.level(p).value for p in PACK.policies] == ["mandatory"] * 10
    assert set(RULES) == {
        "requires-credentials",
        "stage-logs-and-throttling",
        "no-iam-wildcards",
        "buckets-private-encrypted-versioned",
        "tls-1-2-domains",
        "supported-lambda-runtimes",
        "function-timeout-below-integration",
        "fixed-names-delete-before-replace",
        "cloudfront-alias-no-health-check",
        "bootstrap-before-logging",
    }


# -- requires-credentials ----------------------------------------------------------------------


def test_requires_credentials():
    """API Gateway runs a method with authorization NONE and no API key for anyone (REST), and a
    route with authorizationType NONE (HTTP APIs)."""
    rule = "requires-credentials"
    assert violations(rule, res(METHOD, "open", {"httpMethod": "GET", "authorization": "NONE"}))
    assert violations(rule, res(ROUTE, "open", {"routeKey": "GET /x"}))
    assert not violations(
        rule, res(METHOD, "keyed", {"authorization": "NONE", "apiKeyRequired": True})
    )
    assert not violations(rule, res(METHOD, "iam", {"authorization": "AWS_IAM"}))
    assert not violations(rule, res(ROUTE, "jwt", {"authorizationType": "JWT"}))


def test_requires_credentials_does_not_apply_in_local():
    """`local` is the emulator on one machine: open methods are how it is tried out."""
    open_method = res(METHOD, "open", {"authorization": "NONE"})
    assert not violations("requires-credentials", open_method, env="local")


def test_requires_credentials_waits_for_unknown_values():
    """A value the preview cannot know is not a violation; the update checks it again."""
    unknown = res(METHOD, "m", {"authorization": Unknown()})
    assert not violations("requires-credentials", unknown)


# -- stage-logs-and-throttling -------------------------------------------------------------------


def _rest_stage(**stage: Any) -> list[Registration]:
    return [
        res(LOG_GROUP, "logs", {"retentionInDays": 7}),
        res(REST_STAGE, "stage", {"stageName": "v1", "restApi": "api-id", **stage}, deps=("logs",)),
    ]


LOGGED = {"accessLogSettings": {"destinationArn": Unknown(), "format": "$context.requestId"}}
THROTTLED = {"throttlingRateLimit": 10.0, "throttlingBurstLimit": 20.0}


def test_rest_stage_logs_to_a_retained_group_and_is_throttled():
    """A stage without access logs leaves no trace of its callers; without throttling one
    client can use the region's whole API Gateway quota."""
    rule = "stage-logs-and-throttling"
    settings = res(
        METHOD_SETTINGS,
        "settings",
        {"stageName": "v1", "restApi": "api-id", "methodPath": "*/*", "settings": THROTTLED},
        deps=("stage",),
    )
    assert not violations(rule, *_rest_stage(**LOGGED), settings)
    assert violations(rule, *_rest_stage(), settings)  # no access logs
    assert violations(rule, *_rest_stage(**LOGGED))  # no MethodSettings
    unthrottled = res(
        METHOD_SETTINGS, "settings", {"settings": {"loggingLevel": "INFO"}}, deps=("stage",)
    )
    assert violations(rule, *_rest_stage(**LOGGED), unthrottled)
    forever = [
        res(LOG_GROUP, "logs"),
        res(REST_STAGE, "stage", {"stageName": "v1", **LOGGED}, deps=("logs",)),
    ]
    assert any("retention_in_days" in m for m in violations(rule, *forever, settings))


def test_a_stage_logging_outside_the_stack_is_refused():
    """Access logs sent to a log group the stack does not manage have no retention it controls."""
    elsewhere = {"accessLogSettings": {"destinationArn": "arn:aws:logs:eu-west-1:1:log-group:x"}}
    stage = res(REST_STAGE, "stage", elsewhere)
    settings = res(METHOD_SETTINGS, "s", {"settings": THROTTLED}, deps=("stage",))
    assert any(
        "not a log group" in m for m in violations("stage-logs-and-throttling", stage, settings)
    )


def test_http_stage_throttles_its_default_route():
    """HTTP APIs throttle through the stage's default route settings."""
    rule = "stage-logs-and-throttling"
    logs = res(LOG_GROUP, "logs", {"retentionInDays": 30})
    good = res(HTTP_STAGE, "stage", {**LOGGED, "defaultRouteSettings": THROTTLED}, deps=("logs",))
    bad = res(HTTP_STAGE, "stage", {**LOGGED, "defaultRouteSettings": {}}, deps=("logs",))
    assert not violations(rule, logs, good)
    assert violations(rule, logs, bad)


# -- no-iam-wildcards ----------------------------------------------------------------------------


def test_iam_policies_name_actions_and_resources():
    """A wildcard grants every action AWS adds later and every resource of the account."""
    rule = "no-iam-wildcards"
    named = document(
        {
            "Effect": "Allow",
            "Action": ["sagemaker:InvokeEndpoint"],
            "Resource": "arn:aws:sagemaker:eu-west-1:1:endpoint/x",
        }
    )
    assert not violations(rule, res(ROLE_POLICY, "p", {"policy": named}))
    wildcards = [
        ("s3:*", "arn:aws:s3:::b"),
        ("s3:Get*", "arn:aws:s3:::b"),
        ("*", "arn:aws:s3:::b"),
        ("s3:GetObject", "*"),
        ("s3:GetObject", "arn:aws:s3:::b/*"),
    ]
    for action, resource in wildcards:
        wild = document({"Effect": "Allow", "Action": action, "Resource": resource})
        assert violations(rule, res(ROLE_POLICY, "p", {"policy": wild})), (action, resource)
    everything = document({"Effect": "Allow", "Action": "*", "Resource": "*"})
    inline = {"inlinePolicies": [{"name": "x", "policy": everything}]}
    assert violations(rule, res(ROLE, "r", inline))
    deny = document({"Effect": "Deny", "Action": "*", "Resource": "*"})
    assert not violations(rule, res(IAM_POLICY, "p", {"policy": deny}))


def test_a_functions_own_log_group_may_end_in_a_wildcard():
    """Lambda names its log streams itself: writing them needs `<log group ARN>:*`."""
    rule = "no-iam-wildcards"
    arn = f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/aws/lambda/ai-1a2b3c4:*"
    own = document(
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": arn,
        }
    )
    assert not violations(rule, res(ROLE_POLICY, "p", {"policy": own}))
    other = document({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": arn})
    assert violations(rule, res(ROLE_POLICY, "p", {"policy": other}))
    every_group = document(
        {
            "Effect": "Allow",
            "Action": ["logs:PutLogEvents"],
            "Resource": f"arn:aws:logs:*:{ACCOUNT}:*",
        }
    )
    assert violations(rule, res(ROLE_POLICY, "p", {"policy": every_group}))


BOOTSTRAP_PROJECT = "aigw-bootstrap"


def test_the_deploy_role_may_use_resource_patterns_in_its_account_only():
    """The bootstrap's deploy role (path /aigw-deploy/) manages auto-named resources, so its
    resources are patterns; its actions are still named, and its patterns stay in the account."""
    rule = "no-iam-wildcards"

    def deploy_policy(action: str, resource: str) -> Registration:
        doc = document({"Effect": "Allow", "Action": action, "Resource": resource})
        return res(IAM_POLICY, "deploy", {"path": "/aigw-deploy/", "policy": doc})

    def found(registration: Registration) -> list[str]:
        return violations(rule, registration, project=BOOTSTRAP_PROJECT)

    functions = f"arn:aws:lambda:*:{ACCOUNT}:function:*"
    rest_apis = "arn:aws:apigateway:*::/restapis/*"  # API Gateway's ARNs carry no account
    assert not found(deploy_policy("lambda:CreateFunction", functions))
    assert not found(deploy_policy("apigateway:POST", rest_apis))
    assert found(deploy_policy("lambda:*", functions))
    assert found(deploy_policy("lambda:CreateFunction", "*"))
    any_account = "arn:aws:lambda:*:*:function:*"
    assert found(deploy_policy("lambda:CreateFunction", any_account))


def test_only_the_bootstrap_project_declares_the_deploy_role():
    """Any program can put a policy on the /aigw-deploy/ path: in a pattern stack the path
    exempts nothing, and the patterns are refused as anywhere else."""
    rule = "no-iam-wildcards"
    doc = document(
        {
            "Effect": "Allow",
            "Action": "lambda:CreateFunction",
            "Resource": f"arn:aws:lambda:*:{ACCOUNT}:function:*",
        }
    )
    on_deploy_path = res(IAM_POLICY, "deploy", {"path": "/aigw-deploy/", "policy": doc})
    assert not violations(rule, on_deploy_path, project=BOOTSTRAP_PROJECT)
    [refused] = violations(rule, on_deploy_path, project="proxy")
    assert "name each resource's ARN" in refused


def test_the_deploy_role_takes_star_only_where_a_condition_bounds_it():
    """Actions with no resource type in the Service Authorization Reference (creating a user
    pool) match no ARN, only "*"; the deploy role may grant them there under a Condition."""
    rule = "no-iam-wildcards"
    held = {
        "Effect": "Allow",
        "Action": ["cognito-idp:CreateUserPool"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:RequestedRegion": ["eu-west-1"]}},
    }
    unbounded = {k: v for k, v in held.items() if k != "Condition"}
    deploy = {"path": "/aigw-deploy/"}
    bounded = res(IAM_POLICY, "d", {**deploy, "policy": document(held)})
    assert not violations(rule, bounded, project=BOOTSTRAP_PROJECT)
    unbounded_policy = res(IAM_POLICY, "d", {**deploy, "policy": document(unbounded)})
    assert violations(rule, unbounded_policy, project=BOOTSTRAP_PROJECT)
    other = res(IAM_POLICY, "other", {"policy": document(held)})
    assert violations(rule, other, project=BOOTSTRAP_PROJECT)


def test_the_deploy_role_may_update_api_gateways_distributions_on_star():
    """AWS rule: setting up an edge-optimized custom domain, API Gateway requires
    cloudfront:UpdateDistribution on "*" of the caller (the distribution is in an account of
    API Gateway's). That action alone; any other action on "*" still needs a Condition."""
    rule = "no-iam-wildcards"
    deploy = {"path": "/aigw-deploy/"}
    edge = {"Effect": "Allow", "Action": ["cloudfront:UpdateDistribution"], "Resource": "*"}
    policy = res(IAM_POLICY, "d", {**deploy, "policy": document(edge)})
    assert not violations(rule, policy, project=BOOTSTRAP_PROJECT)
    more = {**edge, "Action": ["cloudfront:UpdateDistribution", "cloudfront:DeleteDistribution"]}
    wider = res(IAM_POLICY, "d", {**deploy, "policy": document(more)})
    assert violations(rule, wider, project=BOOTSTRAP_PROJECT)
    assert violations(rule, policy, project="proxy")


def test_iam_documents_unknown_in_preview_are_skipped():
    """A document built from ARNs not known yet is checked when the update knows it."""
    assert not violations("no-iam-wildcards", res(ROLE_POLICY, "p", {"policy": Unknown()}))


# -- buckets-private-encrypted-versioned ---------------------------------------------------------


def test_buckets_are_private_encrypted_and_versioned():
    """A bucket is private only with all four public access block flags; S3's encryption and
    versioning are resources of their own in pulumi-aws 7, linked to the bucket."""
    rule = "buckets-private-encrypted-versioned"
    bucket = res(BUCKET, "data")
    block = res(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "data-block",
        dict.fromkeys(
            ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"],
            True,
        ),
        deps=("data",),
    )
    sse = res(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "data-sse",
        {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]},
        deps=("data",),
    )
    versioning = res(
        "aws:s3/bucketVersioning:BucketVersioning",
        "data-versioning",
        {"versioningConfiguration": {"status": "Enabled"}},
        deps=("data",),
    )
    assert not violations(rule, bucket, block, sse, versioning)
    assert len(violations(rule, bucket)) == 3
    assert len(violations(rule, bucket, sse, versioning)) == 1
    half_open = res(
        block.type, block.name, {**block.inputs, "restrictPublicBuckets": False}, deps=("data",)
    )
    assert violations(rule, bucket, half_open, sse, versioning)
    suspended = res(
        versioning.type,
        versioning.name,
        {"versioningConfiguration": {"status": "Suspended"}},
        deps=("data",),
    )
    assert violations(rule, bucket, block, sse, suspended)


# -- tls-1-2-domains -----------------------------------------------------------------------------


def test_custom_domains_use_tls_1_2_or_newer():
    """A REST custom domain without securityPolicy negotiates TLS 1.0, API Gateway's default."""
    rule = "tls-1-2-domains"
    assert not violations(rule, res(REST_DOMAIN, "d", {"securityPolicy": "TLS_1_2"}))
    assert violations(rule, res(REST_DOMAIN, "d", {"securityPolicy": "TLS_1_0"}))
    assert violations(rule, res(REST_DOMAIN, "d", {}))
    modern = {"domainNameConfiguration": {"securityPolicy": "TLS_1_2"}}
    assert not violations(rule, res(HTTP_DOMAIN, "d", modern))
    old = {"domainNameConfiguration": {"securityPolicy": "TLS_1_0"}}
    assert violations(rule, res(HTTP_DOMAIN, "d", old))


# -- supported-lambda-runtimes -------------------------------------------------------------------


def test_lambda_runtimes_are_supported():
    """Lambda stops patching a runtime on its deprecation date, then refuses to create and
    update functions on it ("Lambda runtimes", checked on 2026-12-02)."""
    rule = "supported-lambda-runtimes"
    current = ("python3.12", "python3.13", "python3.14", "nodejs22.x", "nodejs24.x")
    for runtime in (*current, "java21", "java25", "dotnet10", "ruby3.4", "provided.al2023"):
        assert not violations(rule, res(FUNCTION, "f", {"runtime": runtime})), runtime
    deprecated_in_2026 = ("nodejs20.x", "python3.10", "python3.11", "java17", "dotnet8")
    for runtime in (*deprecated_in_2026, "provided.al2", "python3.8", "nodejs16.x", "go1.x"):
        assert violations(rule, res(FUNCTION, "f", {"runtime": runtime})), runtime
    assert not violations(rule, res(FUNCTION, "f", {"packageType": "Image"}))


def test_the_stacks_runtime_is_supported():
    """Every function of the stacks runs on shared.components.function's runtime."""
    from shared.components.function import RUNTIME

    assert not violations("supported-lambda-runtimes", res(FUNCTION, "f", {"runtime": RUNTIME}))


# -- function-timeout-below-integration ----------------------------------------------------------


def test_function_timeouts_stay_below_the_integrations():
    """API Gateway gives up after the integration timeout (REST: 29 s by default and at most,
    HTTP APIs: 30 s); a function allowed longer runs on after the caller got a 504."""
    rule = "function-timeout-below-integration"

    def rest(timeout: float | None, extra: dict[str, Any] | None = None) -> list[Registration]:
        fn = res(FUNCTION, "fn", {} if timeout is None else {"timeout": timeout})
        integration = {"type": "AWS_PROXY", "uri": Unknown(), **(extra or {})}
        return [fn, res(REST_INTEGRATION, "i", integration, deps=("fn",))]

    assert not violations(rule, *rest(25))
    assert not violations(rule, *rest(None))  # Lambda's default: 3 s
    assert violations(rule, *rest(30))
    assert violations(rule, *rest(29))
    assert violations(rule, *rest(10, {"timeoutMilliseconds": 5000}))
    fn = res(FUNCTION, "fn", {"timeout": 30})
    http = res(HTTP_INTEGRATION, "i", {"integrationType": "AWS_PROXY"}, deps=("fn",))
    assert violations(rule, fn, http)  # 30 s is not below HTTP's 30 s
    fn_29 = res(FUNCTION, "fn", {"timeout": 29})
    assert not violations(rule, fn_29, http)
    not_invoked = res(
        REST_INTEGRATION, "i", {"type": "HTTP_PROXY", "uri": "https://x"}, deps=("fn",)
    )
    assert not violations(rule, fn, not_invoked)


# -- fixed-names-delete-before-replace -----------------------------------------------------------


def test_fixed_names_are_replaced_delete_first():
    """Create-before-delete makes a second resource with the same name, which AWS refuses."""
    rule = "fixed-names-delete-before-replace"
    fixed = {"name": "/aws/lambda/ai", "retentionInDays": 7}
    assert violations(rule, res(LOG_GROUP, "ai-logs", fixed))
    assert not violations(rule, res(LOG_GROUP, "ai-logs", fixed, delete_before_replace=True))
    assert not violations(rule, res(LOG_GROUP, "ai-logs", {"retentionInDays": 7}))
    autonamed = {"name": "ai-logs-0a1b2c3"}  # what the CLI's autonaming filled in
    assert not violations(rule, res(LOG_GROUP, "ai-logs", autonamed))
    assert violations(rule, res(BUCKET, "data", {"bucket": "my-fixed-bucket"}))
    domain = "aws:cognito/userPoolDomain:UserPoolDomain"
    assert violations(rule, res(domain, "login", {"domain": "aigw-login"}))


def test_a_buckets_autoname_is_its_logical_name_lower_cased():
    """S3 bucket names are lower case only, so pulumi-aws lower-cases the logical name in a
    bucket's autoname (`AutoNameTransform("bucket", 63, strings.ToLower)`): the CLI checks
    `ModelArtifacts` as `modelartifacts-<7 hex>`, a name Pulumi made, not a fixed one."""
    rule = "fixed-names-delete-before-replace"
    assert not violations(rule, res(BUCKET, "ModelArtifacts", {"bucket": "modelartifacts-0a1b2c3"}))
    assert violations(rule, res(BUCKET, "ModelArtifacts", {"bucket": "modelartifacts-prod"}))
    # Only buckets: other types keep the logical name's case in their autoname.
    assert violations(rule, res(LOG_GROUP, "AiLogs", {"name": "ailogs-0a1b2c3"}))
    assert not violations(rule, res(LOG_GROUP, "AiLogs", {"name": "AiLogs-0a1b2c3"}))


# -- cloudfront-alias-no-health-check -----------------------------------------------------------


def test_aliases_toward_cloudfront_never_evaluate_target_health():
    """Route 53 refuses evaluate_target_health on an alias to CloudFront (an EDGE API)."""
    rule = "cloudfront-alias-no-health-check"

    def record(alias: dict[str, Any], deps: tuple[str, ...] = ()) -> Registration:
        return res(RECORD, "api", {"type": "A", "aliases": [alias]}, deps=deps)

    healthy = {
        "name": "d1.cloudfront.net",
        "zoneId": "Z2FDTNDATAQYW2",
        "evaluateTargetHealth": True,
    }
    assert violations(rule, record(healthy))
    assert not violations(rule, record({**healthy, "evaluateTargetHealth": False}))
    unknown_target = {"name": Unknown(), "zoneId": Unknown(), "evaluateTargetHealth": True}
    edge = res(REST_DOMAIN, "domain", {"certificateArn": "arn:aws:acm:us-east-1:1:certificate/x"})
    assert violations(rule, edge, record(unknown_target, deps=("domain",)))
    regional = res(REST_DOMAIN, "domain", {"endpointConfiguration": {"types": "REGIONAL"}})
    assert not violations(rule, regional, record(unknown_target, deps=("domain",)))


# -- bootstrap-before-logging --------------------------------------------------------------------


def _bootstrap(env: str, regions: list[str]) -> dict[str, dict[str, Any]]:
    return {f"organization/aigw-bootstrap/{env}": {"apiGatewayLoggingRegions": regions}}


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_a_logging_rest_stage_needs_the_bootstrap_of_its_env_and_region(env):
    """API Gateway refuses a logging stage until the account names a CloudWatch role in that
    region ("CloudWatch Logs role ARN must be set in account settings to enable logging")."""
    rule = "bootstrap-before-logging"
    stage = res(REST_STAGE, "stage", LOGGED)
    assert not violations(rule, stage, env=env, references=_bootstrap(env, ["eu-west-1"]))
    [missing] = violations(rule, stage, env=env)
    assert f"invoke bootstrap --env={env}" in missing
    assert violations(rule, stage, env=env, references=_bootstrap(env, ["us-east-1"]))
    assert violations(rule, stage, env=env, references=_bootstrap("staging", ["eu-west-1"]))
    in_region = res(REST_STAGE, "stage", {**LOGGED, "region": "us-east-1"})
    assert not violations(rule, in_region, env=env, references=_bootstrap(env, ["us-east-1"]))


def test_a_stage_on_an_explicit_provider_needs_the_bootstrap_in_the_providers_region():
    """A stage registered with `aws.Provider(region=...)` and no region of its own lives in the
    provider's region (the CLI hands the pack that provider's inputs); the bootstrap must have
    set API Gateway's CloudWatch role there, not only in the default provider's region."""
    rule = "bootstrap-before-logging"
    north = "pulumi:providers:aws::north"
    stage = res(REST_STAGE, "stage", LOGGED, provider=north)
    covered = _bootstrap("dev", ["eu-west-1"])
    [refused] = violations(
        rule, stage, references=covered, providers={north: {"region": "eu-north-1"}}
    )
    assert "eu-north-1" in refused and "invoke bootstrap --env=dev" in refused
    in_covered_region = {north: {"region": "eu-west-1"}}
    assert not violations(rule, stage, references=covered, providers=in_covered_region)
    on_default_provider = res(REST_STAGE, "stage", LOGGED)
    assert not violations(rule, on_default_provider, references=covered)


def test_execution_logging_alone_needs_the_bootstrap_too():
    """Execution logs (MethodSettings loggingLevel) need the same account setting."""
    rule = "bootstrap-before-logging"
    stage = res(REST_STAGE, "stage", {"stageName": "v1"})
    logging = res(METHOD_SETTINGS, "s", {"settings": {"loggingLevel": "ERROR"}}, deps=("stage",))
    assert violations(rule, stage, logging)
    quiet = res(METHOD_SETTINGS, "s", {"settings": THROTTLED}, deps=("stage",))
    assert not violations(rule, stage, quiet)


def test_local_needs_no_bootstrap():
    """The emulator has no account setting to need."""
    assert not violations("bootstrap-before-logging", res(REST_STAGE, "stage", LOGGED), env="local")


def test_object_actions_may_cover_a_key_prefix_of_a_named_bucket():
    """S3 objects are written after the grant, so their keys cannot be listed in it: a literal
    key prefix of one named bucket is the narrowest grant S3 offers. A whole bucket, a bucket
    pattern, or bucket-level actions on a prefix stay refused."""
    rule = "no-iam-wildcards"
    prefix = document(
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": "arn:aws:s3:::data-509a6be/classifier/*",
        }
    )
    assert not violations(rule, res(ROLE_POLICY, "p", {"policy": prefix}))
    refused = [
        (["s3:GetObject"], "arn:aws:s3:::data-509a6be/*"),  # every object of the bucket
        (["s3:GetObject"], "arn:aws:s3:::data-*/classifier/*"),  # a bucket pattern
        (["s3:ListBucket"], "arn:aws:s3:::data-509a6be/classifier/*"),  # not an object action
        (["s3:GetObject"], "arn:aws:s3:::data-509a6be/*/x/*"),  # a pattern inside the prefix
    ]
    for actions, resource in refused:
        wild = document({"Effect": "Allow", "Action": actions, "Resource": resource})
        assert violations(rule, res(ROLE_POLICY, "p", {"policy": wild})), (actions, resource)
