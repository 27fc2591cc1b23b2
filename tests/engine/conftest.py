"""Fixtures for the engine tests: a harness running the engine on one of the test programs
(tests/engine/programs/<name>) against the session's emulator, and `applied`, which drives
providers directly as the engine does."""

from __future__ import annotations

import base64
import json
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from shared.local.engine.engine import Engine
from shared.local.engine.providers import Context, Desired
from shared.local.engine.state import ResourceRecord, StateStore
from shared.local.engine.values import plain

PROGRAMS = Path(__file__).parent / "programs"
REGION = "us-east-1"


class Harness:
    """One engine on one test program, with its own state file and printed lines. Config keys
    are given without the project prefix and are kept between runs."""

    def __init__(
        self,
        client: Callable[..., Any],
        emulator_url: str,
        state_path: Path,
        program: str,
        project: str,
        **config: str,
    ) -> None:
        # Where the engine's bridge finds the SageMaker runtime (None: the model server's
        # default address); a test sets it to its own fake.
        self.model_url: str | None = None
        self.lines: list[str] = []
        self.client = client
        self.emulator_url = emulator_url
        self.state_path = state_path
        self.program = program
        self.project = project
        self.config = {f"{project}:{k}": v for k, v in config.items()}

    @cached_property
    def gateway(self) -> Any:
        """An API Gateway client for the emulator."""
        return self.client("apigateway")

    def engine(self, **config: str) -> Engine:
        self.config.update({f"{self.project}:{k}": v for k, v in config.items()})
        return Engine(
            PROGRAMS / self.program,
            self.project,
            "local",
            dict(self.config),
            Context(self.emulator_url, REGION, model_url=self.model_url),
            self.state_path,
            out=self.lines.append,
        )

    def up(self, **config: str):
        self.lines.clear()
        return self.engine(**config).up()

    def plan(self, **config: str):
        return self.engine(**config).plan()

    def destroy(self) -> int:
        return self.engine().destroy()

    def state(self) -> StateStore:
        return StateStore(self.state_path)

    def record(self, name: str):
        return next(r for r in self.state().resources.values() if r.name == name)

    def ids(self) -> dict[str, str]:
        return {r.name: r.id for r in self.state().resources.values()}

    def api_exists(self, api_id: str) -> bool:
        try:
            self.gateway.get_rest_api(restApiId=api_id)
        except ClientError:
            return False
        return True


@pytest.fixture
def engine_harness(emulator_server, emulator_client, tmp_path) -> Callable[..., Harness]:
    """`engine_harness(program, project, **config)`: a `Harness` on tests/engine/programs/<program>
    against the session's emulator, its state in this test's tmp_path/state/<project>/local.json
    (so two projects in one test keep their own state, as `deploy` does)."""

    def make(program: str, project: str, **config: str) -> Harness:
        state_path = tmp_path / "state" / project / "local.json"
        return Harness(emulator_client, emulator_server.url, state_path, program, project, **config)

    return make


class Applied:
    """Applies resources through their providers as the engine does, keeps the records, and
    deletes whatever is left at the end."""

    def __init__(self, url: str) -> None:
        self.ctx = Context(url, REGION)
        self.records: list[tuple[Any, ResourceRecord]] = []

    def create(self, provider: Any, name: str, inputs: dict[str, Any]) -> ResourceRecord:
        created = provider.create(self.ctx, Desired(f"{provider.type_token}::{name}", name, inputs))
        record = ResourceRecord(
            provider.type_token, name, created.id, plain(inputs), plain(created.outputs)
        )
        self.records.append((provider, record))
        return record

    def update(
        self, provider: Any, record: ResourceRecord, inputs: dict[str, Any]
    ) -> ResourceRecord:
        want = Desired(f"{provider.type_token}::{record.name}", record.name, inputs)
        outputs = provider.update(self.ctx, record, want)
        new = ResourceRecord(record.type, record.name, record.id, plain(inputs), plain(outputs))
        self.records = [(p, new if r is record else r) for p, r in self.records]
        return new

    def drift(self, provider: Any, record: ResourceRecord) -> dict[str, Any]:
        """The live inputs that differ from the record, as the engine compares them."""
        live = provider.read(self.ctx, record)
        return {k: v for k, v in live.items() if v != record.inputs.get(k)}

    def find(
        self, provider: Any, record: ResourceRecord, inputs: dict[str, Any] | None = None
    ) -> str | None:
        """What `find` returns for a create of `inputs` (the record's own by default)."""
        wanted = record.inputs if inputs is None else inputs
        return provider.find(self.ctx, Desired(record.type, record.name, wanted))

    def cleanup(self) -> None:
        for provider, record in reversed(self.records):
            provider.delete_if_present(self.ctx, record)


@pytest.fixture
def applied(emulator_server) -> Iterator[Applied]:
    """An `Applied` on the session's emulator, cleaned up after the test."""
    a = Applied(emulator_server.url)
    yield a
    a.cleanup()


def client_credentials_token(emulator_url: str, client_id: str, secret: str, scope: str) -> dict:
    """A token answer from a Cognito pool's token endpoint (client credentials), which
    MiniStack serves on its own address; on AWS the domain's `/oauth2/token`."""
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    request = urllib.request.Request(
        f"{emulator_url}/oauth2/token",
        data=urllib.parse.urlencode({"grant_type": "client_credentials", "scope": scope}).encode(),
        headers={
            "Authorization": f"Basic {basic}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())
