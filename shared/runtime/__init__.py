"""The runtime of every Lambda function in the gateway: events, routing, the model client.

Standard library only, and relative imports only: the packaging helper copies this folder into
each function's zip as `aigw_runtime`, so handler code writes

    from aigw_runtime import App, HttpError, Request, get_model_client

while the tests import the same code as `shared.runtime`.
"""

from .app import ANY, App
from .http import (
    DEFAULT_MAX_BODY_BYTES,
    HttpError,
    Request,
    Response,
    json_response,
    parse_event,
    parse_json_body,
)
from .inference import MAX_TEXTS, inference_request
from .model_client import ModelClient, get_model_client

__all__ = [
    "ANY",
    "DEFAULT_MAX_BODY_BYTES",
    "MAX_TEXTS",
    "App",
    "HttpError",
    "ModelClient",
    "Request",
    "Response",
    "json_response",
    "get_model_client",
    "inference_request",
    "parse_event",
    "parse_json_body",
]
