"""The Hugging Face / SageMaker request convention every model-calling route accepts:
`{"inputs": "text" | ["text", ...], "parameters": {...}}`. Checked before the model is called,
so a client mistake is a 400 with a reason rather than a model error, and checked here, once,
so every pattern answers the same request the same way."""

from __future__ import annotations

from typing import Any

from . import schema
from .http import DEFAULT_MAX_BODY_BYTES, HttpError, Request

MAX_TEXTS = 64
# The labels of the sentiment models behind every backend (the local model's, and what the
# Bedrock classification prompt asks for).
LABELS = ("negative", "neutral", "positive")

# What a classifying model takes: `top_k` limits the scores each prediction carries.
MODEL_PARAMETERS: schema.Schema = {
    "type": "object",
    "properties": {"top_k": {"type": "integer", "minimum": 1, "maximum": len(LABELS)}},
    "additionalProperties": False,
}


def inference_request(
    request: Request,
    *,
    max_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_texts: int = MAX_TEXTS,
    parameters_schema: schema.Schema = MODEL_PARAMETERS,
) -> tuple[list[str], dict[str, Any]]:
    """The texts (a single string becomes a list of one) and the parameters object, which must
    meet `parameters_schema` (the model's parameters unless a route takes its own)."""
    body = request.json(max_bytes=max_bytes)
    unknown = set(body) - {"inputs", "parameters"}
    if unknown:
        raise HttpError(400, f"unknown fields: {', '.join(sorted(unknown))}")
    inputs = body.get("inputs")
    texts = [inputs] if isinstance(inputs, str) else inputs
    if not isinstance(texts, list) or not texts:
        raise HttpError(400, '"inputs" must be a string or a non-empty list of strings')
    if len(texts) > max_texts:
        raise HttpError(400, f'"inputs" may hold at most {max_texts} texts')
    if not all(isinstance(t, str) and t.strip() for t in texts):
        raise HttpError(400, '"inputs" must contain only non-empty strings')
    parameters = body.get("parameters", {})
    if not isinstance(parameters, dict):
        raise HttpError(400, '"parameters" must be an object')
    schema.check(parameters, parameters_schema, "parameters")
    return texts, parameters
