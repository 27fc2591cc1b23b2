"""A model behind a SageMaker real-time endpoint, called with `sagemaker-runtime`
InvokeEndpoint: the same JSON body and answer as the HTTP backend, since a SageMaker
container speaks that contract (`{"inputs", "parameters"}` in, `{"model", "version",
"predictions"}` out)."""

from __future__ import annotations

import json
from typing import Any

from . import aws
from .http import HttpError

JSON = "application/json"
# A model answer is a few hundred bytes per input; anything far bigger is a wrong endpoint.
MAX_RESPONSE_BYTES = 4 * 1024 * 1024


class SageMakerModelClient:
    """One SageMaker endpoint, by name."""

    def __init__(self, endpoint_name: str, timeout_s: float, *, client: Any = None) -> None:
        if not endpoint_name:
            raise ValueError("a SageMaker endpoint name is required")
        if not timeout_s > 0:
            raise ValueError(f"timeout must be positive, got {timeout_s!r}")
        self.endpoint_name = endpoint_name
        self.timeout_s = float(timeout_s)
        self.target = f"SageMaker endpoint {endpoint_name!r}"
        self._client = client if client is not None else aws.client("sagemaker-runtime", timeout_s)

    def __repr__(self) -> str:
        return f"SageMakerModelClient({self.endpoint_name!r}, timeout_s={self.timeout_s:g})"

    def invoke(
        self, inputs: str | list[str], parameters: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """InvokeEndpoint with `{"inputs": ..., "parameters": ...}`; the container's JSON answer."""
        payload: dict[str, Any] = {"inputs": inputs}
        if parameters:
            payload["parameters"] = parameters
        answer = aws.call(
            self._client.invoke_endpoint,
            self.target,
            self.timeout_s,
            EndpointName=self.endpoint_name,
            ContentType=JSON,
            Accept=JSON,
            Body=json.dumps(payload).encode("utf-8"),
        )
        body = answer["Body"].read(MAX_RESPONSE_BYTES + 1)
        if len(body) > MAX_RESPONSE_BYTES:
            raise HttpError(502, f"{self.target} answer exceeds {MAX_RESPONSE_BYTES} bytes")
        return json_object(body, self.target)


def json_object(body: bytes, target: str) -> dict[str, Any]:
    """A model's answer as a JSON object, or a 502 saying what came instead."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        preview = body[:100].decode("utf-8", "replace")
        raise HttpError(502, f"{target} returned invalid JSON: {preview!r}") from None
    if not isinstance(document, dict):
        raise HttpError(502, f"{target} returned JSON that is not an object")
    return document
