"""Global pattern: an edge-optimized REST API with `POST /ai` to a Lambda function, optionally
under a custom domain, optionally copied to extra regions behind Route 53 latency records.

With extra regions every API is REGIONAL (latency records choose between regional endpoints);
with a domain each region gets its own ACM certificate and domain name, and an EDGE domain's
certificate is made in us-east-1, where CloudFront looks for it.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import pulumi

from shared.components import config, rest_api
from shared.components import domain as domains
from shared.components.config import setting
from shared.components.function import LambdaFunction, ModelFunctionSettings

SOURCE = Path(__file__).parent / "functions"
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


@dataclass(frozen=True, kw_only=True)
class GlobalSettings(ModelFunctionSettings):
    endpoint_type: str = setting("EDGE", choices=("EDGE", "REGIONAL"))
    extra_regions: list = setting([], kind=config.JSON, description="regions to copy the API to")
    domain_name: str = setting("", description="custom domain, e.g. ai.example.com (optional)")
    hosted_zone_id: str = setting("", description="Route 53 zone of the domain")
    rate_limit: float = setting(100.0, minimum=0.1, maximum=10_000)
    burst_limit: int = setting(200, minimum=1, maximum=5_000)
    log_retention_days: int = setting(7, choices=config.LOG_RETENTION_DAYS)

    def problems(self):
        if not isinstance(self.extra_regions, list):
            yield "extraRegions: expected a list of region names."
            return
        for region in self.extra_regions:
            if not isinstance(region, str) or not REGION.match(region):
                yield f"extraRegions: {region!r} is not a region name like eu-west-1."
        if self.extra_regions and self.endpoint_type != "REGIONAL":
            yield "endpointType: must be REGIONAL when extraRegions are set (latency routing)."
        if self.domain_name and not self.hosted_zone_id:
            yield "hostedZoneId: required when domainName is set."
        yield from super().problems()


def regional_api(settings: GlobalSettings, region: str | None) -> rest_api.RestApi:
    """The function and the API, in `region` (None: the stack's own region)."""
    suffix = f"-{region}" if region else ""
    function = LambdaFunction(
        f"ai{suffix}",
        source_dir=SOURCE,
        handler="ai.handler",
        environment={
            **settings.model_environment(),
        },
        timeout_s=settings.function_timeout_s,
        log_retention_days=settings.log_retention_days,
        region=region,
    )
    return rest_api.RestApi(
        f"api{suffix}",
        description="Low-latency AI endpoint",
        endpoint_type=settings.endpoint_type,
        region=region,
    ).add(rest_api.Route("POST", "/ai", rest_api.LambdaProxy(function.function)))


settings = config.load(GlobalSettings)
stage_settings = rest_api.StageSettings(
    name=pulumi.get_stack(),
    throttle=rest_api.Throttle(settings.rate_limit, settings.burst_limit),
    log_retention_days=settings.log_retention_days,
)
urls = {}
for region in [None, *settings.extra_regions]:
    api = regional_api(settings, region)
    stage = api.deploy(stage_settings)
    urls[region or "home"] = pulumi.Output.concat(stage.invoke_url, "/ai")
    if settings.domain_name:
        domains.serve_on_domain(
            api,
            stage,
            domain=settings.domain_name,
            zone_id=settings.hosted_zone_id,
            endpoint_type=settings.endpoint_type,
            latency_routed=bool(settings.extra_regions),
            region=region,
        )

pulumi.export("url", urls["home"])
pulumi.export("regionalUrls", urls)
if settings.domain_name:
    pulumi.export("domainUrl", f"https://{settings.domain_name}/ai")
