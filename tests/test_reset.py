"""`invoke reset`: every resource on the emulator and the local state of every stack are deleted,
after a confirmation; without a terminal to ask on, only `--yes` resets."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from shared import catalog
from shared.errors import UserError
from shared.local import emulator
from shared.local.processes import Server, free_port
from shared.ops import reset

pytestmark = pytest.mark.emulator


@pytest.fixture
def own_emulator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """An emulator and a state folder of this test's own: a reset must not wipe the session's."""
    monkeypatch.setenv("AIGW_STATE_DIR", str(tmp_path))
    monkeypatch.setenv(emulator.PORT_VARIABLE, str(free_port()))
    server, _ = emulator.start()
    try:
        yield server
    finally:
        server.stop()


def gateway(server: Server):
    return boto3.client(
        "apigateway",
        endpoint_url=server.url,
        region_name=emulator.REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def local_state(*projects: str) -> list[Path]:
    """What the engine keeps per project: a snapshot and a release record."""
    files = []
    for project in projects:
        folder = reset.engine_dir() / project
        folder.mkdir(parents=True)
        for name in ("local.json", "local.release.json"):
            (folder / name).write_text("{}")
            files.append(folder / name)
    return files


def test_a_confirmed_reset_empties_the_emulator_and_deletes_all_local_state(own_emulator):
    api_id = gateway(own_emulator).create_rest_api(name="made-before-reset")["id"]
    files = local_state("proxy", "versions")
    prompts: list[str] = []
    lines: list[str] = []

    def answer_yes(prompt: str) -> str:
        prompts.append(prompt)
        return "yes"

    reset.command(confirmed=False, ask=answer_yes, out=lines.append)

    assert prompts == [
        f"This deletes every resource on the emulator at {own_emulator.url} and the local "
        "state of 2 stacks: proxy, versions. Type 'yes' to continue: "
    ]
    assert api_id not in {a["id"] for a in gateway(own_emulator).get_rest_apis()["items"]}
    assert not any(path.exists() for path in files)
    assert lines == [
        f"The emulator at {own_emulator.url} emptied.",
        "Deleted the local state of 2 stacks.",
    ]


def test_resources_saved_by_a_stopped_emulator_do_not_come_back_after_a_reset(own_emulator):
    api_id = gateway(own_emulator).create_rest_api(name="saved-then-reset")["id"]
    own_emulator.stop()  # SIGTERM: MiniStack saves its state

    reset.command(confirmed=True, out=lambda line: None)

    emulator.start()
    assert api_id not in {a["id"] for a in gateway(own_emulator).get_rest_apis()["items"]}


def test_any_answer_but_yes_cancels_and_changes_nothing(own_emulator):
    api_id = gateway(own_emulator).create_rest_api(name="kept")["id"]
    files = local_state("proxy")

    with pytest.raises(UserError, match="Reset cancelled; nothing was changed"):
        reset.command(confirmed=False, ask=lambda prompt: "y", out=lambda line: None)

    assert api_id in {a["id"] for a in gateway(own_emulator).get_rest_apis()["items"]}
    assert all(path.exists() for path in files)


def test_without_a_terminal_and_without_yes_the_task_refuses_in_one_sentence(tmp_path):
    files = []
    folder = tmp_path / "engine" / "proxy"
    folder.mkdir(parents=True)
    files.append(folder / "local.json")
    files[0].write_text("{}")

    result = subprocess.run(
        [sys.executable, "-m", "invoke", "reset"],
        cwd=catalog.REPO_ROOT,
        env={**os.environ, "AIGW_STATE_DIR": str(tmp_path)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error: Refusing to reset without confirmation: there is no terminal to ask on, so "
        "run `invoke reset --yes` to delete everything on the emulator and all local state."
    )
    assert files[0].exists()


def test_a_stack_being_deployed_keeps_its_state(own_emulator):
    from shared.local.engine.state import exclusive

    files = local_state("proxy")
    with (
        exclusive(reset.engine_dir() / "proxy" / "local.lock", "proxy/local"),
        pytest.raises(UserError, match="Another deploy or destroy of proxy/local is running"),
    ):
        reset.command(confirmed=True, out=lambda line: None)

    assert all(path.exists() for path in files)
