"""Proxy pattern: `POST /predict` forwarded to an ML model endpoint, behind API keys and a
usage plan. Only the request shape is checked here; the model answers everything else."""

from dataclasses import dataclass

import pulumi

from shared.components import config, rest_api
from shared.components.config import setting

# Hugging Face / SageMaker inference convention: {"inputs": ..., "parameters": {...}}.
INFERENCE_REQUEST = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "InferenceRequest",
    "type": "object",
    "required": ["inputs"],
    "additionalProperties": False,
    "properties": {
        "inputs": {
            "oneOf": [
                {"type": "string", "minLength": 1},
                {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 64,
                    "items": {"type": "string", "minLength": 1},
                },
            ]
        },
        "parameters": {"type": "object"},
    },
}


@dataclass(frozen=True)
class ProxySettings:
    model_endpoint: str = setting(kind=config.URL, description="Model URL (SageMaker contract)")
    integration_timeout_ms: int = setting(29_000, minimum=50, maximum=29_000)
    stage_rate_limit: float = setting(50.0, minimum=0.1, maximum=10_000)
    stage_burst_limit: int = setting(100, minimum=1, maximum=5_000)
    plan_rate_limit: float = setting(10.0, minimum=0.1, maximum=10_000)
    plan_burst_limit: int = setting(20, minimum=1, maximum=5_000)
    quota_limit: int = setting(10_000, minimum=1, maximum=1_000_000_000)
    quota_period: str = setting("DAY", choices=("DAY", "WEEK", "MONTH"))
    log_retention_days: int = setting(7, choices=config.LOG_RETENTION_DAYS)
    logging_level: str = setting("OFF", choices=("OFF", "ERROR", "INFO"))
    metrics: bool = setting(False)
    tracing: bool = setting(False)


settings = config.load(ProxySettings)

api = rest_api.RestApi("api", description="Proxy to an ML model endpoint").add(
    rest_api.Route(
        "POST",
        "/predict",
        rest_api.HttpProxy(settings.model_endpoint, timeout_ms=settings.integration_timeout_ms),
        api_key_required=True,
        body_schema=INFERENCE_REQUEST,
    )
)
stage = api.deploy(
    rest_api.StageSettings(
        name=pulumi.get_stack(),
        throttle=rest_api.Throttle(settings.stage_rate_limit, settings.stage_burst_limit),
        log_retention_days=settings.log_retention_days,
        tracing=settings.tracing,
        logging_level=settings.logging_level,
        metrics=settings.metrics,
    )
)
key = rest_api.usage_plan(
    api,
    stage,
    throttle=rest_api.Throttle(settings.plan_rate_limit, settings.plan_burst_limit),
    quota=rest_api.Quota(settings.quota_limit, settings.quota_period),
)

pulumi.export("url", pulumi.Output.concat(stage.invoke_url, "/predict"))
pulumi.export("apiKeyId", key.id)
pulumi.export("apiKey", pulumi.Output.secret(key.value))
