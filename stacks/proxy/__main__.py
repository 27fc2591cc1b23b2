"""Proxy pattern: `POST /predict` forwarded to an ML model endpoint, behind API keys and a
usage plan. Only the request shape is checked here; the model answers everything else."""

import pulumi
from settings import Settings

from shared.components import (
    HttpTarget,
    Quota,
    RestApi,
    RestApiArgs,
    Route,
    Stage,
    Throttle,
    UsagePlan,
    UsagePlanArgs,
    config,
)

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

settings = config.load(Settings)

api = RestApi(
    "api",
    RestApiArgs(
        description="Proxy to an ML model endpoint",
        routes=[
            Route(
                "POST",
                "/predict",
                HttpTarget(settings.model_endpoint, timeout_ms=settings.integration_timeout_ms),
                api_key_required=True,
                body_schema=INFERENCE_REQUEST,
            )
        ],
        stage=Stage(
            pulumi.get_stack(),
            Throttle(settings.stage_rate_limit, settings.stage_burst_limit),
            settings.log_retention_days,
            tracing=settings.tracing,
            logging_level=settings.logging_level,
            metrics=settings.metrics,
        ),
    ),
)
plan = UsagePlan(
    "plan",
    UsagePlanArgs(
        api=api,
        throttle=Throttle(settings.plan_rate_limit, settings.plan_burst_limit),
        quota=Quota(settings.quota_limit, settings.quota_period),  # type: ignore[arg-type]
    ),
)

pulumi.export("url", pulumi.Output.concat(api.url, "/predict"))
pulumi.export("apiKeyId", plan.api_key_id)
pulumi.export("apiKey", plan.api_key)
