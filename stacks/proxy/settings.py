"""The proxy stack's settings: `proxy:<key>` in Pulumi.<env>.yaml (declared in Pulumi.yaml)."""

from collections.abc import Iterator
from dataclasses import dataclass

import pulumi

from shared.components import config
from shared.components.access import RestAccessSettings
from shared.components.api import MAX_REST_INTEGRATION_TIMEOUT_MS
from shared.components.config import setting
from shared.components.model import ModelBackend, model_setting

# The scope a token must carry to call POST /predict (cognito access).
PREDICT_SCOPE = "predict"


@dataclass(frozen=True, kw_only=True)
class Settings(RestAccessSettings):
    model: dict = model_setting()
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
    log_retention_days: int = setting(
        7, choices=config.LOG_RETENTION_DAYS, description="Days CloudWatch keeps the logs"
    )
    logging_level: str = setting(
        "OFF", choices=("OFF", "ERROR", "INFO"), description="API Gateway execution logs"
    )
    metrics: bool = setting(False, description="Detailed CloudWatch metrics")
    tracing: bool = setting(False, description="X-Ray tracing")

    @property
    def backend(self) -> ModelBackend:
        return ModelBackend.from_config(self.model)

    def problems(self) -> Iterator[str]:
        yield from self.backend.problems()
        if self.backend.type == "bedrock" and str(self.backend.model_id).startswith("arn:"):
            # The id is a segment of the integration's path (`model/<id>/converse`), where an
            # ARN's `/` would split it.
            yield "model.modelId: proxy calls Bedrock by model id, not by ARN."
        yield from self.access_control.problems(pulumi.get_stack(), "rest", [PREDICT_SCOPE])
