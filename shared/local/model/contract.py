"""The SageMaker inference-container contract, without the HTTP plumbing.

Paths: `GET /ping`, `POST /invocations` (the default version), `POST /<version>/invocations`,
`POST /endpoints/<name>/invocations` (the SageMaker runtime's InvokeEndpoint, what botocore's
`sagemaker-runtime` client calls: any endpoint name is served by the default version, with the
same answer as `/invocations`) and `POST /v1/chat/completions` (OpenAI-compatible, see chat.py).

Which paths exist, what an invocation body must look like, and the JSON shapes of the
answers. Kept apart from the server so the rules read in one place and every rejection
is a `ContractError` that already knows its status code.

Request (Hugging Face / SageMaker convention)::

    {"inputs": "text" | ["text", ...], "parameters": {"top_k": 1..3}}   # parameters optional

Answer::

    {"model": "sentiment-nb", "version": "v1",
     "predictions": [{"label": "positive", "score": 0.93, "scores": {"positive": 0.93, ...}}]}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal

from shared.local.model.classifier import MODEL_NAME, Prediction

# SageMaker real-time endpoints cap payloads well above this, but the local model only
# reads short sentences: a small cap keeps a mistaken upload from tying up a thread.
MAX_BODY_BYTES = 256 * 1024
MAX_INPUTS = 64

ROUTE_PING: Literal["ping"] = "ping"
ROUTE_INVOCATIONS: Literal["invocations"] = "invocations"
ROUTE_CHAT: Literal["chat"] = "chat"
ALLOWED_METHODS = {
    ROUTE_PING: ("GET", "HEAD"),
    ROUTE_INVOCATIONS: ("POST",),
    ROUTE_CHAT: ("POST",),
}
ROUTES_HELP = (
    "use GET /ping, POST /invocations, POST /<version>/invocations, "
    "POST /endpoints/<name>/invocations or POST /v1/chat/completions"
)

# Exactly these paths; a trailing slash is tolerated.
_PING_PATH = re.compile(r"^/ping/?$")
_INVOCATIONS_PATH = re.compile(r"^(?:/(?P<version>[^/]+))?/invocations/?$")
_ENDPOINT_INVOCATIONS_PATH = re.compile(r"^/endpoints/[^/]+/invocations/?$")
_CHAT_PATH = re.compile(r"^/v1/chat/completions/?$")

_REQUEST_KEYS = ("inputs", "parameters")
_PARAMETER_KEYS = ("top_k",)


class ContractError(Exception):
    """A request the contract rejects; `status` is the HTTP answer, `details` extra JSON."""

    def __init__(
        self,
        status: HTTPStatus,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or {}
        self.headers = headers or {}


@dataclass(frozen=True)
class Route:
    """A matched path. `version` is None when the path names none (use the default)."""

    name: Literal["ping", "invocations", "chat"]
    version: str | None = None

    @property
    def allowed_methods(self) -> tuple[str, ...]:
        return ALLOWED_METHODS[self.name]


@dataclass(frozen=True)
class InvocationRequest:
    texts: list[str]
    top_k: int | None = None


def match_route(path: str) -> Route | None:
    """The route for a URL path (query string already removed), or None for a 404."""
    if _PING_PATH.match(path):
        return Route(ROUTE_PING)
    if _ENDPOINT_INVOCATIONS_PATH.match(path):
        return Route(ROUTE_INVOCATIONS)
    if _CHAT_PATH.match(path):
        return Route(ROUTE_CHAT)
    invocations = _INVOCATIONS_PATH.match(path)
    if invocations:
        return Route(ROUTE_INVOCATIONS, invocations.group("version"))
    return None


def parse_invocation(body: bytes, label_count: int) -> InvocationRequest:
    """Validate an invocation body, or raise ContractError(400) saying what is wrong."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as error:
        # ValueError covers bad JSON and bad UTF-8; RecursionError a hostile "[[[[...".
        raise _bad_request(f"body is not valid JSON: {_short(error)}") from None
    if not isinstance(document, dict):
        raise _bad_request('body must be a JSON object like {"inputs": "some text"}')
    _reject_unknown_keys(document, _REQUEST_KEYS, "field")
    if "inputs" not in document:
        raise _bad_request('missing "inputs": a string or a list of strings')

    texts = _parse_inputs(document["inputs"])
    top_k = _parse_top_k(document.get("parameters"), label_count)
    return InvocationRequest(texts=texts, top_k=top_k)


