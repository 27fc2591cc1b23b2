"""The Hugging Face / SageMaker request convention every model-calling route accepts:
`{"inputs": "text" | ["text", ...], "parameters": {...}}`. Checked before the model is called,
so a client mistake is a 400 with a reason rather than a model error."""

from __future__ import annotations

from .http import DEFAULT_MAX_BODY_BYTES, HttpError, Request

MAX_TEXTS = 64


def inference_request(
    request: Request, *, max_bytes: int = DEFAULT_MAX_BODY_BYTES, max_texts: int = MAX_TEXTS
) -> tuple[list[str], dict]:
    """The texts (a single string becomes a list of one) and the parameters object."""
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
    return texts, parameters
