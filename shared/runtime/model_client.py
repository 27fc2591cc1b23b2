"""Calling the model endpoint (SageMaker container contract) from a Lambda function.

    client = get_model_client()           # once per container: URL and timeout from the env
    answer = client.invoke(["great!"], {"top_k": 2})

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
from http.client import HTTPException
from typing import Any

from .http import HttpError

ENDPOINT_VARIABLE = "MODEL_ENDPOINT_URL"
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


_CLIENTS: dict[tuple[str, float], ModelClient] = {}


def get_model_client(
    endpoint_url: str | None = None, timeout_s: float | None = None
) -> ModelClient:
    """The container's client for an endpoint, made on first use and reused while warm.

    Without arguments the URL comes from MODEL_ENDPOINT_URL and the timeout from
    MODEL_TIMEOUT_SECONDS (default 10 s).
    """
    url = endpoint_url or os.environ.get(ENDPOINT_VARIABLE, "")
    if not url:
        raise RuntimeError(f"{ENDPOINT_VARIABLE} is not set and no endpoint URL was given")
    if timeout_s is None:
        raw = os.environ.get(TIMEOUT_VARIABLE, "")
        try:
            timeout_s = float(raw) if raw else DEFAULT_TIMEOUT_S
        except ValueError:
            raise RuntimeError(f"{TIMEOUT_VARIABLE}={raw!r} is not a number") from None
    key = (url, float(timeout_s))
    client = _CLIENTS.get(key)
    if client is None:
        client = _CLIENTS[key] = ModelClient(url, timeout_s)
    return client


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
