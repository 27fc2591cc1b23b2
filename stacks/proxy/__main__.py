"""Proxy pattern: `POST /predict` forwarded to an ML model, behind the stack's access mode (API
keys on usage-plan tiers, Cognito tokens or SigV4). The model is an HTTP endpoint, or a
SageMaker endpoint or Bedrock model called by API Gateway itself, signed. Only the request shape
is checked here; the model answers everything else."""

import pulumi
from settings import PREDICT_SCOPE, Settings

from shared.components import (
    HttpTarget,
    ModelTarget,
    RestApi,
    RestApiArgs,
    Route,
    Stage,
    Throttle,
    config,
)

# The generation parameters of the Hugging Face inference convention, checked by type at the
# gateway: a wrong one is the caller's fault (400) before it reaches the model, which would
# answer a SageMaker ModelError (502). Others pass through to the model unchecked.
PARAMETERS = {
    "type": "object",
    "properties": {
        "top_k": {"type": "integer", "minimum": 1},
        "top_p": {"type": "number", "minimum": 0, "maximum": 1},
        "temperature": {"type": "number", "minimum": 0},
        "max_new_tokens": {"type": "integer", "minimum": 1},
        "do_sample": {"type": "boolean"},
        "return_full_text": {"type": "boolean"},
    },
}
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
        "parameters": PARAMETERS,
    },
}
# Bedrock (Converse) takes one prompt: `inputs` is a string, up to 100,000 characters. The
# integration's template sends no generation parameters (the answer is capped at
# model_integration.CONVERSE_MAX_TOKENS), so a request naming some is refused, not ignored.
PROMPT_REQUEST = {
    **INFERENCE_REQUEST,
    "title": "PromptRequest",
    "properties": {"inputs": {"type": "string", "minLength": 1, "maxLength": 100_000}},
}

settings = config.load(Settings)
backend = settings.backend
target: HttpTarget | ModelTarget
if backend.type == "http":
    assert backend.url is not None
    target = HttpTarget(backend.url, timeout_ms=settings.integration_timeout_ms)
else:
    target = ModelTarget(backend, timeout_ms=settings.integration_timeout_ms)

api = RestApi(
    "api",
    RestApiArgs(
        description="Proxy to an ML model",
        routes=[
            Route(
                "POST",
                "/predict",
                target,
                scopes=(PREDICT_SCOPE,),
                body_schema=PROMPT_REQUEST if backend.type == "bedrock" else INFERENCE_REQUEST,
            )
        ],
        access=settings.access_control,
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

pulumi.export("url", pulumi.Output.concat(api.url, "/predict"))
pulumi.export("baseUrl", api.url)
pulumi.export("access", api.access)
pulumi.export("credentials", api.credentials)
if api.api_key_ids:  # api_key access: the first enabled client's key, as before tiers existed
    first = next(c.name for c in settings.access_control.clients if c.enabled)
    pulumi.export("apiKeyId", api.api_key_ids[first])
    pulumi.export("apiKey", api.credentials.apply(lambda c: c["apiKeys"][first]))
