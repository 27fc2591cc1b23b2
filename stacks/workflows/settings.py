"""The workflows stack's settings: `workflows:<key>` in Pulumi.<env>.yaml (declared in
Pulumi.yaml)."""

from collections.abc import Iterator
from dataclasses import dataclass

import pulumi

from shared.components import ModelFunctionSettings, config
from shared.components.access import RestAccessSettings
from shared.components.config import setting

# The scope a token must carry to run a workflow (cognito access).
RUN_SCOPE = "run"


@dataclass(frozen=True, kw_only=True)
class Settings(ModelFunctionSettings, RestAccessSettings):
    rate_limit: float = setting(
        50.0, minimum=0.1, maximum=10_000, description="Stage requests per second"
    )
    burst_limit: int = setting(100, minimum=1, maximum=5_000, description="Stage burst")
    log_retention_days: int = setting(
        7, choices=config.LOG_RETENTION_DAYS, description="Days CloudWatch keeps the logs"
    )

    def problems(self) -> Iterator[str]:
        yield from super().problems()
        yield from self.access_control.problems(pulumi.get_stack(), "rest", [RUN_SCOPE])
