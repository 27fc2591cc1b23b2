"""orchestration's chat service (POST /chat), imported as its zip holds it, answering HTTP API
events (payload 2.0): the conversation checked before the model is called, one Converse call to
CHAT_MODEL_ID (botocore's Stubber answers for Bedrock), request and answer stored in S3 (moto).
Also the health check of a function whose model is on SageMaker or Bedrock."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import botocore.session
import pytest
from botocore.stub import Stubber

from shared.runtime import aws as aws_module
from tests.handlers.conftest import fresh_bucket

FUNCTIONS = Path(__file__).resolve().parents[2] / "stacks" / "orchestration" / "functions"
BUCKET = "orchestration-local-data-chat"
# One session for the module: it keeps the service models it loaded (a new one reads them again).
BOTOCORE = botocore.session.get_session()
REGION = "us-east-1"
CHAT_MODEL = "amazon.nova-lite-v1:0"
REQUEST_ID = "Xy1chatReq0="


@pytest.fixture
def s3(moto_s3, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from fresh_bucket(moto_s3, monkeypatch, BUCKET, REGION)


@pytest.fixture
def bedrock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    """The Bedrock client every model client of this test gets, answered by a Stubber."""
    client = BOTOCORE.create_client("bedrock-runtime", region_name=REGION)
    monkeypatch.setattr(aws_module, "client", lambda service, timeout_s: client)
    with Stubber(client) as stub:
        yield stub


@pytest.fixture
def chat(import_handler, s3: Any, bedrock: Stubber) -> Callable[..., Any]:
    """`chat(body)` -> (status, body) from a cold-started chat function."""
    env = {
        "CHAT_MODEL_ID": CHAT_MODEL,
        "MODEL_TIMEOUT_SECONDS": "5",
        "MAX_BODY_BYTES": "65536",
        "DATA_BUCKET": BUCKET,
        "DATA_PREFIX": "chat",
    }
    handler = import_handler(FUNCTIONS, "chat", env=env).handler

    def call(body: Any) -> SimpleNamespace:
        event = {
            "version": "2.0",
            "routeKey": "POST /chat",
            "rawPath": "/local/chat",
            "headers": {"content-type": "application/json"},
            "requestContext": {
                "http": {"method": "POST", "path": "/local/chat"},
                "requestId": REQUEST_ID,
                "stage": "local",
            },
            "body": body if isinstance(body, str) else json.dumps(body),
            "isBase64Encoded": False,
        }
        proxy = handler(event, None)
        return SimpleNamespace(status=proxy["statusCode"], body=json.loads(proxy["body"]))

    return call


def converse_answer(text: str) -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 21, "outputTokens": 6, "totalTokens": 27},
        "metrics": {"latencyMs": 30},
    }


def stored(s3: Any) -> dict[str, Any]:
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))
    return {k: json.loads(s3.get_object(Bucket=BUCKET, Key=k)["Body"].read()) for k in keys}


def test_a_turn_is_answered_by_the_chat_model_and_stored(chat, bedrock: Stubber, s3) -> None:
    request = {
        "messages": [
            {"role": "user", "content": "Is the red kettle any good?"},
            {"role": "assistant", "content": "It boils fast."},
            {"role": "user", "content": "And is it quiet?"},
        ],
        "system": "You answer in one sentence.",
        "parameters": {"max_tokens": 64, "temperature": 0.5},
    }
    bedrock.add_response(
        "converse",
        converse_answer("Quiet enough for a kitchen."),
        {
            "modelId": CHAT_MODEL,
            "messages": [
                {"role": m["role"], "content": [{"text": m["content"]}]}
                for m in request["messages"]
            ],
            "system": [{"text": "You answer in one sentence."}],
            "inferenceConfig": {"maxTokens": 64, "temperature": 0.5},
        },
    )
    reply = chat(request)
    assert reply.status == 200
    assert reply.body == {
        "requestId": REQUEST_ID,
        "model": CHAT_MODEL,
        "message": {"role": "assistant", "content": "Quiet enough for a kitchen."},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 21, "outputTokens": 6, "totalTokens": 27},
        "stored": f"s3://{BUCKET}/chat/{REQUEST_ID}/",
    }
    documents = stored(s3)
    assert documents[f"chat/{REQUEST_ID}/request.json"] == request
    assert documents[f"chat/{REQUEST_ID}/result.json"]["message"]["content"] == (
        "Quiet enough for a kitchen."
    )


def test_defaults_without_system_or_parameters(chat, bedrock: Stubber) -> None:
    bedrock.add_response(
        "converse",
        converse_answer("Hello."),
        {
            "modelId": CHAT_MODEL,
            "messages": [{"role": "user", "content": [{"text": "Hi"}]}],
            "inferenceConfig": {"maxTokens": 512},
        },
    )
    assert chat({"messages": [{"role": "user", "content": "Hi"}]}).status == 200


USER = {"role": "user", "content": "Hi"}
ASSISTANT = {"role": "assistant", "content": "Hello"}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{", "body is not valid JSON"),
        ({}, "missing fields: messages"),
        ({"messages": []}, '"messages" must be an array of 1 to 50 items'),
        ({"messages": [USER] * 51}, '"messages" must be an array of 1 to 50 items'),
        ({"messages": "Hi"}, '"messages" must be an array'),
        ({"messages": [{"role": "user"}]}, 'missing fields in "messages[0]": content'),
        ({"messages": [{"role": "system", "content": "x"}]}, '"messages[0].role" must be one of'),
        ({"messages": [{"role": "user", "content": ""}]}, '"messages[0].content" must be'),
        ({"messages": [{"role": "user", "content": "   "}]}, '"messages[0].content" is blank'),
        ({"messages": [{"role": "user", "content": 5}]}, '"messages[0].content" must be'),
        ({"messages": [{**USER, "name": "x"}]}, 'unknown fields in "messages[0]": name'),
        ({"messages": [ASSISTANT]}, "\"messages[0].role\" must be 'user'"),
        ({"messages": [USER, USER]}, "\"messages[1].role\" must be 'assistant'"),
        ({"messages": [USER, ASSISTANT]}, "the last message must be the user's"),
        ({"messages": [USER], "system": ""}, '"system" must be a string of 1 to 32000 characters'),
        ({"messages": [USER], "model": "x"}, "unknown fields: model"),
        ({"messages": [USER], "parameters": {"max_tokens": 0}}, '"parameters.max_tokens" must'),
        ({"messages": [USER], "parameters": {"max_tokens": 4097}}, "from 1 to 4096"),
        ({"messages": [USER], "parameters": {"max_tokens": "9"}}, '"parameters.max_tokens"'),
        ({"messages": [USER], "parameters": {"temperature": 1.5}}, "a number from 0 to 1"),
        ({"messages": [USER], "parameters": {"temperature": True}}, '"parameters.temperature"'),
        ({"messages": [USER], "parameters": {"top_k": 2}}, 'unknown fields in "parameters"'),
    ],
)
def test_an_invalid_conversation_is_400_naming_the_field_and_nothing_is_called(
    chat, bedrock: Stubber, s3, body: Any, reason: str
) -> None:
    reply = chat(body)  # no response queued: a model call would fail the stub
    assert reply.status == 400
    assert reason in reply.body["error"]
    assert stored(s3) == {}


def test_an_oversized_body_is_413(chat) -> None:
    reply = chat({"messages": [{"role": "user", "content": "x" * 70_000}]})
    assert reply.status == 413


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("ValidationException", 400, 400),
        ("ThrottlingException", 429, 429),
        ("AccessDeniedException", 403, 502),
        ("ModelTimeoutException", 408, 504),
    ],
)
def test_model_errors_follow_the_api_contract_and_nothing_is_stored(
    chat, bedrock: Stubber, s3, code: str, status: int, expected: int
) -> None:
    bedrock.add_client_error("converse", code, "the model says no", status)
    reply = chat({"messages": [USER]})
    assert reply.status == expected
    assert "the model says no" in reply.body["error"]
    assert stored(s3) == {}


@pytest.mark.parametrize(
    ("env", "model"),
    [
        ({"MODEL_BACKEND": "sagemaker", "MODEL_ENDPOINT_NAME": "sentiment"}, "sagemaker sentiment"),
        ({"MODEL_BACKEND": "bedrock", "MODEL_ID": CHAT_MODEL}, f"bedrock {CHAT_MODEL}"),
    ],
)
def test_health_names_an_aws_model_without_calling_it(
    import_handler, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], model: str
) -> None:
    monkeypatch.delenv("MODEL_ENDPOINT_URL", raising=False)
    handler = import_handler(FUNCTIONS, "health", env=env).handler
    event = {
        "version": "2.0",
        "routeKey": "GET /health",
        "rawPath": "/health",
        "requestContext": {"http": {"method": "GET", "path": "/health"}, "requestId": "h"},
    }
    proxy = handler(event, None)
    assert proxy["statusCode"] == 200
    assert json.loads(proxy["body"]) == {"status": "ok", "model": f"{model} (not pinged)"}
