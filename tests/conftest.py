"""Fixtures shared by the suite.

Tests never touch a user's state or servers: AIGW_STATE_DIR points at a temporary folder for the
whole session, and the emulator and model endpoint run on free ports of their own.
"""

from __future__ import annotations

import json
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from shared import catalog
from shared.engine import program
from shared.ops import emulator, model_endpoint
from shared.ops.processes import Server, free_port
from shared.ops.stack_files import project_name, stack_config

_SESSION_STATE = tempfile.mkdtemp(prefix="aigw-test-state-")
os.environ["AIGW_STATE_DIR"] = _SESSION_STATE
os.environ.pop(emulator.PORT_VARIABLE, None)


@dataclass
class ProgramRun:
    """Every custom resource a program declared under mocks, and its stack outputs."""

    resources: list[program.Registration] = field(default_factory=list)
    outputs: dict[str, program.ProgramOutput] = field(default_factory=dict)

    def of_type(self, type_token: str) -> list[program.Registration]:
        return [r for r in self.resources if r.type == type_token]

    def one(self, type_token: str) -> program.Registration:
        found = self.of_type(type_token)
        assert len(found) == 1, f"expected one {type_token}, found {len(found)}"
        return found[0]

    def named(self, name: str) -> program.Registration:
        return next(r for r in self.resources if r.name == name)


def fake_outputs(reg: program.Registration) -> dict[str, Any]:
    """Plausible computed outputs so programs can chain resources under mocks."""
    rid = f"{reg.name}-id"
    return {
        "arn": f"arn:aws:mock:us-east-1:123456789012:{reg.name}",
        "rootResourceId": f"{reg.name}-root",
        "executionArn": f"arn:aws:execute-api:us-east-1:123456789012:{rid}",
        "invokeUrl": f"https://{rid}.execute-api.us-east-1.amazonaws.com/stage",
        "invokeArn": f"arn:aws:apigateway:us-east-1:lambda:path/functions/{rid}/invocations",
        "apiEndpoint": f"https://{rid}.execute-api.us-east-1.amazonaws.com",
        "value": "mock-api-key-value",
        "name": reg.inputs.get("name", reg.name),
        # ACM certificates, API Gateway domain names and Route 53 records.
        "domainValidationOptions": [
            {
                "domainName": reg.inputs.get("domainName", ""),
                "resourceRecordName": f"_{reg.name}.{reg.inputs.get('domainName', '')}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{reg.name}.acm-validations.aws.",
            }
        ],
        "cloudfrontDomainName": f"{rid}.cloudfront.net",
        "cloudfrontZoneId": "Z2FDTNDATAQYW2",
        "regionalDomainName": f"d-{rid}.execute-api.us-east-1.amazonaws.com",
        "regionalZoneId": "Z1UJRXOUMOOFQ8",
        "fqdn": str(reg.inputs.get("name", reg.name)).rstrip("."),
    }


def run_stack_program(stack: str, env: str, overrides: dict[str, str] | None = None) -> ProgramRun:
    """Run stacks/<stack>/__main__.py on Pulumi's mock runtime with `env`'s config."""
    program_dir = catalog.stack_dir(stack)
    config = {**stack_config(program_dir, env), **(overrides or {})}
    run = ProgramRun()

    def record(reg: program.Registration) -> program.Resolution:
        run.resources.append(reg)
        return f"{reg.name}-id", {**reg.inputs, **fake_outputs(reg)}

    run.outputs = program.run(
        program_dir, project_name(program_dir), env, config, record, preview=False
    )
    return run


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[Server]:
    """A MiniStack of the test session's own, on a free port, stopped at the end."""
    server, _ = emulator.start(free_port())
    os.environ[emulator.PORT_VARIABLE] = str(server.port)
    try:
        yield server
    finally:
        server.stop()
        os.environ.pop(emulator.PORT_VARIABLE, None)


@pytest.fixture(scope="session")
def model_server() -> Iterator[Server]:
    """The local model endpoint on a free port, stopped at the end."""
    server, _ = model_endpoint.start(free_port())
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def run_program():
    """`run_stack_program` for tests (in importlib mode conftest is not importable by name)."""
    return run_stack_program


@pytest.fixture(scope="session")
def mock_outputs():
    """`fake_outputs`: the computed outputs every mocked resource gets."""
    return fake_outputs


@pytest.fixture(scope="session")
def http():
    """`call(method, url, body=None, headers=None, raw=None)` -> Reply(status, body, headers)."""
    return call


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


def call(
    method: str,
    url: str,
    body: Any = None,
    headers: dict | None = None,
    raw: bytes | None = None,
    timeout: float = 30,
) -> Reply:
    """One real HTTP request; error statuses are answers too. JSON bodies are decoded."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, payload, got = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        status, payload, got = error.code, error.read(), dict(error.headers)
    try:
        decoded = json.loads(payload) if payload else None
    except ValueError:
        decoded = payload.decode(errors="replace")
    return Reply(status, decoded, got)
