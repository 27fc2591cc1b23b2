"""This stack's request limits applied to the shared inference-request checks."""

import os

from aigw_runtime import MAX_TEXTS, Request, inference_request

MAX_BODY_BYTES = int(os.environ.get("MAX_BODY_BYTES", "65536"))

__all__ = ["MAX_TEXTS", "texts_and_parameters"]


def texts_and_parameters(request: Request) -> tuple[list[str], dict]:
    return inference_request(request, max_bytes=MAX_BODY_BYTES)
