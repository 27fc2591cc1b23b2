"""The global stack's settings: `global:<key>` in Pulumi.<env>.yaml (declared in Pulumi.yaml)."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pulumi

from shared.components import ModelFunctionSettings, config
from shared.components.access import RestAccessSettings
from shared.components.config import setting

# The scope a token must carry to call POST /ai (cognito access).
INVOKE_SCOPE = "invoke"
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


@dataclass(frozen=True, kw_only=True)
class Settings(ModelFunctionSettings, RestAccessSettings):
    endpoint_type: str = setting(
        "EDGE", choices=("EDGE", "REGIONAL"), description="API endpoint type"
    )
    extra_regions: list = setting(
        [], kind=config.JSON, description="Regions to copy the API and function to"
    )
    domain_name: str = setting("", description="Custom domain, e.g. ai.example.com (optional)")
    hosted_zone_id: str = setting("", description="Route 53 zone of the domain")
    rate_limit: float = setting(
        100.0, minimum=0.1, maximum=10_000, description="Stage requests per second"
    )
    burst_limit: int = setting(200, minimum=1, maximum=5_000, description="Stage burst")
    log_retention_days: int = setting(
        7, choices=config.LOG_RETENTION_DAYS, description="Days CloudWatch keeps the logs"
    )

    def problems(self) -> Iterator[str]:
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
        yield from self.access_control.problems(pulumi.get_stack(), "rest", [INVOKE_SCOPE])
        if self.access_control.mode == "iam" and (self.extra_regions or self.domain_name):
            # A SigV4 signature names one region; a latency-routed or custom-domain caller does
            # not know which region will answer, so every signature would be wrong in the others.
            yield (
                "access.mode: iam cannot be used with extraRegions or domainName (a signature "
                "names one region); use cognito or api_key."
            )
