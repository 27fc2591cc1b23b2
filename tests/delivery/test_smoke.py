"""The smoke checks end to end on `local`, on the test session's emulator with the model override
(as tests/e2e does): the proxy's through the runner and `invoke smoke`, then broken (model
endpoint on a closed port) and reported, non-zero; and every other stack's file passes against
its deployment, each with its access mode's credentials (a key, a token, a signature) and each
proving a request without them refused, and fails, naming the field, when the answer is not
what it says."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
import yaml

from shared import catalog
from shared.errors import UserError
from shared.ops import local, smoke

pytestmark = pytest.mark.emulator

LINE = re.compile(r"^(PASS|FAIL) (\S+) (\d{3}|-) \d+ms")
CHECKS = [
    "predict-without-api-key-is-forbidden",
    "predict-with-a-wrong-api-key-is-forbidden",
    "predict-with-api-key",
    "predict-invalid-body-is-rejected",
]


def invoke(*args: str, **env: str) -> subprocess.CompletedProcess:
    """`invoke ...` as a user runs it, on the test session's emulator and state."""
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=catalog.REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=180,
    )


def checked(lines: list[str]) -> dict[str, tuple[str, str]]:
    """{check name: (PASS|FAIL, status)} from the runner's lines."""
    found = [LINE.match(line) for line in lines]
    return {m[2]: (m[1], m[3]) for m in found if m}


@pytest.fixture(scope="module")
def proxy(emulator_server, model_server):
    overrides = model_overrides("proxy", model_server.url)
    local.deploy("proxy", out=lambda line: None, overrides=overrides)
    yield overrides
    local.destroy("proxy", out=lambda line: None)


def test_the_deployed_proxy_passes_its_smoke_checks(proxy):
    lines: list[str] = []

    result = smoke.run("proxy", catalog.LOCAL, out=lines.append)

    assert result.passed, lines
    assert [c.name for c in result.checks] == CHECKS
    assert checked(lines) == {
        CHECKS[0]: ("PASS", "403"),
        CHECKS[1]: ("PASS", "403"),
        CHECKS[2]: ("PASS", "200"),
        CHECKS[3]: ("PASS", "400"),
    }
    assert lines[0] == "Smoke checks of proxy in local (4):"
    assert lines[-1] == "Smoke proxy/local: 4 passed, 0 failed."


def test_invoke_smoke_passes_and_prints_one_line_per_check(proxy):
    done = invoke("smoke", "--stack=proxy")

    assert done.returncode == 0, done.stderr
    assert list(checked(done.stdout.splitlines()).values()) == [
        ("PASS", s) for s in ("403", "403", "200", "400")
    ]
    assert "Smoke proxy/local: 4 passed, 0 failed." in done.stdout
    keys = local.outputs("proxy")["credentials"].value["apiKeys"]
    for key in keys.values():  # the secret output is used, never shown
        assert key not in done.stdout + done.stderr


def test_a_broken_model_endpoint_fails_the_keyed_check_and_the_command(
    proxy, closed_url, monkeypatch
):
    # 127.0.0.2 is loopback too, but no local model endpoint is started for it: nothing
    # listens there, so the gateway's integration fails.
    port = closed_url.rsplit(":", 1)[1]
    broken = {**proxy, **model_overrides("proxy", f"http://127.0.0.2:{port}")}
    local.deploy("proxy", out=lambda line: None, overrides=broken)
    try:
        lines: list[str] = []
        # The waits between attempts are recorded instead of slept here (the command run
        # below sleeps them): proxy's smoke.yaml asks for 2 retries, 2 s apart.
        waits: list[float] = []
        with monkeypatch.context() as patched, pytest.raises(UserError) as caught:
            patched.setattr(smoke.time, "sleep", waits.append)
            smoke.command("proxy", catalog.LOCAL, out=lines.append)

        assert waits == [2.0, 2.0]

        assert caught.value.exit_code == 1
        assert str(caught.value) == "Smoke checks failed in local: proxy (1 of 4 failed)."
        result = checked(lines)
        assert result[CHECKS[0]] == ("PASS", "403")  # the gateway still guards the route
        assert result[CHECKS[1]] == ("PASS", "403")
        assert result[CHECKS[3]] == ("PASS", "400")  # and validates the body
        verdict, status = result["predict-with-api-key"]
        assert verdict == "FAIL" and status.startswith("5")
        (line,) = [line for line in lines if line.startswith("FAIL")]
        assert "expected status 200, got 5" in line and line.endswith("(attempt 3)")

        done = invoke("smoke", "--stack=proxy")
        assert done.returncode == 1
        assert "FAIL predict-with-api-key 5" in done.stdout
        assert done.stderr.strip() == "Error: Smoke checks failed in local: proxy (1 of 4 failed)."
        assert "Traceback" not in done.stderr
    finally:
        local.deploy("proxy", out=lambda line: None, overrides=proxy)

    assert smoke.run("proxy", catalog.LOCAL, out=lambda line: None).passed  # repaired


