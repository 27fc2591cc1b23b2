"""Global pattern: an edge-optimized REST API with `POST /ai` to a Lambda function, optionally
under a custom domain, optionally copied to extra regions behind Route 53 latency records.

With extra regions every API is REGIONAL (latency records choose between regional endpoints);
with a domain each region gets its own ACM certificate and domain name, and an EDGE domain's
certificate is made in us-east-1, where CloudFront looks for it.
"""

from pathlib import Path

import pulumi
from settings import INVOKE_SCOPE, Settings

from shared.components import (
    CustomDomain,
    CustomDomainArgs,
    Function,
    FunctionArgs,
    LambdaTarget,
    RestApi,
    RestApiArgs,
    Route,
    Stage,
    Throttle,
    config,
)

SOURCE = Path(__file__).parent / "functions"

settings = config.load(Settings)
stage = Stage(
    pulumi.get_stack(),
    Throttle(settings.rate_limit, settings.burst_limit),
    settings.log_retention_days,
)
urls = {}
home_api: RestApi | None = None  # the first, in the stack's own region
home_domain: CustomDomain | None = None  # its domain owns the ACM validation record
for region in [None, *settings.extra_regions]:
    suffix = f"-{region}" if region else ""  # None: the stack's own region
    function = Function(
        f"ai{suffix}",
        FunctionArgs(
            source_dir=SOURCE,
            handler="ai.handler",
            environment=settings.model_environment(),
            statements=settings.model_statements(region),
            timeout_s=settings.function_timeout_s,
            log_retention_days=settings.log_retention_days,
            region=region,
        ),
    )
    api = RestApi(
        f"api{suffix}",
        RestApiArgs(
            description="Low-latency AI endpoint",
            endpoint_type=settings.endpoint_type,
            region=region,
            routes=[Route("POST", "/ai", LambdaTarget(function), scopes=(INVOKE_SCOPE,))],
            access=settings.access_control,
            callers_from=home_api,
            stage=stage,
        ),
    )
    urls[region or "home"] = pulumi.Output.concat(api.url, "/ai")
    home_api = home_api or api
    if settings.domain_name:
        domain = CustomDomain(
            f"domain{suffix}",
            CustomDomainArgs(
                api=api,
                domain=settings.domain_name,
                zone_id=settings.hosted_zone_id,
                endpoint_type=settings.endpoint_type,
                latency_routed=bool(settings.extra_regions),
                region=region,
                validation_from=home_domain,
            ),
        )
        home_domain = home_domain or domain

pulumi.export("url", urls["home"])
assert home_api is not None
pulumi.export("baseUrl", home_api.url)
# Each region's API has its own authorizer and keys; callers use the home region's.
pulumi.export("access", home_api.access)
pulumi.export("credentials", home_api.credentials)
pulumi.export("regionalUrls", urls)
if settings.domain_name:
    pulumi.export("domainUrl", f"https://{settings.domain_name}/ai")
