"""Which local model endpoints a stack's local config needs (`model_endpoint.ports_needed`):
the loopback URLs it names, and DEFAULT_PORT for a model on SageMaker or Bedrock, which the
emulator sends there."""

from __future__ import annotations

import json

import pytest

from shared.local import model_endpoint
from shared.local.model_endpoint import DEFAULT_PORT, ports_needed


@pytest.mark.parametrize(
    ("config", "ports"),
    [
        ({"proxy:modelEndpoint": "http://127.0.0.1:8081/invocations"}, {8081}),
        ({"global:model": json.dumps({"type": "http", "url": "http://localhost:9000/x"})}, {9000}),
        ({"proxy:model": json.dumps({"type": "sagemaker", "endpoint": "sentiment"})}, {8080}),
        ({"workflows:model": json.dumps({"type": "bedrock", "modelId": "amazon.nova"})}, {8080}),
        (
            {
                "orchestration:model": json.dumps({"type": "http", "url": "http://127.0.0.1:8082"}),
                "orchestration:chatModelId": "amazon.nova-lite-v1:0",
            },
            {8080, 8082},
        ),
        (
            {"global:model": json.dumps({"type": "http", "url": "https://models.example.com"})},
            set(),
        ),
        ({"orchestration:chatModelId": ""}, set()),
        ({"aws:region": "us-east-1", "x:modelVersions": "[]"}, set()),
    ],
)
def test_ports_needed(config: dict[str, str], ports: set[int]) -> None:
    assert DEFAULT_PORT == 8080
    assert ports_needed(config) == ports


def test_the_emulators_port_is_never_a_model_endpoint() -> None:
    config = {"proxy:model": json.dumps({"type": "bedrock", "modelId": "m"})}
    assert ports_needed(config, exclude=[DEFAULT_PORT]) == set()


def test_the_default_endpoint_url_is_on_loopback() -> None:
    assert model_endpoint.url() == "http://127.0.0.1:8080"
