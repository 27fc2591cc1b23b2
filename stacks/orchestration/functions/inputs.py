"""This stack's request limits applied to the shared inference-request checks."""

import os

from aigw_runtime import MAX_TEXTS, MODEL_PARAMETERS, Request, Schema, inference_request

MAX_BODY_BYTES = int(os.environ.get("MAX_BODY_BYTES", "65536"))

__all__ = ["MAX_BODY_BYTES", "MAX_TEXTS", "texts_and_parameters"]


def texts_and_parameters(
    request: Request, parameters_schema: Schema = MODEL_PARAMETERS
) -> tuple[list[str], dict]:
    """The texts and parameters, checked; the model's parameters unless the route has its own."""
    return inference_request(request, max_bytes=MAX_BODY_BYTES, parameters_schema=parameters_schema)
