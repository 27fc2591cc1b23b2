"""The daily loop: `invoke outputs <key>` prints one value for `$(...)`, and `invoke dev` deploys a
stack, then redeploys it and runs its smoke checks on each saved change."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import watchfiles

from shared import catalog
from shared.errors import UserError
from shared.local.engine.state import StateFileError
from shared.ops import commands, dev, local
from shared.ops.outputs import MASK, StackOutput, render_one

REPO = catalog.REPO_ROOT


def invoke(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=REPO,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- invoke outputs <key> -----------------------------------------------------------------

OUTPUTS = {
    "url": StackOutput("https://api.example.com/predict"),
    "limits": StackOutput({"rate": 5, "burst": 10}),
    "apiKey": StackOutput("key-123", secret=True),
}


def test_a_string_output_is_printed_as_is_and_anything_else_as_compact_json():
    assert render_one(OUTPUTS, "url", stack="proxy") == "https://api.example.com/predict"
    assert render_one(OUTPUTS, "limits", stack="proxy") == '{"burst":10,"rate":5}'
    assert render_one(OUTPUTS, "url", stack="proxy", as_json=True) == (
        '"https://api.example.com/predict"'
    )


def test_a_secret_output_needs_show_secrets_and_is_never_printed_as_its_mask():
    with pytest.raises(UserError) as refused:
        render_one(OUTPUTS, "apiKey", stack="proxy")

    assert refused.value.exit_code == 2
    assert "secret" in str(refused.value) and "--show-secrets" in str(refused.value)
    assert MASK not in str(refused.value) and "key-123" not in str(refused.value)
    assert render_one(OUTPUTS, "apiKey", stack="proxy", show_secrets=True) == "key-123"


def test_an_unknown_key_is_a_usage_error_listing_the_keys():
    with pytest.raises(UserError) as refused:
        render_one(OUTPUTS, "URL", stack="proxy")

    assert refused.value.exit_code == 2
    assert str(refused.value) == "proxy has no output 'URL'. Its outputs: apiKey, limits, url."


def test_a_key_needs_one_stack_not_all():
    with pytest.raises(UserError, match="Choose one stack") as refused:
        commands.show_outputs("all", "local", key="url", out=lambda line: None)
    assert refused.value.exit_code == 2


def test_one_output_of_an_aws_env_from_the_command_line(fake_pulumi_cli, monkeypatch):
    monkeypatch.setenv("FAKE_PULUMI_OUTPUTS", json.dumps({"limits": {"rate": 5}}))
    commands.deploy("proxy", "dev", out=lambda line: None)
    listed = _printed(lambda out: commands.show_outputs("proxy", "dev", as_json=True, out=out))
    every = json.loads(listed)

    printed = invoke("outputs", "--stack=proxy", "--env=dev", "url")  # the form scripts use
    flagged = invoke("outputs", "--key=limits", "--stack=proxy", "--env=dev")
    secret = invoke("outputs", "--stack=proxy", "--env=dev", "apiKey")
    helped = invoke("outputs", "--stack=proxy", "--env=dev", "--help")  # never taken for a key

    assert (printed.returncode, printed.stdout) == (0, f"{every['url']}\n")
    assert (flagged.returncode, flagged.stdout) == (0, '{"rate":5}\n')
    assert (secret.returncode, secret.stdout) == (2, "")
    assert "Output 'apiKey' of proxy is secret: add --show-secrets" in secret.stderr
    assert helped.returncode == 0 and "--key=STRING" in helped.stdout
    assert not any("Traceback" in r.stderr for r in (printed, flagged, secret, helped))
    # The rest as the task passes it on: shown when asked, listed without a key.
    assert every["apiKey"] == MASK
    shown = _printed(
        lambda out: commands.show_outputs("proxy", "dev", key="apiKey", show_secrets=True, out=out)
    )
    assert shown.startswith("key-")
    with pytest.raises(UserError, match="Its outputs: apiKey, limits, url.") as unknown:
        commands.show_outputs("proxy", "dev", key="nope", out=lambda line: None)
    assert unknown.value.exit_code == 2


# --- invoke dev: what it watches ----------------------------------------------------------


def test_saved_sources_count_and_what_tools_write_does_not(tmp_path):
    changes = dev.SourceChanges(skipped=[dev.TASKS_CODE])
    modified = watchfiles.Change.modified

    for kept in ["stacks/global/functions/ai.py", "shared/components/api.py", "policy/x.py"]:
        assert changes(modified, str(REPO / kept)), kept
    for ignored in [
        "stacks/global/__pycache__/settings.cpython-311.pyc",
        "stacks/global/.__main__.py.swp",
        "stacks/global/__main__.py~",
        "stacks/global/#__main__.py#",
        "stacks/global/4913",
        "stacks/global/.state/engine.json",
        "shared/ops/dev.py",
    ]:
        assert not changes(modified, str(REPO / ignored)), ignored


def test_a_file_created_and_deleted_in_one_batch_is_no_change(tmp_path):
    kept = tmp_path / "ai.py"
    kept.write_text("handler = None\n")
    temporary = str(tmp_path / "sedX1b2c3")
    batch = {
        (watchfiles.Change.added, temporary),
        (watchfiles.Change.deleted, temporary),
        (watchfiles.Change.modified, str(kept)),
    }

    assert dev.saved(batch) == [kept]
    assert dev.saved({(watchfiles.Change.added, temporary)}) == [Path(temporary)]
    assert dev.saved(batch - {(watchfiles.Change.modified, str(kept))}) == []


def test_dev_mode_is_local_only():
    with pytest.raises(UserError, match="Dev mode is local only") as refused:
        dev.run("proxy", "staging", out=lambda line: None)

    assert refused.value.exit_code == 2
    result = invoke("dev", "--stack=proxy", "--env=dev")
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_ctrl_c_stops_watching_and_says_the_stack_stays_deployed(monkeypatch):
    def interrupted(stack: str, **kwargs) -> bool:
        raise KeyboardInterrupt

    monkeypatch.setattr(dev, "redeploy", interrupted)
    monkeypatch.setattr(dev, "refuse_what_no_save_fixes", lambda stack, out: None)
    lines: list[str] = []

    monkeypatch.setattr(local, "is_deployed", lambda stack: True)
    dev.run("proxy", "local", out=lines.append)
    monkeypatch.setattr(local, "is_deployed", lambda stack: False)
    dev.run("proxy", "local", out=lines.append)

    assert lines == [
        "Stopped watching; proxy stays deployed (invoke destroy --stack=proxy removes it).",
        "Stopped watching; proxy is not deployed.",  # interrupted before anything was applied
    ]


def test_what_no_save_can_fix_ends_dev_mode_before_it_deploys_or_watches(tmp_path, monkeypatch):
    def deployed(stack: str, **kwargs) -> bool:
        raise AssertionError("nothing is deployed when a save cannot fix the problem")

    monkeypatch.setattr(dev, "redeploy", deployed)
    state = tmp_path / "state"
    monkeypatch.setenv("AIGW_STATE_DIR", str(state))
    torn = local.state_path("proxy")
    torn.parent.mkdir(parents=True)
    torn.write_text('{"resources": [')  # a state file cut short
    with pytest.raises(StateFileError, match=r"local\.json cannot be read .* `invoke reset`"):
        dev.run("proxy", "local", out=lambda line: None)

    a_file = tmp_path / "a-file"
    a_file.write_text("")
    monkeypatch.setenv("AIGW_STATE_DIR", str(a_file))  # the tasks name it (tasks.py's OSError)
    with pytest.raises(FileExistsError) as unusable:
        dev.run("proxy", "local", out=lambda line: None)
    assert unusable.value.filename == str(a_file)


def test_whether_a_stack_is_deployed_is_read_from_its_state_not_its_config(tmp_path, monkeypatch):
    # What dev mode says on Ctrl-C while a saved Pulumi.local.yaml does not parse.
    stacks = tmp_path / "stacks"
    shutil.copytree(catalog.STACKS_DIR / "proxy", stacks / "proxy")
    (stacks / "proxy" / "Pulumi.local.yaml").write_text("config: [unclosed\n")
    monkeypatch.setattr(catalog, "STACKS_DIR", stacks)
    monkeypatch.setenv("AIGW_STATE_DIR", str(tmp_path / "state"))

    assert local.is_deployed("proxy") is False


# --- invoke dev: end to end on the emulator -----------------------------------------------


class Lines(list):
    """What the watcher printed, read while it runs in its thread."""

    def wait_for(self, wanted: Callable[[list[str]], bool], what: str) -> None:
        deadline = time.monotonic() + 120  # a safety net only: each step takes a few seconds
        while not wanted(list(self)):
            assert time.monotonic() < deadline, f"no {what} in:\n" + "\n".join(self)
            time.sleep(0.05)


@pytest.fixture
def copied_global(tmp_path, monkeypatch, emulator_server, model_server):
    """A copy of stacks/ where `global` calls the session's model endpoint and its smoke checks
    are not retried (a failure is meant here); destroyed after."""
    stacks = tmp_path / "stacks"
    shutil.copytree(catalog.STACKS_DIR, stacks, ignore=shutil.ignore_patterns("__pycache__"))
    folder = stacks / "global"
    config = folder / "Pulumi.local.yaml"
    config.write_text(
        config.read_text().replace("http://127.0.0.1:8080", model_server.url), encoding="utf-8"
    )
    smoke = folder / "smoke.yaml"
    smoke.write_text(smoke.read_text().replace("retries: 1", "retries: 0"), encoding="utf-8")
    monkeypatch.setattr(catalog, "STACKS_DIR", stacks)
    yield folder
    if local.is_deployed("global"):
        local.destroy("global", out=lambda line: None)


@pytest.mark.emulator
def test_dev_mode_redeploys_each_save_reports_a_broken_one_and_keeps_watching(
    copied_global, emulator_server
):
    handler, program = copied_global / "functions" / "ai.py", copied_global / "__main__.py"
    handler_source, program_source = handler.read_text(), program.read_text()
    lines, stop = Lines(), threading.Event()
    watcher = threading.Thread(
        target=dev.run, args=("global", "local"), kwargs={"out": lines.append, "stop": stop}
    )
    watcher.start()
    try:
        lines.wait_for(lambda seen: any(s.startswith("Watching ") for s in seen), "watching")
        assert any(s.startswith("Plan for global/local: 18 to create") for s in lines)
        assert "Smoke global/local: 4 passed, 0 failed." in lines
        # The local output, for a script, as the deploy recorded it.
        url = _printed(lambda out: commands.show_outputs("global", "local", key="url", out=out))
        assert url.startswith(emulator_server.url) and url.endswith("/ai")

        # A handler that raises: the new code is deployed, and the smoke checks say so.
        handler.write_text(
            handler_source.replace(
                "    texts, parameters = inference_request(request)",
                '    raise RuntimeError("broken on purpose")',
            )
        )
        lines.wait_for(lambda seen: any(" 2 failed." in s for s in seen), "failed check")
        assert "Changed stacks/global/functions/ai.py: redeploying global." in lines
        assert any("0 to create, 1 to update" in s and "17 unchanged" in s for s in lines)
        assert "Smoke global/local: 2 passed, 2 failed." in lines
        assert any(s.startswith("  FAIL ai-answers-with-its-region 500") for s in lines)

        # A program that does not parse: its error, nothing deployed, still watching.
        program.write_text(program_source + "\nthis is not python (\n")
        lines.wait_for(lambda seen: any(s.startswith("Error: ") for s in seen), "error")
        assert any(s.startswith("Error: SyntaxError: ") for s in lines)

        # The next saves are deployed again: the program back, then the handler.
        program.write_text(program_source)
        handler.write_text(handler_source)
        lines.wait_for(lambda seen: seen[-1] == "Smoke global/local: 4 passed, 0 failed.", "pass")
    finally:
        stop.set()
        watcher.join(timeout=60)
    assert not watcher.is_alive()
    assert lines[-1] == (
        "Stopped watching; global stays deployed (invoke destroy --stack=global removes it)."
    )
    assert not any("Traceback" in line for line in lines)


def _printed(command: Callable[[Callable[[str], None]], None]) -> str:
    lines: list[str] = []
    command(lines.append)
    return "\n".join(lines)
