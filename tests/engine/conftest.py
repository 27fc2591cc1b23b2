"""Fixtures for the engine tests: a harness running the engine on one of the test programs
(tests/engine/programs/<name>) against the session's emulator."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from shared.local.engine.engine import Engine
from shared.local.engine.providers import Context
from shared.local.engine.state import StateStore

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
            Context(self.emulator_url, REGION),
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
