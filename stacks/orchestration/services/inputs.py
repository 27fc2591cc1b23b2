"""Checks every service applies to its body before calling the model, so a client mistake is a
400 with a reason rather than a model error."""

import os

from aigw_handlers import HttpError, Request

MAX_TEXTS = 64
MAX_BODY_BYTES = int(os.environ.get("MAX_BODY_BYTES", "65536"))


def texts_and_parameters(request: Request) -> tuple[list[str], dict]:
    body = request.json(max_bytes=MAX_BODY_BYTES)
    unknown = set(body) - {"inputs", "parameters"}
    if unknown:
        raise HttpError(400, f"unknown fields: {', '.join(sorted(unknown))}")
    inputs = body.get("inputs")
    texts = [inputs] if isinstance(inputs, str) else inputs
    if not isinstance(texts, list) or not texts:
        raise HttpError(400, '"inputs" must be a string or a non-empty list of strings')
    if len(texts) > MAX_TEXTS:
        raise HttpError(400, f'"inputs" may hold at most {MAX_TEXTS} texts')
    if not all(isinstance(t, str) and t.strip() for t in texts):
        raise HttpError(400, '"inputs" must contain only non-empty strings')
    parameters = body.get("parameters", {})
    if not isinstance(parameters, dict):
        raise HttpError(400, '"parameters" must be an object')
    return texts, parameters
