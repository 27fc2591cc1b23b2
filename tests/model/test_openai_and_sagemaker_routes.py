"""The model endpoint's other faces: the SageMaker runtime's InvokeEndpoint path (what
botocore's `sagemaker-runtime` client calls, signed) and OpenAI-compatible chat completions
(what MiniStack's Bedrock runtime forwards Converse to), answered by the local model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest

from shared.local.model.classifier import train_versions
from shared.local.model.server import make_server
from shared.runtime.bedrock import CLASSIFY_SYSTEM_PROMPT

POSITIVE = "I love this phone, the screen is beautiful. It arrived on a Monday."
NEGATIVE = "This was awful and the food was cold"
MODEL = train_versions()["v1"]


@pytest.fixture(scope="module")
def base_url(serve_in_thread) -> Iterator[str]:
    with serve_in_thread(make_server("127.0.0.1", 0)) as url:
        yield url


def completion(http, base_url: str, body: dict[str, Any]) -> Any:
    return http("POST", f"{base_url}/v1/chat/completions", body)


# --- POST /endpoints/<name>/invocations -------------------------------------------------------


@pytest.mark.parametrize("name", ["sentiment-prod", "anything"])
def test_any_endpoint_name_answers_like_invocations(http, base_url: str, name: str) -> None:
    body = {"inputs": [POSITIVE, NEGATIVE], "parameters": {"top_k": 2}}
    direct = http("POST", f"{base_url}/invocations", body)
    through = http("POST", f"{base_url}/endpoints/{name}/invocations", body)
    assert through.status == direct.status == 200
    assert through.body == direct.body
    assert through.headers["X-Model-Version"] == "v1"


def test_botocore_sagemaker_runtime_reaches_the_model(base_url: str) -> None:
    """A signed InvokeEndpoint, as a handler sends it, answered by the local model."""
    client = botocore.session.get_session().create_client(
        "sagemaker-runtime",
        region_name="us-east-1",
        endpoint_url=base_url,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    answer = client.invoke_endpoint(
        EndpointName="sentiment",
        ContentType="application/json",
        Accept="application/json",
        Body=json.dumps({"inputs": [NEGATIVE]}),
    )
    document = json.loads(answer["Body"].read())
    assert answer["ContentType"] == "application/json"
    assert document["predictions"][0]["label"] == MODEL.predict([NEGATIVE])[0].label


def test_an_invalid_invocation_through_the_endpoint_path_is_a_model_error(http, base_url) -> None:
    """AWS: InvokeEndpoint answers a container's error status as 424 ModelError, the container's
    status and answer inside (OriginalStatusCode, OriginalMessage)."""
    reply = http("POST", f"{base_url}/endpoints/x/invocations", {"inputs": []})
    assert reply.status == 424, reply.body
    assert reply.body["ErrorCode"] == "CLIENT_ERROR_FROM_MODEL"
    assert reply.body["OriginalStatusCode"] == 400
    original = json.loads(reply.body["OriginalMessage"])
    assert original["error"] == '"inputs" must not be an empty list'


def test_the_runtime_client_reads_the_model_error_as_botocore_does(base_url) -> None:
    """The SageMaker runtime client of the handlers gets a ModelError with the container's
    status, as from AWS."""
    import botocore.session
    from botocore.exceptions import ClientError

    client = botocore.session.get_session().create_client(
        "sagemaker-runtime",
        region_name="us-east-1",
        endpoint_url=base_url,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    try:
        client.invoke_endpoint(
            EndpointName="x", ContentType="application/json", Body=b'{"inputs": []}'
        )
    except ClientError as error:
        assert error.response["Error"]["Code"] == "ModelError"
        assert error.response["OriginalStatusCode"] == 400
    else:
        raise AssertionError("an invalid body was answered")


# --- POST /v1/chat/completions ----------------------------------------------------------------


def test_the_classification_prompt_gets_the_models_json_for_the_last_user_message(
    http, base_url: str
) -> None:
    reply = completion(
        http,
        base_url,
        {
            "model": "anthropic.claude-3-haiku-20240307-v1:0",
            "messages": [
                {"role": "system", "content": CLASSIFY_SYSTEM_PROMPT},
                {"role": "user", "content": POSITIVE},
                {"role": "assistant", "content": '{"label": "positive", "score": 0.9}'},
                {"role": "user", "content": NEGATIVE},
            ],
            "stream": False,
        },
    )
    assert reply.status == 200
    [choice] = reply.body["choices"]
    [expected] = MODEL.predict([NEGATIVE])
    assert json.loads(choice["message"]["content"]) == {
        "label": expected.label,
        "score": round(expected.score, 4),
    }
    assert choice["message"]["role"] == "assistant" and choice["finish_reason"] == "stop"
    assert reply.body["object"] == "chat.completion"
    assert reply.body["model"] == "anthropic.claude-3-haiku-20240307-v1:0"


def test_a_conversation_gets_the_tone_and_gist_of_the_last_user_message(
    http, base_url: str
) -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": POSITIVE}]}
    reply = completion(http, base_url, body)
    [expected] = MODEL.predict([POSITIVE])
    text = reply.body["choices"][0]["message"]["content"]
    assert text == (
        f"That reads as {expected.label} (confidence {expected.score:.2f}). "
        "In short: I love this phone, the screen is beautiful."
    )
    assert completion(http, base_url, body).body["choices"][0]["message"]["content"] == text
    other = {"model": "m", "messages": [{"role": "user", "content": NEGATIVE}]}
    assert completion(http, base_url, other).body["choices"][0]["message"]["content"] != text


def test_usage_counts_words_and_max_tokens_cuts_the_answer(http, base_url: str) -> None:
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": NEGATIVE}]},
    ]
    reply = completion(http, base_url, {"messages": messages, "max_tokens": 3})
    choice = reply.body["choices"][0]
    assert choice["finish_reason"] == "length"
    assert choice["message"]["content"] == "That reads as"
    assert reply.body["usage"] == {
        "prompt_tokens": 2 + len(NEGATIVE.split()),
        "completion_tokens": 3,
        "total_tokens": 2 + len(NEGATIVE.split()) + 3,
    }


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"messages": []}, '"messages" must be a non-empty list'),
        ({"messages": [{"role": "robot", "content": "x"}]}, '"messages[0].role" must be one of'),
        ({"messages": [{"role": "system", "content": "x"}]}, "no user message with text"),
        ({"messages": [{"role": "user", "content": 5}]}, '"messages[0].content" must be'),
        ({"messages": [{"role": "user", "content": "x"}], "stream": True}, "streaming"),
        ({"messages": [{"role": "user", "content": "x"}], "max_tokens": 0}, '"max_tokens"'),
    ],
)
def test_invalid_chat_requests_are_400(http, base_url: str, body: Any, reason: str) -> None:
    reply = completion(http, base_url, body)
    assert reply.status == 400 and reason in reply.body["error"]


def test_chat_completions_take_post_only(http, base_url: str) -> None:
    reply = http("GET", f"{base_url}/v1/chat/completions")
    assert reply.status == 405 and reply.headers["Allow"] == "POST"
