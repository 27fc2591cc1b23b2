"""The versions stack's settings: `versions:<key>` in Pulumi.<env>.yaml, declared in
Pulumi.yaml."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pulumi

from shared.components import config
from shared.components.access import HttpAccessSettings
from shared.components.api import MAX_HTTP_INTEGRATION_TIMEOUT_MS
from shared.components.config import setting

LIVE = "live"
# The scope a token must carry to call POST /predict on any stage (jwt access).
PREDICT_SCOPE = "predict"
STAGE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True, kw_only=True)
class Settings(HttpAccessSettings):
    model_versions: dict = setting(
        kind=config.JSON, description="Model version -> its endpoint URL, one stage each"
    )
    live_version: str = setting(kind=str, description="The version the live stage serves")
    rate_limit: float = setting(
        50.0, minimum=0.1, maximum=10_000, description="Requests per second per stage"
    )
    burst_limit: int = setting(100, minimum=1, maximum=5_000, description="Burst per stage")
    integration_timeout_ms: int = setting(
        29_000,
        minimum=50,
        maximum=MAX_HTTP_INTEGRATION_TIMEOUT_MS,
        description="Milliseconds API Gateway waits",
    )
    log_retention_days: int = setting(
        7, choices=config.LOG_RETENTION_DAYS, description="Days CloudWatch keeps the logs"
    )

    def problems(self) -> Iterator[str]:
        yield from self.access_control.problems(pulumi.get_stack(), "http", [PREDICT_SCOPE])
        if not isinstance(self.model_versions, dict) or not self.model_versions:
            yield "modelVersions: expected a mapping of version name to endpoint URL."
            return
        for version, endpoint in self.model_versions.items():
            if not STAGE_NAME.match(version) or version == LIVE:
                yield f"modelVersions: {version!r} is not a usable stage name."
            if config.problem_with_url(endpoint):
                yield f"modelVersions.{version}: {config.problem_with_url(endpoint)}"
        schemes = {str(url).partition("://")[0] for url in self.model_versions.values()}
        if len(schemes) > 1:
            yield (
                "modelVersions: every version's endpoint must use the same scheme (the "
                f"integration URI writes it literally), found {', '.join(sorted(schemes))}."
            )
        if self.live_version not in self.model_versions:
            yield (
                f"liveVersion: {self.live_version!r} is not one of "
                f"{', '.join(self.model_versions)}."
            )

    @property
    def model_scheme(self) -> str:
        """The scheme every version's endpoint shares (`problems` checks there is one)."""
        return str(next(iter(self.model_versions.values()))).partition("://")[0]


def without_scheme(url: str) -> str:
    """`https://host/path` -> `host/path`: the stage variable's half of the integration URI."""
    return url.partition("://")[2]
