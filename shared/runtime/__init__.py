"""The runtime of every Lambda function in the gateway: events, routing, the model client.

Standard library only (botocore, which the Lambda runtime has, is imported when a function's
model is on SageMaker or Bedrock), and relative imports only: the packaging helper copies this
folder into each function's zip as `aigw_runtime`, so handler code writes

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
from .inference import LABELS, MAX_TEXTS, MODEL_PARAMETERS, inference_request
from .model_client import Model, ModelClient, get_chat_client, get_model_client
from .schema import Schema, check

__all__ = [
    "ANY",
    "DEFAULT_MAX_BODY_BYTES",
    "LABELS",
    "MAX_TEXTS",
    "MODEL_PARAMETERS",
    "App",
    "HttpError",
    "Model",
    "ModelClient",
    "Request",
    "Response",
    "Schema",
    "check",
    "json_response",
    "get_chat_client",
    "get_model_client",
    "inference_request",
    "parse_event",
    "parse_json_body",
]
