"""Calling a model on AWS from a Lambda function: the botocore client and the error contract.

botocore, not boto3: the Lambda Python runtime has both, the local emulator runs the handlers in
the project's own Python, which has both, and botocore alone is what is used (imported when the
first AWS client is made, so a function with an HTTP model never loads it).

Every failure becomes the `HttpError` the App answers with:

    the caller's input refused (ValidationException, ValidationError)   400, with the reason
    throttled (ThrottlingException, TooManyRequestsException)           429
    no answer in time (connect or read timeout, ModelTimeoutException)  504
    anything else: the model failed or is not ready, access denied,     502
      endpoint or model not found (a ValidationError naming it),
      unreachable, no credentials
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

from .http import HttpError

# A connection to a regional AWS endpoint is made in milliseconds; one that takes longer than
# this is a network fault, and the one retry gets a fresh try.
CONNECT_TIMEOUT_S = 2.0
# One retry for a dropped connection or a transient 5xx, no more: each attempt may take the whole
# read timeout, and the function must answer 504 before API Gateway gives up (29 s REST, 30 s
# HTTP API). Worst case a call takes 2 x (connect + read timeout) plus the retry's backoff (up to
# 1 s in standard mode).
MAX_ATTEMPTS = 2


def worst_case_s(timeout_s: float) -> float:
    """The longest one call with these settings can take: every attempt connecting and reading
    for as long as allowed, and the standard mode's backoff (under 1 s) before the retry."""
    return MAX_ATTEMPTS * (min(timeout_s, CONNECT_TIMEOUT_S) + timeout_s) + 1.0


THROTTLING_CODES = frozenset({"ThrottlingException", "Throttling", "TooManyRequestsException"})
VALIDATION_CODES = frozenset({"ValidationException", "ValidationError"})
TIMEOUT_CODES = frozenset({"ModelTimeoutException"})

_SESSION: Any = None
_SESSION_LOCK = threading.Lock()


def client(service: str, timeout_s: float) -> Any:
    """A botocore client for `service` in the function's region, with the model timeout.

    The endpoint is botocore's own choice: the region's, or `AWS_ENDPOINT_URL_<SERVICE>` /
    `AWS_ENDPOINT_URL` when set (the local emulator sets them for its functions).
    """
    from botocore.config import Config

    config = Config(
        connect_timeout=min(timeout_s, CONNECT_TIMEOUT_S),
        read_timeout=timeout_s,
        # `total_max_attempts` counts the first call; botocore's `max_attempts` counts retries.
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
    )
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None
    return _session().create_client(service, region_name=region, config=config)


def _session() -> Any:
    global _SESSION
    with _SESSION_LOCK:  # Bedrock classification calls from several threads
        if _SESSION is None:
            import botocore.session

            _SESSION = botocore.session.get_session()
        return _SESSION


def call(operation: Callable[..., Any], target: str, timeout_s: float, **params: Any) -> Any:
    """`operation(**params)`, its failures as HttpErrors. `target` names the endpoint or model
    ("SageMaker endpoint 'x'") in the messages and tells a missing target from a bad input."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        ConnectTimeoutError,
        NoCredentialsError,
        ReadTimeoutError,
    )

    try:
        return operation(**params)
    except ClientError as error:
        raise client_error(error, target) from None
    except (ConnectTimeoutError, ReadTimeoutError):
        raise HttpError(504, f"{target} timed out after {timeout_s:g} s") from None
    except NoCredentialsError:
        raise HttpError(502, f"{target} unavailable: the function has no AWS credentials") from None
    except BotoCoreError as error:  # unreachable, connection closed, a broken answer
        raise HttpError(502, f"{target} unavailable: {error}") from None


def client_error(error: Any, target: str) -> HttpError:
    """The HttpError for an AWS error answer (a botocore ClientError)."""
    response = error.response
    code = str(response.get("Error", {}).get("Code", ""))
    message = str(response.get("Error", {}).get("Message", "")) or code
    details: dict[str, Any] = {"modelError": code}
    if code in THROTTLING_CODES:
        return HttpError(429, f"{target} is throttling requests: {message}", details=details)
    if code in TIMEOUT_CODES:
        return HttpError(504, f"{target} timed out: {message}", details=details)
    if code in VALIDATION_CODES and not _names_a_missing_target(message, target):
        return HttpError(400, f"{target} refused the request: {message}", details=details)
    if code == "ModelError":  # SageMaker: the container itself answered an error status
        status = response.get("OriginalStatusCode")
        if isinstance(status, int):
            details["modelStatus"] = status
            return HttpError(502, f"model endpoint answered {status}: {message}", details=details)
    return HttpError(502, f"{target} failed: {code}: {message}", details=details)


def _names_a_missing_target(message: str, target: str) -> bool:
    """A ValidationError about the endpoint or model itself (it does not exist, the id is not
    one) is the deployment's fault, not the caller's: "Endpoint x of account 1 not found.",
    "The provided model identifier is invalid."."""
    text = message.lower()
    name = target.split("'")[1] if target.count("'") >= 2 else target
    return "not found" in text or "model identifier" in text or name.lower() in text
