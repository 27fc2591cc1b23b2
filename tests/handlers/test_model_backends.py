"""The SageMaker and Bedrock model clients (shared/runtime/sagemaker.py, bedrock.py, aws.py):
what they send and how every AWS answer maps to the API's error contract. botocore's Stubber
answers for AWS (no network); the timeouts and unreachable endpoints are real loopback sockets
reached the way the emulator points functions at them (AWS_ENDPOINT_URL_<SERVICE>).

The mappings encode the AWS error shapes of `sagemaker-runtime` InvokeEndpoint (ValidationError,
ModelError with OriginalStatusCode, ServiceUnavailable, ...) and `bedrock-runtime` Converse
(ValidationException, ThrottlingException, AccessDeniedException, ResourceNotFoundException,
ModelTimeoutException, ...)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from shared.runtime import HttpError, ModelClient, get_chat_client, get_model_client
from shared.runtime import aws as aws_module
from shared.runtime import bedrock as bedrock_module
from shared.runtime.bedrock import CLASSIFY_SYSTEM_PROMPT, BedrockModelClient
from shared.runtime.sagemaker import SageMakerModelClient

REPO = Path(__file__).resolve().parents[2]
REGION = "eu-west-1"
ENDPOINT = "sentiment-prod"
MODEL_ID = "anthropic.claude-3-haiku-20240307-v1:0"
TIMEOUT_S = 5.0
# One session for the module: it keeps the service models it loaded (a new one reads them again).
BOTOCORE = botocore.session.get_session()


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, no_model_clients: dict) -> None:
    """A Lambda-like environment: region and (fake) credentials, no endpoint overrides."""
    for name in (
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME",
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
        "MODEL_BACKEND",
        "MODEL_ENDPOINT_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setattr(aws_module, "_SESSION", None)


def stubbed(service: str) -> tuple[Any, Stubber]:
    client = BOTOCORE.create_client(service, region_name=REGION)
    return client, Stubber(client)


@pytest.fixture
def sagemaker() -> Iterator[tuple[SageMakerModelClient, Stubber]]:
    client, stub = stubbed("sagemaker-runtime")
    with stub:
        yield SageMakerModelClient(ENDPOINT, TIMEOUT_S, client=client), stub
        stub.assert_no_pending_responses()


@pytest.fixture
def bedrock() -> Iterator[tuple[BedrockModelClient, Stubber]]:
    client, stub = stubbed("bedrock-runtime")
    with stub:
        yield BedrockModelClient(MODEL_ID, TIMEOUT_S, client=client), stub
        stub.assert_no_pending_responses()


def body(document: Any) -> StreamingBody:
    raw = json.dumps(document).encode() if not isinstance(document, bytes) else document
    return StreamingBody(io.BytesIO(raw), len(raw))


def converse_answer(text: str, input_tokens: int = 12, output_tokens: int = 7) -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "end_turn",
        "usage": {
            "inputTokens": input_tokens,
            "outputTokens": output_tokens,
            "totalTokens": input_tokens + output_tokens,
        },
        "metrics": {"latencyMs": 42},
    }


def raised(call: Any) -> HttpError:
    with pytest.raises(HttpError) as caught:
        call()
    return caught.value


# --- choosing the backend from the function's environment -------------------------------------


def test_without_model_backend_the_http_client_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODEL_ENDPOINT_URL", "http://127.0.0.1:9/invocations")
    client = get_model_client()
    assert isinstance(client, ModelClient)
    assert client.endpoint_url == "http://127.0.0.1:9/invocations"


def test_the_backend_and_its_target_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MODEL_TIMEOUT_SECONDS", "3")
    monkeypatch.setenv("MODEL_BACKEND", "sagemaker")
    monkeypatch.setenv("MODEL_ENDPOINT_NAME", ENDPOINT)
    sagemaker = get_model_client()
    assert isinstance(sagemaker, SageMakerModelClient)
    assert (sagemaker.endpoint_name, sagemaker.timeout_s) == (ENDPOINT, 3.0)
    assert get_model_client() is sagemaker  # once per container
    monkeypatch.setenv("MODEL_BACKEND", "bedrock")
    monkeypatch.setenv("MODEL_ID", MODEL_ID)
    bedrock = get_model_client()
    assert isinstance(bedrock, BedrockModelClient) and bedrock.model_id == MODEL_ID
    monkeypatch.setenv("CHAT_MODEL_ID", "amazon.nova-lite-v1:0")
    assert get_chat_client().model_id == "amazon.nova-lite-v1:0"


def test_the_client_timeouts_and_retries_bound_a_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODEL_BACKEND", "sagemaker")
    monkeypatch.setenv("MODEL_ENDPOINT_NAME", ENDPOINT)
    monkeypatch.setenv("MODEL_TIMEOUT_SECONDS", "7")
    config = get_model_client()._client.meta.config  # type: ignore[attr-defined]
    assert (config.connect_timeout, config.read_timeout) == (2.0, 7.0)
    assert config.retries == {"mode": "standard", "total_max_attempts": 2}  # one retry
    assert get_model_client()._client.meta.region_name == REGION  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MODEL_BACKEND": "openai"}, "is not a model backend"),
        ({"MODEL_BACKEND": "sagemaker"}, "MODEL_ENDPOINT_NAME is not set"),
        ({"MODEL_BACKEND": "bedrock"}, "MODEL_ID is not set"),
    ],
)
def test_a_misconfigured_backend_is_named(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for name in ("MODEL_ENDPOINT_NAME", "MODEL_ID"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(RuntimeError, match=message):
        get_model_client()


# --- SageMaker --------------------------------------------------------------------------------


def test_sagemaker_sends_the_container_contract_and_returns_its_answer(sagemaker) -> None:
    client, stub = sagemaker
    answer = {"model": "sentiment-nb", "version": "v2", "predictions": [{"label": "positive"}]}
    stub.add_response(
        "invoke_endpoint",
        {"Body": body(answer), "ContentType": "application/json"},
        {
            "EndpointName": ENDPOINT,
            "ContentType": "application/json",
            "Accept": "application/json",
            "Body": json.dumps({"inputs": ["great"], "parameters": {"top_k": 2}}).encode(),
        },
    )
    assert client.invoke(["great"], {"top_k": 2}) == answer


@pytest.mark.parametrize(
    ("code", "status", "message", "modeled", "expected_status", "expected_text"),
    [
        # The caller's input refused: 400 with SageMaker's reason.
        ("ValidationError", 400, "Body exceeds the 6 MB limit", {}, 400, "refused the request"),
        # The endpoint does not exist: the deployment's fault.
        (
            "ValidationError",
            400,
            f"Endpoint {ENDPOINT} of account 123456789012 not found.",
            {},
            502,
            "not found",
        ),
        ("ThrottlingException", 400, "Rate exceeded", {}, 429, "is throttling requests"),
        ("AccessDeniedException", 403, "not authorized", {}, 502, "AccessDeniedException"),
        ("ServiceUnavailable", 503, "try later", {}, 502, "ServiceUnavailable"),
        ("ModelNotReadyException", 429, "loading", {}, 502, "ModelNotReadyException"),
        ("InternalFailure", 500, "oops", {}, 502, "InternalFailure"),
    ],
)
def test_sagemaker_errors_follow_the_api_contract(
    sagemaker, code, status, message, modeled, expected_status, expected_text
) -> None:
    client, stub = sagemaker
    stub.add_client_error("invoke_endpoint", code, message, status, modeled_fields=modeled)
    error = raised(lambda: client.invoke(["great"]))
    assert error.status == expected_status
    assert expected_text in error.message and f"SageMaker endpoint {ENDPOINT!r}" in error.message
    assert error.details["modelError"] == code


def test_sagemaker_model_error_carries_the_containers_status(sagemaker) -> None:
    """ModelError is the container answering non-2xx: reported as the HTTP backend reports a
    model's error answer (502 with modelStatus), so handlers treat both alike."""
    client, stub = sagemaker
    stub.add_client_error(
        "invoke_endpoint",
        "ModelError",
        'Received client error (400) from primary with message "top_k too big"',
        424,
        modeled_fields={"OriginalStatusCode": 400, "OriginalMessage": "top_k too big"},
    )
    error = raised(lambda: client.invoke(["great"], {"top_k": 3}))
    assert (error.status, error.details["modelStatus"]) == (502, 400)
    assert error.message.startswith("model endpoint answered 400: ")


