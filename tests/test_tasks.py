"""The `invoke` command line as users type it: exit codes, one clear message, no traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shared import catalog
from shared.errors import UserError
from shared.ops import commands, placeholders
from tests.conftest import fake_pulumi_environment

REPO = catalog.REPO_ROOT


def invoke(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def fake_pulumi_on_path(tmp_path: Path) -> dict[str, str]:
    # No other `pulumi` can be found: only this Python's folder and the system's follow.
    return fake_pulumi_environment(
        tmp_path, rest_of_path=f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["deploy", "--stack=nope"],
            "Valid stacks: global, orchestration, proxy, versions, workflows, all",
        ),
        (["deploy", "--stack=proxy", "--env=qa"], "Valid environments: local, dev, staging, prod"),
        (["deploy"], "Choose a stack with --stack"),
        (["destroy", "--stack=nope"], "Valid stacks:"),
        (["preview", "--stack=proxy", "--env=production"], "Unknown environment 'production'"),
    ],
)
def test_wrong_names_exit_2_with_the_valid_choices(args, expected, tmp_path):
    result = invoke(*args, env={"AIGW_STATE_DIR": str(tmp_path)})

    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not any(tmp_path.iterdir())  # nothing was written


def test_cloud_env_without_the_pulumi_cli_says_how_to_install_it(tmp_path):
    path = f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin"
    assert shutil.which("pulumi", path=path) is None

    result = invoke("deploy", "--stack=proxy", "--env=dev", env={"PATH": path})

    assert result.returncode == 1
    assert "Pulumi CLI is not installed" in result.stderr
    assert "pulumi.com/docs/install" in result.stderr
    assert "Traceback" not in result.stderr


def test_cloud_env_deploys_through_the_automation_api(tmp_path):
    env = fake_pulumi_on_path(tmp_path)

    result = invoke("deploy", "--stack=proxy", "--env=dev", env=env)

    assert result.returncode == 0, result.stderr
    assert "Deployed proxy to dev" in result.stdout
    calls = [json.loads(line) for line in Path(env["FAKE_PULUMI_LOG"]).read_text().splitlines()]
    ups = [c for c in calls if "up" in c["argv"]]
    assert len(ups) == 1
    assert Path(ups[0]["cwd"]) == REPO / "stacks" / "proxy"
    assert ups[0]["argv"][ups[0]["argv"].index("--stack") + 1] == "dev"


@pytest.mark.parametrize(
    ("config", "keys"),
    [
        # The file's keys are checked first, against Pulumi.yaml, before any program runs...
        ("  proxy:unknownThing: 1\n  prxy:planRateLimit: 5\n", ["proxy:unknownThing", "prxy:"]),
        # ...then every value, by the program on mocks.
        (
            "  proxy:modelEndpoint: not-a-url\n  proxy:planRateLimit: fast\n",
            ["proxy:modelEndpoint", "proxy:planRateLimit"],
        ),
    ],
    ids=["keys", "values"],
)
def test_invalid_cloud_config_is_reported_before_the_cli_runs(tmp_path, monkeypatch, config, keys):
    stacks = tmp_path / "stacks"
    shutil.copytree(REPO / "stacks" / "proxy", stacks / "proxy")
    (stacks / "proxy" / "Pulumi.dev.yaml").write_text("config:\n" + config)
    monkeypatch.setattr(catalog, "STACKS_DIR", stacks)
    env = fake_pulumi_on_path(tmp_path)
    monkeypatch.setenv("PATH", env["PATH"])
    monkeypatch.setenv("FAKE_PULUMI_LOG", env["FAKE_PULUMI_LOG"])

    with pytest.raises(UserError) as raised:
        commands.deploy("proxy", "dev", out=lambda line: None)

    message = str(raised.value)
    assert raised.value.exit_code == 2
    for key in keys:
        assert key in message
    assert "Nothing was changed" in message
    assert not Path(env["FAKE_PULUMI_LOG"]).exists()  # the CLI was never called


@pytest.mark.parametrize("flag", ["--routes=ten", "--clients=0", "--routes=1,,-5"])
def test_bench_counts_that_are_not_positive_numbers_exit_2(flag, tmp_path):
    result = invoke("bench", flag, env={"AIGW_STATE_DIR": str(tmp_path)})

    assert result.returncode == 2
    assert "Expected positive numbers separated by commas" in result.stderr
    assert "Traceback" not in result.stderr
    assert not any(tmp_path.iterdir())  # nothing was started or written


def test_reset_and_refresh_are_tasks():
    listed = invoke("--list").stdout.split()

    assert {"reset", "refresh", "bench"} <= set(listed)


# --- documentation placeholders ----------------------------------------------------------------


@pytest.mark.parametrize("command", ["deploy", "preview"])
def test_placeholders_of_an_aws_env_are_refused_before_the_cli_runs(command, tmp_path):
    """global's prod file ships with a documentation domain and zone id: kept valid for the
    tests under mocks, refused for a deploy, naming each key a team must set."""
    stack_file = REPO / "stacks" / "global" / "Pulumi.prod.yaml"
    hits = placeholders.found(stack_file.parent, "prod")
    assert {"global:domainName", "global:hostedZoneId"} <= {key for key, _ in hits}
    env = fake_pulumi_on_path(tmp_path)

    result = invoke(command, "--stack=global", "--env=prod", env=env)

    assert result.returncode == 2, result.stdout + result.stderr
    first, *rest = result.stderr.strip().removeprefix("Error: ").splitlines()
    assert first == placeholders.refusal("global", "prod", hits)
    assert "global:domainName (ai.example.com)" in first and "global:hostedZoneId" in first
    assert rest == ["Nothing was changed."]
    assert "Traceback" not in result.stderr
    assert not Path(env["FAKE_PULUMI_LOG"]).exists()  # the CLI was never called


def test_placeholders_nested_in_values_are_named_by_their_path(tmp_path, monkeypatch):
    stacks = tmp_path / "stacks"
    shutil.copytree(REPO / "stacks" / "proxy", stacks / "proxy")
    (stacks / "proxy" / "Pulumi.dev.yaml").write_text(
        (REPO / "stacks" / "proxy" / "Pulumi.dev.yaml").read_text()
        + '  aws:allowedAccountIds: ["123456789012"]\n'
        + "  aws:defaultTags:\n    tags: {owner: ops@example.org, team: ml}\n"
    )
    monkeypatch.setattr(catalog, "STACKS_DIR", stacks)
    env = fake_pulumi_on_path(tmp_path)
    monkeypatch.setenv("PATH", env["PATH"])
    monkeypatch.setenv("FAKE_PULUMI_LOG", env["FAKE_PULUMI_LOG"])

    with pytest.raises(UserError) as raised:
        commands.deploy("proxy", "dev", out=lambda line: None)

    assert raised.value.exit_code == 2
    assert "set aws:allowedAccountIds[0] (123456789012), aws:defaultTags.tags.owner " in str(
        raised.value
    )
    assert "team" not in str(raised.value)
    assert not Path(env["FAKE_PULUMI_LOG"]).exists()


def test_destroy_is_never_refused_for_placeholders(tmp_path):
    env = fake_pulumi_on_path(tmp_path)

    result = invoke("destroy", "--stack=global", "--env=prod", env=env)

    assert result.returncode == 0, result.stderr
    assert "Nothing to destroy: global/prod has never been deployed." in result.stdout


@pytest.mark.parametrize(
    "value",
    [
        "https://sentiment.prod.models.example.com/invocations",
        "ai.example.com",
        "example.org",
        "ops@example.net",
        "https://models.example/invocations",  # the .example top-level domain (RFC 2606)
        "Z0000000EXAMPLE",
        "AKIAIOSFODNN7EXAMPLE",
        "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/sentiment",
        123456789012,
        "111122223333",
        "<your-hosted-zone-id>",
    ],
)
def test_documentation_placeholders_are_recognised(value):
    assert placeholders.is_placeholder(value)


@pytest.mark.parametrize(
    "value",
    [
        "https://models.acme.io/invocations",
        "sentiment-prod",
        "Z3P5QSUBK4POTI",
        "anthropic.claude-3-haiku-20240307-v1:0",
        "example",
        "an example model",
        "counterexample.com",
        "https://example.community/x",
        "1234567890123",
        500,
        True,
    ],
)
def test_real_values_are_not_placeholders(value):
    assert not placeholders.is_placeholder(value)
