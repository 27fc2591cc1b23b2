"""The local model endpoint: a real model served on loopback for stacks deployed to `local`.

Which ports to serve comes from the stack's own local config (`ports_needed`): every URL there
that points at 127.0.0.1 or localhost (other than the emulator) is an endpoint the stack expects
to reach, and a model on SageMaker or Bedrock (`model: {type: sagemaker|bedrock}`, or a
`chatModelId`) is served at DEFAULT_PORT: the emulator sends its functions' SageMaker runtime
calls there and proxies its Bedrock runtime there (see emulator.py).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlparse

from shared import catalog
from shared.local.processes import HOST, Server

LOOPBACK_NAMES = {"127.0.0.1", "localhost"}
# Where SageMaker and Bedrock models are answered locally.
DEFAULT_PORT = 8080
# `<stack>:model` types whose calls the emulator sends to DEFAULT_PORT.
AWS_MODEL_TYPES = frozenset({"sagemaker", "bedrock"})
CHAT_MODEL_KEY = "chatModelId"


def url(port: int = DEFAULT_PORT) -> str:
    """The base URL of the model endpoint on `port`."""
    return f"http://{HOST}:{port}"


def server(port: int) -> Server:
    return Server(
        label="model endpoint",
        port=port,
        run_dir=catalog.state_dir() / "model-endpoint",
        ready_path="/ping",
        port_hint="change the endpoint URL in the stack's Pulumi.local.yaml",
    )


def start(port: int) -> tuple[Server, bool]:
    endpoint = server(port)
    started = endpoint.start(
        [sys.executable, "-m", "shared.local.model.server", "--host", HOST, "--port", str(port)],
        env={},
    )
    return endpoint, started


def running() -> list[Server]:
    run_dir = catalog.state_dir() / "model-endpoint"
    ports = sorted(int(p.stem) for p in run_dir.glob("*.pid")) if run_dir.exists() else []
    return [s for s in (server(p) for p in ports) if s.pid() is not None]


def ports_needed(
    config: dict[str, str], exclude: Iterable[int] = (), aws_models_port: int = DEFAULT_PORT
) -> set[int]:
    """The model-endpoint ports a stack with this config (`ns:key` -> value) needs;
    `aws_models_port` answers its SageMaker and Bedrock models (the emulator sends them there)."""
    ports = loopback_ports(config)
    if uses_aws_models(config):
        ports.add(aws_models_port)
    return ports - set(exclude)


def uses_aws_models(config: dict[str, str]) -> bool:
    """Whether the config names a SageMaker or Bedrock model (answered at DEFAULT_PORT)."""
    for key, value in config.items():
        name = key.rsplit(":", 1)[-1]
        if name == CHAT_MODEL_KEY and value:
            return True
        model = _maybe_json(value) if name == "model" else None
        if isinstance(model, dict) and model.get("type") in AWS_MODEL_TYPES:
            return True
    return False


def loopback_ports(config: dict[str, str], exclude: Iterable[int] = ()) -> set[int]:
    """Ports of every loopback URL in a stack's config values (JSON values searched too)."""
    ports: set[int] = set()
    for value in config.values():
        for text in _strings(_maybe_json(value)):
            url = urlparse(text)
            if url.scheme in ("http", "https") and url.hostname in LOOPBACK_NAMES and url.port:
                ports.add(url.port)
    return ports - set(exclude)


def _maybe_json(value: str) -> Any:
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