@pytest.mark.parametrize(
    ("raw", "text"), [(b"not json", "invalid JSON"), (b"[1, 2]", "not an object")]
)
def test_sagemaker_answer_that_is_no_json_object_is_502(sagemaker, raw: bytes, text: str) -> None:
    client, stub = sagemaker
    stub.add_response("invoke_endpoint", {"Body": body(raw), "ContentType": "application/json"})
    error = raised(lambda: client.invoke(["great"]))
    assert error.status == 502 and text in error.message


# --- Bedrock: classification through Converse -------------------------------------------------


def test_bedrock_classifies_with_the_json_prompt(bedrock) -> None:
    client, stub = bedrock
    stub.add_response(
        "converse",
        converse_answer('{"label": "negative", "score": 0.91}'),
        {
            "modelId": MODEL_ID,
            "messages": [{"role": "user", "content": [{"text": "awful"}]}],
            "system": [{"text": CLASSIFY_SYSTEM_PROMPT}],
            "inferenceConfig": {"maxTokens": 64, "temperature": 0.0},
        },
    )
    assert client.invoke("awful") == {
        "model": MODEL_ID,
        "version": None,
        "predictions": [{"label": "negative", "score": 0.91, "scores": {"negative": 0.91}}],
    }


def test_bedrock_answers_one_prediction_per_text_in_order(
    bedrock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bedrock_module, "MAX_PARALLEL_CALLS", 1)  # the stub answers in order
    client, stub = bedrock
    for label in ("positive", "neutral"):
        stub.add_response(
            "converse", converse_answer(f'```json\n{{"label": "{label}", "score": 1}}\n```')
        )
    labels = [p["label"] for p in client.invoke(["lovely", "it is a chair"])["predictions"]]
    assert labels == ["positive", "neutral"]


