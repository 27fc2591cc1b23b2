"""End to end on a real MiniStack started as `emulator.start` starts it: a model on Bedrock or
SageMaker is answered by the local model endpoint.

- Converse to MiniStack's Bedrock runtime is forwarded to the model endpoint's
  `/v1/chat/completions` (MINISTACK_BEDROCK_PROXY_URL) and comes back in Converse shape with
  the local model's computed answer, for a chat and for the handlers' classification prompt.
- A Lambda function calling `sagemaker-runtime` with no endpoint of its own reaches the model
  endpoint's `/endpoints/<name>/invocations`: MiniStack's workers inherit the emulator's
  AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from shared.local import emulator
from shared.local.model.chat import ChatRequest, reply_text
from shared.local.model.classifier import train_versions
from shared.local.processes import Server, free_port
from shared.runtime import aws as aws_module
from shared.runtime.bedrock import BedrockModelClient

MODEL = train_versions()["v1"]  # the endpoint's default version
MODEL_ID = "anthropic.claude-3-haiku-20240307-v1:0"
POSITIVE = "I love this phone, the screen is beautiful. It came in a box."
NEGATIVE = "This was awful and the food was cold"


@pytest.fixture(scope="module")
def aws_emulator(model_server: Server) -> Iterator[Server]:
    """A MiniStack of this module's own, its AWS models answered by the session's model
    endpoint (the tasks' emulator sends them to model_endpoint.DEFAULT_PORT)."""
    server, _ = emulator.start(free_port(), model_url=model_server.url)
    try:
        yield server
    finally:
        server.stop()


def client(aws_emulator: Server, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=aws_emulator.url,
        region_name=emulator.REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def test_converse_answers_with_the_local_models_computed_reply(aws_emulator: Server) -> None:
    answer = client(aws_emulator, "bedrock-runtime").converse(
        modelId=MODEL_ID,
        system=[{"text": "You answer briefly."}],
        messages=[{"role": "user", "content": [{"text": POSITIVE}]}],
    )
    expected = reply_text(
        ChatRequest(MODEL_ID, [("system", "You answer briefly."), ("user", POSITIVE)]), MODEL
    )
    assert answer["output"]["message"] == {"role": "assistant", "content": [{"text": expected}]}
    assert expected.startswith(f"That reads as {MODEL.predict([POSITIVE])[0].label}")
    # The model endpoint's own counts (words), not MiniStack's chars/4 estimate.
    assert answer["usage"]["inputTokens"] == len(("You answer briefly. " + POSITIVE).split())
    assert answer["usage"]["outputTokens"] == len(expected.split())


def test_the_bedrock_classifier_gets_the_local_models_labels(
    aws_emulator: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The handlers' Bedrock client, through MiniStack, as a function locally runs it."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_emulator.url)
    monkeypatch.setenv("AWS_REGION", emulator.REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.delenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", raising=False)
    monkeypatch.setattr(aws_module, "_SESSION", None)
    answer = BedrockModelClient(MODEL_ID, 10).invoke([POSITIVE, NEGATIVE])
    expected = MODEL.predict([POSITIVE, NEGATIVE])
    assert [(p["label"], p["score"]) for p in answer["predictions"]] == [
        (e.label, round(e.score, 4)) for e in expected
    ]


HANDLER = """
import json
import botocore.session

def handler(event, context):
    runtime = botocore.session.get_session().create_client("sagemaker-runtime")
    answer = runtime.invoke_endpoint(
        EndpointName=event["endpoint"],
        ContentType="application/json",
        Body=json.dumps({"inputs": event["inputs"]}),
    )
    return {"endpointUrl": runtime.meta.endpoint_url, "answer": json.loads(answer["Body"].read())}
"""


def test_a_lambda_reaches_sagemaker_runtime_at_the_model_endpoint(
    aws_emulator: Server, model_server: Server
) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("app.py", HANDLER)
    functions = client(aws_emulator, "lambda")
    functions.create_function(
        FunctionName="calls-sagemaker",
        Runtime="python3.11",
        Role="arn:aws:iam::000000000000:role/calls-sagemaker",
        Handler="app.handler",
        Code={"ZipFile": archive.getvalue()},
        Timeout=30,
    )
    functions.get_waiter("function_active_v2").wait(FunctionName="calls-sagemaker")
    reply = functions.invoke(
        FunctionName="calls-sagemaker",
        Payload=json.dumps({"endpoint": "sentiment-prod", "inputs": [NEGATIVE]}),
    )
    result = json.loads(reply["Payload"].read())
    assert "FunctionError" not in reply, result
    assert result["endpointUrl"] == model_server.url
    [prediction] = result["answer"]["predictions"]
    assert prediction["label"] == MODEL.predict([NEGATIVE])[0].label
