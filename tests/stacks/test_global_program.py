"""The global program on Pulumi's mock runtime, for every environment as its Pulumi.<env>.yaml
configures it, plus the domain variants and the configuration rules across settings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from shared import catalog
from shared.components.config import ConfigError
from shared.ops.stack_files import stack_config

STACK = "global"
REST_API = "aws:apigateway/restApi:RestApi"
RESOURCE = "aws:apigateway/resource:Resource"
METHOD = "aws:apigateway/method:Method"
INTEGRATION = "aws:apigateway/integration:Integration"
DEPLOYMENT = "aws:apigateway/deployment:Deployment"
STAGE = "aws:apigateway/stage:Stage"
METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
DOMAIN = "aws:apigateway/domainName:DomainName"
MAPPING = "aws:apigateway/basePathMapping:BasePathMapping"
FUNCTION = "aws:lambda/function:Function"
PERMISSION = "aws:lambda/permission:Permission"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
CERTIFICATE = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
RECORD = "aws:route53/record:Record"
AUTHORIZER = "aws:apigateway/authorizer:Authorizer"
# The components the program composes (their children's parents).
COMPONENT_FUNCTION = "aigw:lambda:Function"
COMPONENT_REST_API = "aigw:apigateway:RestApi"
COMPONENT_DOMAIN = "aigw:apigateway:CustomDomain"
COMPONENT_ISSUER = "aigw:cognito:ClientCredentialsIssuer"
# The scope a token must carry to call POST /ai (cognito access), as the token names it.
INVOKE_SCOPE = "aigw-global/invoke"

# Region-bound resources every regional copy has (IAM and Route 53 are global).
REGIONAL_TYPES = {
    REST_API,
    RESOURCE,
    METHOD,
    INTEGRATION,
    DEPLOYMENT,
    STAGE,
    METHOD_SETTINGS,
    FUNCTION,
    PERMISSION,
    LOG_GROUP,
}
DOMAIN_TYPES = {CERTIFICATE, VALIDATION, DOMAIN, MAPPING}


@dataclass
class EnvRun:
    env: str
    config: dict[str, str]
    run: Any  # conftest.ProgramRun
    fake_outputs: Any  # conftest.fake_outputs

    @property
    def home(self) -> str:
        return self.config["aws:region"]

    @property
    def extra_regions(self) -> list[str]:
        return json.loads(self.config.get("global:extraRegions", "[]"))

    @property
    def endpoint_type(self) -> str:
        return self.config.get("global:endpointType", "EDGE")

    @property
    def domain(self) -> str:
        return self.config.get("global:domainName", "")

    @property
    def access(self) -> dict[str, Any]:
        return json.loads(self.config["global:access"])

    @property
    def model(self) -> dict[str, Any]:
        return json.loads(self.config["global:model"])


def suffix(region: str | None) -> str:
    return f"-{region}" if region else ""


def dependency(type_token: str, name: str) -> str:
    return f"{type_token}::{name}"


@pytest.fixture(scope="module")
def runs(run_program, mock_outputs) -> dict[str, EnvRun]:
    program_dir = catalog.stack_dir(STACK)
    return {
        env: EnvRun(env, stack_config(program_dir, env), run_program(STACK, env), mock_outputs)
        for env in catalog.ENVIRONMENTS
    }


@pytest.fixture(params=catalog.ENVIRONMENTS)
def env_run(request, runs) -> EnvRun:
    return runs[request.param]


def test_every_resource_has_a_component_parent(env_run):
    run, env = env_run.run, env_run.env
    for resource in run.resources:
        component_type, _, component = resource.parent.partition("::")
        assert component_type.startswith("aigw:"), f"{resource.urn} is not in a component"
        # Children are named `<component name>-<fragment>` (or the component's own name).
        assert resource.name == component or resource.name.startswith(f"{component}-")
    by_parent: dict[str, set[str]] = {}
    for resource in run.resources:
        by_parent.setdefault(resource.parent, set()).add(resource.name)
    expected: dict[str, set[str]] = {}
    access = env_run.access
    if access["mode"] == "cognito":
        # One token issuer for every region: a caller's token is accepted wherever latency
        # routing sends it.
        expected[f"{COMPONENT_ISSUER}::api-callers"] = {
            "api-callers-pool",
            "api-callers-resource-server",
            "api-callers-domain",
            *(f"api-callers-{c['name']}" for c in access["clients"]),
        }
    for region in [None, *env_run.extra_regions]:
        s = suffix(region)
        function, api, domain = f"ai{s}", f"api{s}", f"domain{s}"
        expected[f"{COMPONENT_FUNCTION}::{function}"] = {
            function,
            *(f"{function}-{part}" for part in ("role", "policy", "logs")),
        }
        expected[f"{COMPONENT_REST_API}::{api}"] = {
            api,
            f"{api}-ai",
            f"{api}-post-ai",
            f"{api}-post-ai-integration",
            f"{api}-post-ai-invoke-permission",
            f"{api}-deployment",
            f"{api}-{env}",
            f"{api}-{env}-access-logs",
            f"{api}-{env}-method-settings",
            *([f"{api}-token-authorizer"] if access["mode"] == "cognito" else []),
        }
        if env_run.domain:
            expected[f"{COMPONENT_DOMAIN}::{domain}"] = {
                domain,
                *(
                    f"{domain}-{part}"
                    for part in (
                        "mapping",
                        "alias",
                        "certificate",
                        "certificate-validation",
                        # The home region's domain owns the one validation record.
                        *(["certificate-validation-record"] if region is None else []),
                    )
                ),
            }
    assert by_parent == expected


def test_every_environment_file_is_valid_and_as_documented(runs):
    assert runs["local"].endpoint_type == runs["dev"].endpoint_type == "EDGE"
    assert not runs["local"].extra_regions and not runs["dev"].extra_regions
    for env in ("staging", "prod"):
        assert runs[env].endpoint_type == "REGIONAL"
        assert runs[env].extra_regions
    assert runs["prod"].domain and runs["prod"].config["global:hostedZoneId"]
    assert all(r.run.resources for r in runs.values())  # every config loaded and deployed


# --- one API and function per region ------------------------------------------------------------


def test_one_api_and_function_per_region(env_run):
    run = env_run.run
    regions = [None, *env_run.extra_regions]
    apis = {a.name: a for a in run.of_type(REST_API)}
    functions = {f.name: f for f in run.of_type(FUNCTION)}
    assert set(apis) == {f"api{suffix(r)}" for r in regions}
    assert set(functions) == {f"ai{suffix(r)}" for r in regions}
    for region in regions:
        api = apis[f"api{suffix(region)}"].inputs
        assert "name" not in api, "APIs are auto-named"
        assert api["endpointConfiguration"] == {"types": env_run.endpoint_type}
        assert api.get("region") == region
        function = functions[f"ai{suffix(region)}"].inputs
        assert "name" not in function, "functions are auto-named"
        assert function.get("region") == region


def test_every_api_is_regional_when_copied_to_other_regions(env_run):
    types = {a.inputs["endpointConfiguration"]["types"] for a in env_run.run.of_type(REST_API)}
    if env_run.extra_regions:
        assert types == {"REGIONAL"}
    else:
        assert types == {"EDGE"}
        assert len(env_run.run.of_type(REST_API)) == 1


def test_regional_copies_carry_their_region_and_iam_does_not(env_run):
    run = env_run.run
    for region in env_run.extra_regions:
        copies = [r for r in run.resources if f"-{region}" in r.name]
        by_type = {r.type for r in copies}
        assert by_type >= REGIONAL_TYPES, REGIONAL_TYPES - by_type
        for resource in copies:
            if resource.type in REGIONAL_TYPES | DOMAIN_TYPES:
                assert resource.inputs.get("region") == region, resource.name
    for resource in run.of_type(ROLE) + run.of_type(ROLE_POLICY):
        assert "region" not in resource.inputs, resource.name
    for resource in run.of_type(RECORD):
        assert "region" not in resource.inputs, resource.name  # Route 53 is global
    for resource in run.resources:
        if not any(f"-{region}" in resource.name for region in env_run.extra_regions):
            assert "region" not in resource.inputs, resource.name  # the stack's own region


def test_each_region_has_a_complete_api(env_run):
    """Per region: POST /ai, AWS_PROXY to that region's function, a scoped permission, a
    deployment after all of them, a stage with access logs and method settings."""
    run = env_run.run
    outputs = env_run.fake_outputs
    for region in [None, *env_run.extra_regions]:
        s = suffix(region)
        api, function = run.named(f"api{s}"), run.named(f"ai{s}")

        resource = run.named(f"api{s}-ai")
        assert resource.inputs["pathPart"] == "ai"
        assert resource.inputs["parentId"] == outputs(api)["rootResourceId"]
        assert resource.inputs["restApi"] == f"api{s}-id"

        method = run.named(f"api{s}-post-ai")
        assert method.inputs["httpMethod"] == "POST"
        assert method.inputs["resourceId"] == f"api{s}-ai-id"
        assert env_run.access["mode"] == "cognito"
        # Every region's method asks for a token of the home region's one user pool.
        authorizer = run.named(f"api{s}-token-authorizer")
        assert method.inputs["authorization"] == "COGNITO_USER_POOLS"
        assert method.inputs["authorizerId"] == f"{authorizer.name}-id"
        assert method.inputs["authorizationScopes"] == [INVOKE_SCOPE]
        assert authorizer.inputs["type"] == "COGNITO_USER_POOLS"
        assert authorizer.inputs["restApi"] == f"api{s}-id"
        pool = run.named("api-callers-pool")
        assert authorizer.inputs["providerArns"] == [outputs(pool)["arn"]]
        assert authorizer.inputs["identitySource"] == "method.request.header.Authorization"
        assert authorizer.inputs.get("region") == region

        integration = run.named(f"api{s}-post-ai-integration")
        assert integration.inputs["type"] == "AWS_PROXY"
        assert integration.inputs["integrationHttpMethod"] == "POST"
        assert integration.inputs["uri"] == outputs(function)["invokeArn"]
        assert integration.inputs["resourceId"] == f"api{s}-ai-id"

        permission = run.named(f"api{s}-post-ai-invoke-permission")
        assert permission.inputs["action"] == "lambda:InvokeFunction"
        assert permission.inputs["principal"] == "apigateway.amazonaws.com"
        assert permission.inputs["function"] == outputs(function)["name"]
        assert permission.inputs["sourceArn"] == outputs(api)["executionArn"] + "/*/POST/ai"

        deployment = run.named(f"api{s}-deployment")
        for member in (method, integration, permission, resource, authorizer):
            assert dependency(member.type, member.name) in deployment.dependencies
        assert deployment.inputs["triggers"]["redeployment"]

        stage = run.named(f"api{s}-{env_run.env}")
        assert stage.inputs["stageName"] == env_run.env
        assert stage.inputs["deployment"] == f"api{s}-deployment-id"
        assert dependency(DEPLOYMENT, deployment.name) in stage.dependencies
        access = stage.inputs["accessLogSettings"]
        log_group = run.named(f"api{s}-{env_run.env}-access-logs")
        assert access["destinationArn"] == outputs(log_group)["arn"]
        assert json.loads(access["format"])["requestId"] == "$context.requestId"
        assert "name" not in log_group.inputs, "the access-log group is auto-named"

        settings = run.named(f"api{s}-{env_run.env}-method-settings")
        assert settings.inputs["methodPath"] == "*/*"
        assert settings.inputs["stageName"] == env_run.env
        throttle = settings.inputs["settings"]
        assert throttle["throttlingRateLimit"] == float(env_run.config.get("global:rateLimit", 100))
        assert throttle["throttlingBurstLimit"] == int(env_run.config.get("global:burstLimit", 200))


def test_functions_run_the_ai_handler_with_the_model_settings(env_run):
    retention = int(env_run.config.get("global:logRetentionDays", 7))
    for function in env_run.run.of_type(FUNCTION):
        inputs = function.inputs
        assert inputs["runtime"] == "python3.12"
        assert inputs["handler"] == "ai.handler"
        assert inputs["timeout"] == 25  # below REST's 29 s integration timeout (AWS rule)
        variables = inputs["environment"]["variables"]
        model = env_run.model
        # What shared/runtime's model client reads, per backend.
        expected = {
            "http": {"MODEL_BACKEND": "http", "MODEL_ENDPOINT_URL": model.get("url")},
            "sagemaker": {
                "MODEL_BACKEND": "sagemaker",
                "MODEL_ENDPOINT_NAME": model.get("endpoint"),
            },
            "bedrock": {"MODEL_BACKEND": "bedrock", "MODEL_ID": model.get("modelId")},
        }[model["type"]]
        assert {
            k: v
            for k, v in variables.items()
            if k.startswith("MODEL_") and k != "MODEL_TIMEOUT_SECONDS"
        } == expected
        assert float(variables["MODEL_TIMEOUT_SECONDS"]) < inputs["timeout"]
        log_group = env_run.run.named(f"{function.name}-logs")
        # Named after the auto-named function: it follows the function and, its name being
        # fixed, is replaced delete-before-create.
        name = env_run.fake_outputs(function)["name"]
        assert log_group.inputs["name"] == f"/aws/lambda/{name}"
        assert log_group.inputs["retentionInDays"] == retention
        assert dependency(FUNCTION, function.name) in log_group.dependencies
        assert log_group.delete_before_replace is True
        # API Gateway cannot call the function before it may log (group and policy exist).
        policy = env_run.run.named(f"{function.name}-policy")
        s = function.name.removeprefix("ai")
        for caller in (f"api{s}-post-ai-invoke-permission", f"api{s}-post-ai-integration"):
            caller_dependencies = env_run.run.named(caller).dependencies
            assert dependency(LOG_GROUP, log_group.name) in caller_dependencies, caller
            assert dependency(ROLE_POLICY, policy.name) in caller_dependencies, caller
        role = env_run.run.named(f"{function.name}-role")
        assert "name" not in role.inputs and "name" not in policy.inputs, "auto-named"
        assert inputs["role"] == env_run.fake_outputs(role)["arn"]


def test_outputs_name_every_region(env_run):
    outputs = env_run.run.outputs
    urls = outputs["regionalUrls"].value
    assert set(urls) == {"home", *env_run.extra_regions}
    for key, url in urls.items():
        stage = env_run.run.named(f"api{suffix(None if key == 'home' else key)}-{env_run.env}")
        assert url == env_run.fake_outputs(stage)["invokeUrl"] + "/ai"
    assert outputs["url"].value == urls["home"]
    home_stage = env_run.run.named(f"api-{env_run.env}")
    assert outputs["baseUrl"].value == env_run.fake_outputs(home_stage)["invokeUrl"]
    # Callers use the home region's issuer; its client secrets are the one secret output.
    access, credentials = outputs["access"], outputs["credentials"]
    assert not access.secret and credentials.secret
    clients = env_run.access["clients"]
    assert access.value["mode"] == "cognito"
    assert access.value["scopes"] == [INVOKE_SCOPE]
    pool = env_run.run.named("api-callers-pool")
    assert access.value["issuer"] == "https://" + env_run.fake_outputs(pool)["endpoint"]
    assert access.value["tokenUrl"].endswith(".amazoncognito.com/oauth2/token")
    assert access.value["clients"] == {
        c["name"]: {"clientId": f"api-callers-{c['name']}-id", "scopes": c["scopes"]}
        for c in clients
    }
    assert set(credentials.value) == {"clientSecrets"}
    assert credentials.value["clientSecrets"] == {
        c["name"]: env_run.fake_outputs(env_run.run.named(f"api-callers-{c['name']}"))[
            "clientSecret"
        ]
        for c in clients
    }
    if env_run.domain:
        assert outputs["domainUrl"].value == f"https://{env_run.domain}/ai"
    else:
        assert "domainUrl" not in outputs


def test_domain_resources_only_with_a_domain(env_run):
    expected = 1 + len(env_run.extra_regions) if env_run.domain else 0
    for type_token in DOMAIN_TYPES:
        assert len(env_run.run.of_type(type_token)) == expected, type_token
    # An alias per region, one validation record for the domain.
    assert len(env_run.run.of_type(RECORD)) == expected + (1 if expected else 0)


# --- custom domain --------------------------------------------------------------------------------


def check_domain(run, fake_outputs, *, domain, zone, stage_name, regions, edge, home_region):
    """The domain resources of `regions` (None: the stack's own region)."""
    latency_routed = len(regions) > 1
    certificates = run.of_type(CERTIFICATE)
    assert len(certificates) == len(regions)
    assert len(run.of_type(VALIDATION)) == len(regions)
    assert len(run.of_type(DOMAIN)) == len(run.of_type(MAPPING)) == len(regions)
    aliases = [r for r in run.of_type(RECORD) if r.inputs["type"] == "A"]
    assert len(aliases) == len(regions)
    for region in regions:
        s = suffix(region)
        certificate = run.named(f"domain{s}-certificate")
        assert certificate.inputs["domainName"] == domain
        assert certificate.inputs["validationMethod"] == "DNS"
        api = run.named(f"api{s}")
        if edge:
            # CloudFront reads certificates from us-east-1 only.
            assert certificate.inputs["region"] == "us-east-1"
        else:
            assert certificate.inputs.get("region") == api.inputs.get("region") == region

        # AWS rule (ACM): every region's certificate for one domain is validated by the same
        # CNAME, so exactly one record resource owns it, the home region's; no
        # allow_overwrite, so removing an extra region never deletes what the others renew by.
        home = suffix(regions[0])
        record = run.named(f"domain{home}-certificate-validation-record")
        option = fake_outputs(run.named(f"domain{home}-certificate"))["domainValidationOptions"][0]
        assert record.inputs["zoneId"] == zone
        assert record.inputs["name"] == option["resourceRecordName"]
        assert record.inputs["type"] == option["resourceRecordType"]
        assert record.inputs["records"] == [option["resourceRecordValue"]]
        assert "allowOverwrite" not in record.inputs
        assert record.delete_before_replace is True  # a fixed name
        if region != regions[0]:
            assert f"domain{s}-certificate-validation-record" not in {r.name for r in run.resources}

        validation = run.named(f"domain{s}-certificate-validation")
        assert validation.inputs["certificateArn"] == fake_outputs(certificate)["arn"]
        assert validation.inputs["validationRecordFqdns"] == [fake_outputs(record)["fqdn"]]
        assert validation.inputs.get("region") == certificate.inputs.get("region")

        endpoint = run.named(f"domain{s}")
        assert endpoint.inputs["domainName"] == domain
        assert endpoint.inputs["endpointConfiguration"] == {"types": "EDGE" if edge else "REGIONAL"}
        arn_key, other_key = (
            ("certificateArn", "regionalCertificateArn")
            if edge
            else ("regionalCertificateArn", "certificateArn")
        )
        # The validated ARN: the domain waits for the certificate to be issued.
        assert endpoint.inputs[arn_key] == validation.inputs["certificateArn"]
        assert other_key not in endpoint.inputs
        assert dependency(VALIDATION, validation.name) in endpoint.dependencies
        assert endpoint.inputs.get("region") == region
        assert endpoint.delete_before_replace is True  # a fixed name

        mapping = run.named(f"domain{s}-mapping")
        assert mapping.inputs["restApi"] == f"api{s}-id"
        assert mapping.inputs["stageName"] == stage_name
        assert mapping.inputs["domainName"] == domain
        assert dependency(STAGE, f"api{s}-{stage_name}") in mapping.dependencies

        alias = run.named(f"domain{s}-alias")
        assert alias.inputs["zoneId"] == zone
        assert alias.inputs["name"] == domain
        assert alias.delete_before_replace is True  # a fixed name
        [target] = alias.inputs["aliases"]
        outputs = fake_outputs(endpoint)
        if edge:
            assert target["name"] == outputs["cloudfrontDomainName"]
            assert target["zoneId"] == outputs["cloudfrontZoneId"]
        else:
            assert target["name"] == outputs["regionalDomainName"]
            assert target["zoneId"] == outputs["regionalZoneId"]
        # AWS rule (Route 53): an alias to CloudFront (an EDGE domain) cannot evaluate target
        # health; a regional endpoint's can.
        assert target["evaluateTargetHealth"] is (not edge)
        served_from = region or home_region
        if latency_routed:
            assert alias.inputs["setIdentifier"] == served_from
            assert alias.inputs["latencyRoutingPolicies"] == [{"region": served_from}]
        else:
            assert "setIdentifier" not in alias.inputs
            assert "latencyRoutingPolicies" not in alias.inputs
    if latency_routed:
        identifiers = [a.inputs["setIdentifier"] for a in aliases]
        assert len(set(identifiers)) == len(identifiers)


def test_prod_serves_its_domain_from_every_region(runs):
    prod = runs["prod"]
    assert prod.domain
    check_domain(
        prod.run,
        prod.fake_outputs,
        domain=prod.domain,
        zone=prod.config["global:hostedZoneId"],
        stage_name="prod",
        regions=[None, *prod.extra_regions],
        edge=False,
        home_region=prod.home,
    )


def test_edge_domain_certificate_is_made_in_us_east_1(run_program, mock_outputs):
    run = run_program(
        STACK,
        "dev",
        {
            "aws:region": "eu-west-1",
            "global:endpointType": "EDGE",
            "global:extraRegions": "[]",
            "global:domainName": "ai.dev.example.org",
            "global:hostedZoneId": "ZDEVZONE",
        },
    )
    check_domain(
        run,
        mock_outputs,
        domain="ai.dev.example.org",
        zone="ZDEVZONE",
        stage_name="dev",
        regions=[None],
        edge=True,
        home_region="eu-west-1",
    )
    # Only the certificate (and its validation) leave the stack's region.
    assert run.one(DOMAIN).inputs.get("region") is None
    assert run.one(REST_API).inputs.get("region") is None
    assert run.outputs["domainUrl"].value == "https://ai.dev.example.org/ai"


def test_single_regional_domain_has_no_latency_routing(run_program, mock_outputs):
    run = run_program(
        STACK,
        "staging",
        {
            "global:extraRegions": "[]",
            "global:domainName": "ai.staging.example.org",
            "global:hostedZoneId": "ZSTAGING",
        },
    )
    check_domain(
        run,
        mock_outputs,
        domain="ai.staging.example.org",
        zone="ZSTAGING",
        stage_name="staging",
        regions=[None],
        edge=False,
        home_region="us-east-1",
    )


def test_staging_with_a_domain_gets_latency_records_per_region(run_program, mock_outputs):
    run = run_program(
        STACK,
        "staging",
        {
            "aws:region": "us-west-2",
            "global:domainName": "ai.staging.example.org",
            "global:hostedZoneId": "ZSTAGING",
        },
    )
    check_domain(
        run,
        mock_outputs,
        domain="ai.staging.example.org",
        zone="ZSTAGING",
        stage_name="staging",
        regions=[None, "eu-west-1"],
        edge=False,
        home_region="us-west-2",
    )


# --- validation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "overrides", "problem"),
    [
        (
            "local",
            {"global:extraRegions": '["eu-west-1"]'},
            "global:endpointType: must be REGIONAL when extraRegions are set",
        ),
        (
            "staging",
            {"global:endpointType": "EDGE"},
            "global:endpointType: must be REGIONAL when extraRegions are set",
        ),
        (
            "dev",
            {"global:domainName": "ai.example.org"},
            "global:hostedZoneId: required when domainName is set",
        ),
        (
            "staging",
            {"global:extraRegions": '["EU_WEST_1"]'},
            "global:extraRegions: 'EU_WEST_1' is not a region name",
        ),
        (
            "staging",
            {"global:extraRegions": '["eu-west"]'},
            "global:extraRegions: 'eu-west' is not a region name",
        ),
        ("local", {"global:extraRegions": '"eu-west-1"'}, "global:extraRegions: expected"),
        ("local", {"global:endpointType": "PRIVATE"}, "global:endpointType: 'PRIVATE' is not one"),
        (
            "local",
            {"global:modelTimeoutS": "20", "global:functionTimeoutS": "10"},
            "global:modelTimeoutS: must be shorter than functionTimeoutS",
        ),
    ],
)
def test_invalid_settings_are_reported_by_key(run_program, env, overrides, problem):
    with pytest.raises(ConfigError) as raised:
        run_program(STACK, env, overrides)
    assert problem in str(raised.value)