@pytest.mark.parametrize(
    "text",
    [
        "The sentiment is positive.",
        '{"label": "happy", "score": 0.5}',
        '{"label": "positive", "score": 1.5}',
        '{"label": "positive", "score": "high"}',
        '{"label": "positive"}',
        '{"label": "positive", "score": 0.5, "reason": "nice"}',
    ],
)
def test_bedrock_answer_that_is_not_the_classification_json_is_502(bedrock, text: str) -> None:
    client, stub = bedrock
    stub.add_response("converse", converse_answer(text))
    error = raised(lambda: client.invoke("lovely"))
    assert error.status == 502
    assert "did not answer with the classification JSON" in error.message


def test_bedrock_cannot_score_every_label(bedrock) -> None:
    client, _ = bedrock
    error = raised(lambda: client.invoke("lovely", {"top_k": 2}))
    assert error.status == 400 and '"parameters.top_k" can only be 1' in error.message


# --- Bedrock: chat ----------------------------------------------------------------------------


def test_bedrock_chat_sends_the_conversation_and_returns_text_and_usage(bedrock) -> None:
    client, stub = bedrock
    stub.add_response(
        "converse",
        converse_answer("Yes, it is.", input_tokens=30, output_tokens=4),
        {
            "modelId": MODEL_ID,
            "messages": [
                {"role": "user", "content": [{"text": "Is it good?"}]},
                {"role": "assistant", "content": [{"text": "Which one?"}]},
                {"role": "user", "content": [{"text": "The red one."}]},
            ],
            "system": [{"text": "Be brief."}],
            "inferenceConfig": {"maxTokens": 100, "temperature": 0.2},
        },
    )
    answer = client.chat(
        [
            {"role": "user", "content": "Is it good?"},
            {"role": "assistant", "content": "Which one?"},
            {"role": "user", "content": "The red one."},
        ],
        system="Be brief.",
        max_tokens=100,
        temperature=0.2,
    )
    assert (answer.text, answer.stop_reason) == ("Yes, it is.", "end_turn")
    assert answer.usage == {"inputTokens": 30, "outputTokens": 4, "totalTokens": 34}


@pytest.mark.parametrize(
    ("code", "status", "message", "expected_status", "expected_text"),
    [
        ("ValidationException", 400, "Input is too long for requested model.", 400, "refused"),
        ("ValidationException", 400, "The provided model identifier is invalid.", 502, "failed"),
        ("ThrottlingException", 429, "Too many requests", 429, "is throttling requests"),
        ("AccessDeniedException", 403, "You don't have access to the model", 502, "failed"),
        ("ResourceNotFoundException", 404, "Model not found", 502, "failed"),
        ("ModelTimeoutException", 408, "Model took too long", 504, "timed out"),
        ("ModelErrorException", 424, "The model failed", 502, "failed"),
        ("ModelNotReadyException", 429, "Model is not ready", 502, "failed"),
        ("ServiceUnavailableException", 503, "Unavailable", 502, "failed"),
        ("InternalServerException", 500, "Internal", 502, "failed"),
    ],
)
def test_bedrock_errors_follow_the_api_contract(
    bedrock, code, status, message, expected_status, expected_text
) -> None:
    client, stub = bedrock
    for call in (
        lambda: client.chat([{"role": "user", "content": "hi"}]),
        lambda: client.invoke("hi"),
    ):
        stub.add_client_error("converse", code, message, status)
        error = raised(call)
        assert error.status == expected_status
        assert expected_text in error.message and message in error.message
        assert f"Bedrock model {MODEL_ID!r}" in error.message


