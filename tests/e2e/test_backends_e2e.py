"""Each model backend, for each pattern that offers it, deployed locally and answered end to end
by the local model: `proxy` through API Gateway's own signed `AWS` integration (the engine's
bridge locally), `orchestration`, `global` and `workflows` through their handlers' botocore
clients (SageMaker runtime at the local model endpoint, Bedrock Converse at the emulator, which
asks the local model).

AWS rules these encode: InvokeEndpoint answers a container's error as 424 ModelError, which the
proxy's integration responses turn into 502; a Bedrock Converse request takes one prompt, so a
list of inputs is refused by the proxy's body model (400) before the model is called."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.ops import credentials, local, request

pytestmark = pytest.mark.emulator

SAGEMAKER = {"type": "sagemaker", "endpoint": "sentiment-local"}
BEDROCK = {"type": "bedrock", "modelId": "anthropic.claude-3-haiku-20240307-v1:0"}
LABELS = {"positive", "negative", "neutral"}
HAPPY = "I love this, it is wonderful and great"


def quiet(line: str) -> None:
    pass


class Deployed:
    def __init__(self, stack: str, outputs: dict[str, Any]) -> None:
        self.stack = stack
        self.outputs = outputs
        self.caller = credentials.for_stack(stack, "local", outputs=outputs)

    def post(self, path: str | None, body: Any) -> tuple[int, Any]:
        url = str(self.outputs["url"].value if path is None else self.outputs["baseUrl"].value)
        url += path or ""
        data = json.dumps(body).encode()
        headers = self.caller.headers("POST", url, {"Content-Type": "application/json"}, data)
        answer = request.send("POST", url, headers, data, 60)
        assert answer.status is not None, answer.error
        return answer.status, json.loads(answer.body or b"{}")


def deploy(stack: str, model: dict[str, Any]) -> Deployed:
    return Deployed(
        stack, local.deploy(stack, out=quiet, overrides={f"{stack}:model": json.dumps(model)})
    )


@pytest.fixture(params=[SAGEMAKER, BEDROCK], ids=["sagemaker", "bedrock"])
def proxy(request, emulator_server, model_server):
    try:
        yield request.param["type"], deploy("proxy", request.param)
    finally:
        local.destroy("proxy", out=quiet)


def test_proxy_reaches_the_model_signed_through_its_own_integration(proxy):
    backend, deployed = proxy
    status, answer = deployed.post(None, {"inputs": HAPPY})
    assert status == 200, answer
    if backend == "sagemaker":  # the container's answer, passed back as is
        assert answer["predictions"][0]["label"] == "positive"
    else:  # Converse's answer, the local model's text
        text = answer["output"]["message"]["content"][0]["text"]
        assert "positive" in text, text
        assert answer["stopReason"]


def test_proxy_maps_the_models_refusals_to_its_error_contract(proxy):
    backend, deployed = proxy
    # A parameter of the wrong type is the caller's fault, refused by the body model (400).
    status, answer = deployed.post(None, {"inputs": "x", "parameters": {"top_k": "abc"}})
    assert status == 400, answer
    if backend == "sagemaker":
        # The container refuses top_k 9 (400), SageMaker says ModelError (424): the model's
        # failure, 502 with the contract's reason.
        status, answer = deployed.post(None, {"inputs": "x", "parameters": {"top_k": 9}})
        assert (status, answer) == (502, {"message": "The model could not answer."})
    else:
        status, answer = deployed.post(None, {"inputs": ["one", "two"]})
        assert status == 400, answer  # the body model: Converse takes one prompt


FUNCTION_PATTERNS = [
    ("orchestration", "/classify", {"inputs": [HAPPY, "This is terrible and awful"]}),
    ("global", None, {"inputs": HAPPY}),
    ("workflows", "/ai-service/sentiment", {"inputs": [HAPPY]}),
]


@pytest.mark.parametrize("model", [SAGEMAKER, BEDROCK], ids=["sagemaker", "bedrock"])
@pytest.mark.parametrize(
    "stack,path,body", FUNCTION_PATTERNS, ids=[p[0] for p in FUNCTION_PATTERNS]
)
def test_handlers_call_each_backend(emulator_server, model_server, stack, path, body, model):
    try:
        deployed = deploy(stack, model)
        status, answer = deployed.post(path, body)
        assert status == 200, answer
        text = json.dumps(answer)
        found = [label for label in LABELS if f'"label": "{label}"' in text]
        assert "positive" in found, answer
        if stack == "orchestration":
            assert [p["label"] for p in answer["predictions"]] == ["positive", "negative"]
    finally:
        local.destroy(stack, out=quiet)


def test_orchestration_chat_talks_to_bedrock(emulator_server, model_server):
    try:
        deployed = deploy(
            "orchestration", {"type": "http", "url": f"{model_server.url}/invocations"}
        )
        conversation = {"messages": [{"role": "user", "content": "I hate waiting, it is awful"}]}
        status, answer = deployed.post("/chat", conversation)
        assert status == 200, answer
        assert answer["message"]["role"] == "assistant"
        assert "negative" in answer["message"]["content"], answer
        assert answer["usage"]["inputTokens"] > 0
    finally:
        local.destroy("orchestration", out=quiet)