def test_smoke_of_a_stack_that_is_not_deployed_says_so(tmp_path):
    done = invoke("smoke", "--stack=proxy", AIGW_STATE_DIR=str(tmp_path))

    assert done.returncode == 1
    assert done.stderr.strip() == (
        "Error: proxy is not deployed to local: it has no outputs; deploy it with "
        "`invoke deploy --stack=proxy`."
    )


def test_smoke_with_a_wrong_name_is_a_usage_error(tmp_path):
    done = invoke("smoke", "--stack=nope", AIGW_STATE_DIR=str(tmp_path))
    assert done.returncode == 2
    assert "Unknown stack 'nope'" in done.stderr


def test_a_failing_schema_names_the_field_and_never_the_key(proxy):
    text = smoke.smoke_file("proxy").read_text(encoding="utf-8")
    stricter = text.replace("enum: [positive, negative, neutral]", "enum: [negative, neutral]")
    checks, problems = smoke.parse(yaml.safe_load(stricter))
    assert problems == [] and stricter != text
    outputs = local.outputs("proxy")
    lines: list[str] = []

    caller = smoke.caller_of("proxy", catalog.LOCAL, outputs)
    keyed = [c for c in checks if c.name == CHECKS[2]]

    result = smoke.run_checks(keyed, outputs, caller=caller, out=lines.append)

    assert not result.passed
    (line,) = lines
    assert line.startswith(f"FAIL {CHECKS[2]} 200 ")
    assert ": predictions[0].label: 'positive' is not one of ['negative', 'neutral']" in line
    assert outputs["apiKey"].value not in line


def model_overrides(stack: str, model_url: str) -> dict[str, str]:
    """The config that points a stack at the local model endpoint at `model_url`."""
    if stack == "versions":
        versions = {v: f"{model_url}/{v}/invocations" for v in ("v1", "v2")}
        return {"versions:modelVersions": json.dumps(versions), "versions:liveVersion": "v1"}
    return {f"{stack}:model": json.dumps({"type": "http", "url": f"{model_url}/invocations"})}


# A value of each file and one the deployed stack never answers: the check that holds it fails.
WRONG = {
    "global": ("const: positive", "const: negative", "ai-answers-with-its-region"),
    "orchestration": ("const: ok", "const: down", "health"),
    "versions": ("const: v1", "const: v3", "v1-stage-answers-from-v1"),
    "workflows": ("const: 1}", "const: 7}", "run-review-digest"),
}


@pytest.mark.parametrize("stack", sorted(WRONG))
def test_every_stacks_smoke_file_passes_against_its_deployment(
    stack, emulator_server, model_server
):
    local.deploy(stack, out=lambda line: None, overrides=model_overrides(stack, model_server.url))
    try:
        lines: list[str] = []
        result = smoke.run(stack, catalog.LOCAL, out=lines.append)
        assert result.passed, lines
        assert len(result.checks) == len(smoke.load(stack)) >= 2
        # Each file proves that a request without credentials is refused, and that request is
        # really refused: 401 or 403, never skipped (no stack is open locally either).
        refusals = [c.name for c in smoke.load(stack) if c.proves_refusal]
        assert refusals and all(checked(lines)[name][1] in ("401", "403") for name in refusals)

        old, new, name = WRONG[stack]
        text = smoke.smoke_file(stack).read_text(encoding="utf-8")
        assert text.count(old) == 1
        checks, problems = smoke.parse(yaml.safe_load(text.replace(old, new)))
        lines = []
        outputs = local.outputs(stack)
        wrong = smoke.run_checks(
            [c for c in checks if c.name == name],
            outputs,
            caller=smoke.caller_of(stack, catalog.LOCAL, outputs),
            out=lines.append,
        )
        assert not wrong.passed
        assert " was expected, got " in lines[0] and lines[0].startswith(f"FAIL {name} 200 ")
    finally:
        local.destroy(stack, out=lambda line: None)
