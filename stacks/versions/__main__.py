"""Versions pattern: an HTTP API with one stage per model version, plus a `live` stage.

Every stage has the same route; its stage variables say which model it calls, so
`/<version>/predict` reaches that version and `/live/predict` the promoted one. Promoting a
version (blue/green) or pointing `live` elsewhere is a config change and a deploy.
"""

import re
from dataclasses import dataclass

import pulumi

from shared.components import config, http_api
from shared.components.config import setting
from shared.components.stages import Throttle

LIVE = "live"
STAGE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class VersionsSettings:
    model_versions: dict = setting(kind=config.JSON, description="version -> model endpoint URL")
    live_version: str = setting(kind=str, description="the version the live stage serves")
    rate_limit: float = setting(50.0, minimum=0.1, maximum=10_000)
    burst_limit: int = setting(100, minimum=1, maximum=5_000)
    integration_timeout_ms: int = setting(29_000, minimum=50, maximum=30_000)
    log_retention_days: int = setting(7, choices=config.LOG_RETENTION_DAYS)

    def problems(self):
        if not isinstance(self.model_versions, dict) or not self.model_versions:
            yield "modelVersions: expected a mapping of version name to endpoint URL."
            return
        for version, endpoint in self.model_versions.items():
            if not STAGE_NAME.match(version) or version == LIVE:
                yield f"modelVersions: {version!r} is not a usable stage name."
            if config.problem_with_url(endpoint):
                yield f"modelVersions.{version}: {config.problem_with_url(endpoint)}"
        if self.live_version not in self.model_versions:
            yield (
                f"liveVersion: {self.live_version!r} is not one of "
                f"{', '.join(self.model_versions)}."
            )


settings = config.load(VersionsSettings)

api = http_api.HttpApi("api", description="One stage per model version").add(
    http_api.HttpRoute(
        "POST",
        "/predict",
        http_api.HttpTarget(
            "${stageVariables.modelEndpoint}", timeout_ms=settings.integration_timeout_ms
        ),
    )
)
throttle = Throttle(settings.rate_limit, settings.burst_limit)
stage_models = {**settings.model_versions, LIVE: settings.model_versions[settings.live_version]}
stage_urls = {}
for stage_name, endpoint in stage_models.items():
    version = settings.live_version if stage_name == LIVE else stage_name
    stage = api.stage(
        http_api.HttpStage(
            stage_name,
            throttle,
            settings.log_retention_days,
            variables={"modelVersion": version, "modelEndpoint": endpoint},
        )
    )
    stage_urls[stage_name] = pulumi.Output.concat(stage.invoke_url, "/predict")

pulumi.export("url", stage_urls[LIVE])
pulumi.export("apiEndpoint", api.api.api_endpoint)  # + "/<stage>/predict"
pulumi.export("stageUrls", stage_urls)
pulumi.export("liveVersion", settings.live_version)