def _parse_inputs(inputs: Any) -> list[str]:
    if isinstance(inputs, str):
        inputs = [inputs]
        names = ["inputs"]
    elif isinstance(inputs, list):
        names = [f"inputs[{index}]" for index in range(len(inputs))]
    else:
        raise _bad_request('"inputs" must be a string or a list of strings')
    if not inputs:
        raise _bad_request('"inputs" must not be an empty list')
    if len(inputs) > MAX_INPUTS:
        raise _bad_request(f'"inputs" has {len(inputs)} texts; the limit is {MAX_INPUTS}')
    for name, text in zip(names, inputs, strict=True):
        if not isinstance(text, str):
            raise _bad_request(f"{name} must be a string")
        if not text.strip():
            raise _bad_request(f"{name} is empty")
    return inputs


def _parse_top_k(parameters: Any, label_count: int) -> int | None:
    if parameters is None:
        return None
    if not isinstance(parameters, dict):
        raise _bad_request('"parameters" must be a JSON object')
    _reject_unknown_keys(parameters, _PARAMETER_KEYS, "parameter")
    top_k = parameters.get("top_k")
    if top_k is None:
        return None
    # bool is an int subclass in Python, but `true` is not a count in JSON.
    if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= label_count:
        raise _bad_request(f'"top_k" must be an integer from 1 to {label_count}')
    return top_k


def _reject_unknown_keys(document: dict[str, Any], known: tuple[str, ...], kind: str) -> None:
    # Strict on purpose: a misspelt "top_k" silently ignored would change answers unseen.
    unknown = sorted(set(document) - set(known))
    if unknown:
        raise _bad_request(f"unknown {kind} {unknown[0]!r}; expected one of: {', '.join(known)}")


def _bad_request(message: str) -> ContractError:
    return ContractError(HTTPStatus.BAD_REQUEST, message)


def _short(error: Exception) -> str:
    return str(error)[:200] or type(error).__name__


def ping_response(versions: list[str], default_version: str) -> dict[str, Any]:
    return {
        "status": "ok",
        "model": MODEL_NAME,
        "version": default_version,
        "default_version": default_version,
        "versions": versions,
    }


def invocation_response(version: str, predictions: list[Prediction]) -> dict[str, Any]:
    return {
        "model": MODEL_NAME,
        "version": version,
        "predictions": [
            {"label": p.label, "score": p.score, "scores": p.scores} for p in predictions
        ],
    }


def error_response(message: str, version: str, details: dict[str, Any]) -> dict[str, Any]:
    return {"error": message, "model": MODEL_NAME, "version": version, **details}


def is_sagemaker_runtime(path: str) -> bool:
    """Whether `path` is the SageMaker runtime's InvokeEndpoint (`/endpoints/<name>/...`)."""
    return _ENDPOINT_INVOCATIONS_PATH.match(path) is not None


def sagemaker_model_error(status: int, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """How the SageMaker runtime reports a container's error answer: 424 `ModelError`, the
    container's status and message inside (`OriginalStatusCode`, `OriginalMessage`); what a
    caller of InvokeEndpoint sees, whatever the container said."""
    kind = "CLIENT_ERROR_FROM_MODEL" if 400 <= status < 500 else "SERVER_ERROR_FROM_MODEL"
    original = json.dumps(body)
    return 424, {
        "ErrorCode": kind,
        "Message": f"Received {'client' if status < 500 else 'server'} error ({status}) from "
        f'primary with message "{original}".',
        "OriginalMessage": original,
        "OriginalStatusCode": status,
    }
