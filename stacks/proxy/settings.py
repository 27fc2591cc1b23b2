"""The proxy stack's settings: `proxy:<key>` in Pulumi.<env>.yaml (declared in Pulumi.yaml)."""

from dataclasses import dataclass

import pulumi

from shared.components import config
from shared.components.api import MAX_REST_INTEGRATION_TIMEOUT_MS
from shared.components.config import setting


@dataclass(frozen=True)
class Settings:
    # A secret Output when set as a secret (`pulumi config set --secret`): used as an Input only.
    model_endpoint: pulumi.Input[str] = setting(
        kind=config.URL,
        description="Model endpoint URL (SageMaker inference contract)",
        may_be_secret=True,
    )
    integration_timeout_ms: int = setting(
        MAX_REST_INTEGRATION_TIMEOUT_MS,
        minimum=50,
        maximum=MAX_REST_INTEGRATION_TIMEOUT_MS,
        description="Milliseconds API Gateway waits",
    )
    stage_rate_limit: float = setting(
        50.0, minimum=0.1, maximum=10_000, description="Stage requests per second"
    )
    stage_burst_limit: int = setting(100, minimum=1, maximum=5_000, description="Stage burst")
    plan_rate_limit: float = setting(
        10.0, minimum=0.1, maximum=10_000, description="Requests per second per API key"
    )
    plan_burst_limit: int = setting(20, minimum=1, maximum=5_000, description="Burst per key")
    quota_limit: int = setting(
        10_000, minimum=1, maximum=1_000_000_000, description="Requests per key per period"
    )
    quota_period: str = setting("DAY", choices=("DAY", "WEEK", "MONTH"), description="Quota period")
    log_retention_days: int = setting(
        7, choices=config.LOG_RETENTION_DAYS, description="Days CloudWatch keeps the logs"
    )
    logging_level: str = setting(
        "OFF", choices=("OFF", "ERROR", "INFO"), description="API Gateway execution logs"
    )
    metrics: bool = setting(False, description="Detailed CloudWatch metrics")
    tracing: bool = setting(False, description="X-Ray tracing")