# --- timeouts and unreachable endpoints, on real sockets --------------------------------------


@pytest.mark.parametrize(
    ("service", "variable", "make", "call"),
    [
        (
            "sagemaker-runtime",
            "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME",
            lambda t: SageMakerModelClient(ENDPOINT, t),
            lambda c: c.invoke(["great"]),
        ),
        (
            "bedrock-runtime",
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
            lambda t: BedrockModelClient(MODEL_ID, t),
            lambda c: c.chat([{"role": "user", "content": "hi"}]),
        ),
    ],
)
def test_a_model_slower_than_the_timeout_is_504_within_two_attempts(
    monkeypatch: pytest.MonkeyPatch, stalled_model, service, variable, make, call
) -> None:
    monkeypatch.setenv(variable, stalled_model.url)
    client = make(0.3)
    started = time.monotonic()
    error = raised(lambda: call(client))
    elapsed = time.monotonic() - started
    assert error.status == 504 and "timed out after 0.3 s" in error.message
    # Two attempts of 0.3 s and the standard mode's backoff (under 1 s) between them.
    assert elapsed < 2 * 0.3 + 1.0 + 0.5


@pytest.mark.parametrize(
    ("variable", "make"),
    [
        ("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", lambda: SageMakerModelClient(ENDPOINT, 1)),
        ("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", lambda: BedrockModelClient(MODEL_ID, 1)),
    ],
)
def test_an_unreachable_endpoint_is_502(
    monkeypatch: pytest.MonkeyPatch, closed_url: str, variable: str, make
) -> None:
    monkeypatch.setenv(variable, closed_url)
    error = raised(lambda: make().invoke(["great"]))
    assert error.status == 502 and "unavailable" in error.message


def test_no_credentials_is_502(monkeypatch: pytest.MonkeyPatch, closed_url: str) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", closed_url)
    error = raised(lambda: SageMakerModelClient(ENDPOINT, 1).invoke(["great"]))
    assert error.status == 502 and "no AWS credentials" in error.message


def test_bedrock_classifies_many_texts_within_one_calls_time(
    bedrock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Texts are classified in parallel rounds; the whole batch gets the time one call may
    take (aws.worst_case_s), not that per round."""
    client, _ = bedrock
    released = threading.Event()
    monkeypatch.setattr(aws_module, "worst_case_s", lambda timeout_s: 0.2)

    def classify(text: str) -> dict[str, Any]:
        if text == "slow":
            released.wait(5)
        return {"label": "neutral", "score": 1.0, "scores": {"neutral": 1.0}}

    monkeypatch.setattr(client, "_classify", classify)
    started = time.monotonic()
    try:
        error = raised(lambda: client.invoke(["quick", "slow", "quick"]))
    finally:
        released.set()
    assert time.monotonic() - started < 1.0
    assert error.status == 504
    assert "1 of 3 texts were not classified within 0.2 s" in error.message


def test_the_worst_case_of_one_call_is_two_attempts_and_a_backoff() -> None:
    assert aws_module.worst_case_s(10) == 2 * (2 + 10) + 1
    assert aws_module.worst_case_s(0.5) == 2 * (0.5 + 0.5) + 1


def test_a_function_with_an_http_model_never_loads_botocore() -> None:
    """The runtime is standard library only until an AWS backend is asked for: an HTTP model's
    cold start does not pay botocore's imports."""
    code = (
        "import sys, os\n"
        "os.environ['MODEL_ENDPOINT_URL'] = 'http://127.0.0.1:9/invocations'\n"
        "import shared.runtime as runtime\n"
        "runtime.get_model_client()\n"
        "assert 'botocore' not in sys.modules, 'botocore imported'\n"
        "os.environ.update(MODEL_BACKEND='sagemaker', MODEL_ENDPOINT_NAME='x')\n"
        "os.environ['AWS_REGION'] = 'us-east-1'\n"
        "runtime.get_model_client()\n"
        "assert 'botocore' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, timeout=60)
