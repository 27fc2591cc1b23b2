"""Calling the model (SageMaker container contract) from a Lambda function.

    client = get_model_client()           # once per container: backend and timeout from the env
    answer = client.invoke(["great!"], {"top_k": 2})

`get_model_client` picks the backend MODEL_BACKEND names: this module's `ModelClient` for a
plain HTTP(S) endpoint, `sagemaker.SageMakerModelClient`, `bedrock.BedrockModelClient`. The
HTTP client, below, is standard library only.

Failures become `HttpError`s the App answers with: 502 when the endpoint is unreachable or
answers with an error or with something that is not a JSON object, 504 when it does not answer
in time. The timeout bounds connecting and every read, and the whole body must arrive within
it too, so a call never hangs a function until Lambda kills it.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from http.client import HTTPException
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from .http import HttpError

if TYPE_CHECKING:  # imported when used: botocore loads only for an AWS backend
    from .bedrock import BedrockModelClient

BACKEND_VARIABLE = "MODEL_BACKEND"  # http | sagemaker | bedrock
ENDPOINT_VARIABLE = "MODEL_ENDPOINT_URL"  # http
ENDPOINT_NAME_VARIABLE = "MODEL_ENDPOINT_NAME"  # sagemaker
MODEL_ID_VARIABLE = "MODEL_ID"  # bedrock
CHAT_MODEL_VARIABLE = "CHAT_MODEL_ID"  # Bedrock, Converse (orchestration's chat)
TIMEOUT_VARIABLE = "MODEL_TIMEOUT_SECONDS"
DEFAULT_TIMEOUT_S = 10.0
# A model answer is a few hundred bytes per input; anything far bigger is a wrong endpoint.
MAX_RESPONSE_BYTES = 4 * 1024 * 1024
_CHUNK = 64 * 1024

# Direct connections only: a proxy from the environment must not sit between a function and
# its model (and a loopback endpoint would not be reachable through one).
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ModelClient:
    """A model endpoint at one URL (`.../invocations` or `.../<version>/invocations`)."""

    def __init__(self, endpoint_url: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        if not endpoint_url.startswith(("http://", "https://")):
            raise ValueError(f"model endpoint must be an http(s) URL, got {endpoint_url!r}")
        if not timeout_s > 0:
            raise ValueError(f"timeout must be positive, got {timeout_s!r}")
        self.endpoint_url = endpoint_url
        self.timeout_s = float(timeout_s)

    def __repr__(self) -> str:
        return f"ModelClient({self.endpoint_url!r}, timeout_s={self.timeout_s:g})"

    def invoke(
        self, inputs: str | list[str], parameters: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """POST `{"inputs": ..., "parameters": ...}` and return the model's JSON answer."""
        payload: dict[str, Any] = {"inputs": inputs}
        if parameters:
            payload["parameters"] = parameters
        request = urllib.request.Request(
            self.endpoint_url,
            data=json.dumps(payload).encode("utf-8"),
            method="POST",
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        deadline = time.monotonic() + self.timeout_s
        try:
            with _OPENER.open(request, timeout=self.timeout_s) as response:
                status, body = response.status, self._read(response, deadline)
        except urllib.error.HTTPError as error:  # a non-2xx answer
            status = error.code
            try:
                with error:
                    body = self._read(error, deadline)
            except (OSError, HTTPException):  # the status alone must do
                body = b""
            raise HttpError(
                502,
                f"model endpoint answered {status}: {_error_message(body)}",
                details={"modelStatus": status},
            ) from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise self._timed_out() from None
            raise HttpError(502, f"model endpoint unavailable: {_reason(error.reason)}") from None
        except TimeoutError:  # connect or read took longer than the timeout
            raise self._timed_out() from None
        except (OSError, HTTPException) as error:  # reset, closed mid-answer, garbage status
            raise HttpError(502, f"model endpoint unavailable: {_reason(error)}") from None
        return _json_object(body, status)

    def _read(self, response: Any, deadline: float) -> bytes:
        """The body, within the deadline and the size cap."""
        chunks: list[bytes] = []
        size = 0
        # read1 returns what one socket read gave, so the deadline is checked between reads
        # (read(n) would wait for all n bytes, however slowly they trickle in).
        read = getattr(response, "read1", response.read)
        while True:
            if time.monotonic() > deadline:
                raise self._timed_out()
            chunk = read(_CHUNK)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                raise HttpError(502, f"model endpoint answer exceeds {MAX_RESPONSE_BYTES} bytes")
            chunks.append(chunk)

    def _timed_out(self) -> HttpError:
        return HttpError(504, f"model endpoint timed out after {self.timeout_s:g} s")


class Model(Protocol):
    """What a handler calls, whichever backend answers: the SageMaker-contract answer
    `{"model", "version", "predictions"}` for `inputs` and `parameters`."""

    def invoke(
        self, inputs: str | list[str], parameters: dict[str, Any] | None = None
    ) -> dict[str, Any]: ...


_CLIENTS: dict[tuple[str, str, float], Any] = {}
Client = TypeVar("Client")


def get_model_client(endpoint_url: str | None = None, timeout_s: float | None = None) -> Model:
    """The container's model client, made on first use and reused while warm.

    MODEL_BACKEND chooses it: `http` (the default, so functions deployed before it existed keep
    working) posts to MODEL_ENDPOINT_URL (or `endpoint_url`); `sagemaker` calls the endpoint
    MODEL_ENDPOINT_NAME; `bedrock` the model MODEL_ID. The timeout is MODEL_TIMEOUT_SECONDS
    (default 10 s) unless given.
    """
    timeout = _timeout(timeout_s)
    backend = "http" if endpoint_url else os.environ.get(BACKEND_VARIABLE, "") or "http"
    if backend == "http":
        url = endpoint_url or os.environ.get(ENDPOINT_VARIABLE, "")
        if not url:
            raise RuntimeError(f"{ENDPOINT_VARIABLE} is not set and no endpoint URL was given")
        return _cached("http", url, timeout, lambda: ModelClient(url, timeout))
    if backend == "sagemaker":
        from .sagemaker import SageMakerModelClient

        name = _required(ENDPOINT_NAME_VARIABLE)
        return _cached(backend, name, timeout, lambda: SageMakerModelClient(name, timeout))
    if backend == "bedrock":
        return get_bedrock_client(_required(MODEL_ID_VARIABLE), timeout)
    raise RuntimeError(
        f"{BACKEND_VARIABLE}={backend!r} is not a model backend; use http, sagemaker or bedrock"
    )


def get_chat_client(timeout_s: float | None = None) -> BedrockModelClient:
    """The container's Bedrock client for CHAT_MODEL_ID (Converse)."""
    return get_bedrock_client(_required(CHAT_MODEL_VARIABLE), _timeout(timeout_s))


def get_bedrock_client(model_id: str, timeout_s: float) -> BedrockModelClient:
    from .bedrock import BedrockModelClient

    return _cached("bedrock", model_id, timeout_s, lambda: BedrockModelClient(model_id, timeout_s))


def _cached(backend: str, target: str, timeout_s: float, make: Callable[[], Client]) -> Client:
    """One client per backend, target and timeout for the container's life."""
    key = (backend, target, float(timeout_s))
    client: Client | None = _CLIENTS.get(key)
    if client is None:
        client = _CLIENTS[key] = make()
    return client


def _timeout(timeout_s: float | None) -> float:
    if timeout_s is not None:
        return float(timeout_s)
    raw = os.environ.get(TIMEOUT_VARIABLE, "")
    try:
        return float(raw) if raw else DEFAULT_TIMEOUT_S
    except ValueError:
        raise RuntimeError(f"{TIMEOUT_VARIABLE}={raw!r} is not a number") from None


def _required(variable: str) -> str:
    value = os.environ.get(variable, "")
    if not value:
        backend = os.environ.get(BACKEND_VARIABLE, "http")
        raise RuntimeError(f"{variable} is not set (MODEL_BACKEND={backend})")
    return value


def _json_object(body: bytes, status: int) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        preview = body[:100].decode("utf-8", "replace")
        raise HttpError(
            502, f"model endpoint returned invalid JSON (status {status}): {preview!r}"
        ) from None
    if not isinstance(document, dict):
        raise HttpError(502, "model endpoint returned JSON that is not an object")
    return document


def _error_message(body: bytes) -> str:
    """The model's own `error` text when it sent one, else the start of its body."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        document = None
    if isinstance(document, dict) and isinstance(document.get("error"), str):
        return document["error"]
    text = body[:200].decode("utf-8", "replace").strip()
    return text or "(empty body)"


def _reason(reason: Any) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__
