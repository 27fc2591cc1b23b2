"""shared.ops.cloud against a fake `pulumi` CLI (tests/cloud/fake_pulumi.py) placed on PATH by
tests/conftest.py's `fake_pulumi_cli`.

The fake answers the exact commands the Automation API runs and logs every call, so these
tests check what reaches the CLI (argv, work dir, environment) and what comes back.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from shared import catalog
from shared.errors import UserError
from shared.ops import cloud
from shared.ops.outputs import StackOutput

PROJECT = "demo"


@pytest.fixture
def fake(fake_pulumi_cli, tmp_path, monkeypatch):
    """A fake `pulumi` first on PATH, a fake project under a temporary stacks/, a file backend."""
    stacks = tmp_path / "stacks"
    project = stacks / PROJECT
    project.mkdir(parents=True)
    (project / "Pulumi.yaml").write_text(f"name: {PROJECT}\nruntime: python\n")
    (project / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    monkeypatch.setattr(catalog, "STACKS_DIR", stacks)
    for name in (
        "PULUMI_CONFIG_PASSPHRASE_FILE",
        "PULUMI_SKIP_UPDATE_CHECK",
        "PULUMI_HOME",
        "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK",
        "FAKE_PULUMI_VERSION",
    ):
        monkeypatch.delenv(name, raising=False)

    class Fake:
        dir = project
        tmp = tmp_path
        calls = staticmethod(fake_pulumi_cli.calls)

        @classmethod
        def commands(cls) -> list[list[str]]:
            """argv of each call without the leading --non-interactive."""
            return [[a for a in c["argv"] if a != "--non-interactive"] for c in cls.calls()]

        @classmethod
        def find(cls, *prefix: str) -> list[dict]:
            return [
                c
                for c, argv in zip(cls.calls(), cls.commands(), strict=True)
                if argv[: len(prefix)] == list(prefix)
            ]

    return Fake


def quiet(_line: str) -> None:
    pass


# --- deploy --------------------------------------------------------------------------------


def test_deploy_runs_up_in_the_project_dir_with_env_as_stack_and_returns_flagged_outputs(fake):
    result = cloud.deploy(PROJECT, "dev", on_output=quiet)

    assert set(result) == {"url", "apiKey"}
    assert result["url"].secret is False
    assert result["url"].value.startswith("https://")
    assert ".execute-api.eu-west-1.amazonaws.com/dev" in result["url"].value
    assert result["apiKey"].secret is True
    assert result["apiKey"].value.startswith("key-")  # the value itself, not "[secret]"

    commands = fake.commands()
    assert commands[0] == ["version"]
    assert ["stack", "select", "--stack", "dev"] in commands  # not found yet, so...
    assert ["stack", "init", "dev"] in commands  # ...created, named after the environment
    (up,) = fake.find("up")
    assert up["argv"][:4] == ["--non-interactive", "up", "--yes", "--skip-preview"]
    assert up["argv"][-2:] == ["--stack", "dev"]
    for call in fake.calls()[1:]:  # every command after `pulumi version` runs in the project
        assert Path(call["cwd"]) == fake.dir


def test_second_deploy_selects_the_existing_stack(fake):
    cloud.deploy(PROJECT, "dev", on_output=quiet)
    before = len(fake.calls())
    cloud.deploy(PROJECT, "dev", on_output=quiet)

    again = fake.commands()[before:]
    assert ["stack", "select", "--stack", "dev"] in again
    assert not any(argv[:2] == ["stack", "init"] for argv in again)
    assert len(fake.find("up")) == 2


def test_deploy_streams_output_while_the_cli_runs(fake, monkeypatch):
    # The fake prints its first line, then waits for this file; only a caller that receives
    # lines while the process still runs can create it (otherwise the fake fails the update).
    handshake = fake.tmp / "first-line-seen"
    monkeypatch.setenv("FAKE_PULUMI_HANDSHAKE", str(handshake))
    lines: list[str] = []

    def on_output(line: str) -> None:
        lines.append(line)
        if line.startswith("Updating (dev)"):
            handshake.touch()

    cloud.deploy(PROJECT, "dev", on_output=on_output)

    assert handshake.exists()
    assert lines[0] == "Updating (dev):"
    assert any("+ 3 created" in line for line in lines)
    assert any(line.strip() == "apiKey: [secret]" for line in lines)  # the CLI's own masking


def test_extra_config_is_set_as_plain_config_before_up(fake):
    cloud.deploy(
        PROJECT, "dev", on_output=quiet, extra_config={f"{PROJECT}:deployedCommit": "abc1234"}
    )

    commands = fake.commands()
    set_all = commands.index(
        ["config", "set-all", "--stack", "dev", "--plaintext", f"{PROJECT}:deployedCommit=abc1234"]
    )
    assert set_all < next(i for i, argv in enumerate(commands) if argv[0] == "up")
    config = yaml.safe_load((fake.dir / "Pulumi.dev.yaml").read_text())["config"]
    assert config == {"aws:region": "eu-west-1", f"{PROJECT}:deployedCommit": "abc1234"}


# --- preview -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "version",
    ["v3.272.0", "v3.200.0"],
    ids=["events-over-grpc", "events-in-a-log-file"],
)
def test_preview_counts_operations_and_keeps_the_diff(fake, monkeypatch, version):
    # CLIs after 3.205 stream engine events over gRPC, older ones write an event-log file.
    monkeypatch.setenv("FAKE_PULUMI_VERSION", version)
    lines: list[str] = []

    summary = cloud.preview(PROJECT, "dev", on_output=lines.append)

    assert (summary.create, summary.update, summary.replace, summary.delete, summary.same) == (
        3,
        0,
        0,
        0,
        0,
    )
    assert summary.has_changes
    assert "+  aws:apigateway/restApi:RestApi: (create)" in summary.diff
    assert lines and lines[0] == "Previewing update (dev):"
    (call,) = fake.find("preview")
    assert "--diff" in call["argv"]
    event_log = call["argv"][call["argv"].index("--event-log") + 1]
    assert event_log.startswith("tcp://") == (version == "v3.272.0")


def test_preview_after_a_config_change_shows_the_update(fake):
    cloud.deploy(PROJECT, "dev", on_output=quiet)
    assert not cloud.preview(PROJECT, "dev", on_output=quiet).has_changes

    (fake.dir / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-2\n")
    summary = cloud.preview(PROJECT, "dev", on_output=quiet)

    assert (summary.update, summary.same, summary.create) == (1, 2, 0)
    assert "~  aws:apigateway/restApi:RestApi: (update)" in summary.diff
    assert '~ description: "previous config" => "current config"' in summary.diff


# --- destroy and outputs -------------------------------------------------------------------


def test_outputs_reads_the_last_update_with_secrets_flagged(fake):
    deployed = cloud.deploy(PROJECT, "dev", on_output=quiet)
    before = len(fake.calls())

    assert cloud.outputs(PROJECT, "dev") == deployed
    assert cloud.outputs(PROJECT, "dev")["apiKey"] == StackOutput(deployed["apiKey"].value, True)
    read = fake.commands()[before:]
    assert ["stack", "output", "--json", "--stack", "dev"] in read
    assert ["stack", "output", "--json", "--show-secrets", "--stack", "dev"] in read
    assert not any(argv[0] in ("up", "preview", "destroy", "config") for argv in read)


def test_outputs_of_a_never_deployed_env_is_a_user_error_and_creates_nothing(fake):
    with pytest.raises(UserError, match=r"demo/staging has never been deployed"):
        cloud.outputs(PROJECT, "staging")
    assert not fake.find("stack", "init")


def test_destroy_removes_the_resources_and_keeps_the_stack(fake):
    cloud.deploy(PROJECT, "dev", on_output=quiet)
    lines: list[str] = []

    cloud.destroy(PROJECT, "dev", on_output=lines.append)

    (call,) = fake.find("destroy")
    assert call["argv"][1:4] == ["destroy", "--skip-preview", "--yes"]
    assert call["argv"][-2:] == ["--stack", "dev"]
    assert Path(call["cwd"]) == fake.dir
    assert lines[0] == "Destroying (dev):"
    assert any("- 3 deleted" in line for line in lines)
    assert cloud.outputs(PROJECT, "dev") == {}


def test_destroy_of_a_never_created_stack_does_nothing(fake):
    lines: list[str] = []
    cloud.destroy(PROJECT, "prod", on_output=lines.append)

    assert lines == ["Nothing to destroy: demo/prod has never been deployed."]
    assert not fake.find("destroy")
    assert not fake.find("stack", "init")


# --- environment passed to the CLI ---------------------------------------------------------


def test_backend_url_and_passphrase_reach_every_cli_command(fake, monkeypatch):
    monkeypatch.setenv("PULUMI_BACKEND_URL", "s3://team-pulumi-state/ai-gateway")
    cloud.deploy(PROJECT, "dev", on_output=quiet)
    cloud.outputs(PROJECT, "dev")

    calls = fake.calls()
    assert len(calls) > 5
    for call in calls:
        assert call["env"]["PULUMI_BACKEND_URL"] == "s3://team-pulumi-state/ai-gateway"
        assert call["passphrase_set"] is True
        assert call["env"]["PULUMI_SKIP_UPDATE_CHECK"] == "true"
        assert "PULUMI_HOME" not in call["env"]  # the user's login in ~/.pulumi stays in use


def test_passphrase_file_and_pulumi_home_of_the_user_are_passed_through(fake, monkeypatch):
    secret_file = fake.tmp / "passphrase.txt"
    secret_file.write_text("from a file\n")
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE")
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", str(secret_file))
    monkeypatch.setenv("PULUMI_HOME", str(fake.tmp / "my-pulumi-home"))
    monkeypatch.setenv("PULUMI_SKIP_UPDATE_CHECK", "false")

    cloud.deploy(PROJECT, "dev", on_output=quiet)

    for call in fake.calls():
        assert call["passphrase_set"] is False
        assert call["env"]["PULUMI_CONFIG_PASSPHRASE_FILE"] == str(secret_file)
        assert call["env"]["PULUMI_HOME"] == str(fake.tmp / "my-pulumi-home")
    # The user's choice wins (the SDK's own `pulumi version` check always skips it).
    assert [c["env"]["PULUMI_SKIP_UPDATE_CHECK"] for c in fake.calls()[1:]] == ["false"] * (
        len(fake.calls()) - 1
    )


def test_without_backend_url_the_cli_uses_its_own_login(fake, monkeypatch):
    monkeypatch.delenv("PULUMI_BACKEND_URL")
    cloud.deploy(PROJECT, "dev", on_output=quiet)

    assert all("PULUMI_BACKEND_URL" not in call["env"] for call in fake.calls())


# --- failures ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "operation",
    [
        lambda: cloud.deploy(PROJECT, "dev", on_output=quiet),
        lambda: cloud.preview(PROJECT, "dev", on_output=quiet),
        lambda: cloud.destroy(PROJECT, "dev", on_output=quiet),
        lambda: cloud.outputs(PROJECT, "dev"),
    ],
    ids=["deploy", "preview", "destroy", "outputs"],
)
def test_missing_cli_says_how_to_install_it(fake, monkeypatch, operation):
    empty = fake.tmp / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))

    with pytest.raises(UserError) as caught:
        operation()

    message = str(caught.value)
    assert message.startswith("The Pulumi CLI is not installed")
    assert "https://www.pulumi.com/docs/install/" in message
    assert "--env=local" in message
    assert fake.calls() == []


@pytest.mark.parametrize("kind", ["concurrent", "locked"])
@pytest.mark.parametrize(
    "operation",
    [
        lambda: cloud.deploy(PROJECT, "dev", on_output=quiet),
        lambda: cloud.preview(PROJECT, "dev", on_output=quiet),
        lambda: cloud.destroy(PROJECT, "dev", on_output=quiet),
    ],
    ids=["deploy", "preview", "destroy"],
)
def test_concurrent_update_is_one_sentence(fake, monkeypatch, kind, operation):
    cloud.deploy(PROJECT, "dev", on_output=quiet)
    monkeypatch.setenv("FAKE_PULUMI_FAIL", kind)

    with pytest.raises(UserError) as caught:
        operation()

    assert str(caught.value) == (
        "Another update of demo/dev is in progress; wait for it or run "
        f"`pulumi cancel --stack dev` in {fake.dir}."
    )


def test_concurrent_update_names_the_repo_relative_project_dir(fake, monkeypatch):
    monkeypatch.setattr(catalog, "REPO_ROOT", fake.tmp)
    cloud.deploy(PROJECT, "dev", on_output=quiet)
    monkeypatch.setenv("FAKE_PULUMI_FAIL", "concurrent")

    with pytest.raises(UserError, match=r"run `pulumi cancel --stack dev` in stacks/demo\.$"):
        cloud.deploy(PROJECT, "dev", on_output=quiet)


def test_missing_passphrase_is_one_sentence_and_creates_nothing(fake, monkeypatch):
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE")

    with pytest.raises(UserError) as caught:
        cloud.deploy(PROJECT, "dev", on_output=quiet)

    assert str(caught.value) == (
        "Set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to the passphrase "
        "of the dev stack's secrets."
    )
    assert not fake.find("up")
    assert not (fake.tmp / "fake-state" / "demo.dev.json").exists()


def test_generic_failure_keeps_the_clis_meaningful_line(fake, monkeypatch):
    cloud.deploy(PROJECT, "dev", on_output=quiet)
    monkeypatch.setenv("FAKE_PULUMI_FAIL", "generic")

    with pytest.raises(UserError) as caught:
        cloud.deploy(PROJECT, "dev", on_output=quiet)

    message = str(caught.value)
    assert message.startswith("Pulumi could not deploy demo/dev: getting AWS account ID:")
    assert "InvalidClientTokenId" in message
    assert "update failed" not in message  # the CLI's closing line says nothing
    assert "\n" not in message
    assert "code:" not in message and "stdout:" not in message and "Traceback" not in message


def test_failure_reported_only_in_diagnostics_is_found_on_stdout(fake, monkeypatch):
    cloud.deploy(PROJECT, "dev", on_output=quiet)
    monkeypatch.setenv("FAKE_PULUMI_FAIL", "diagnostics")

    with pytest.raises(UserError) as caught:
        cloud.preview(PROJECT, "dev", on_output=quiet)

    assert str(caught.value).startswith(
        "Pulumi could not preview demo/dev: creating API Gateway REST API (api):"
    )
    assert "BadRequestException: Invalid API name" in str(caught.value)


def test_failed_update_leaves_the_deployed_outputs(fake, monkeypatch):
    deployed = cloud.deploy(PROJECT, "dev", on_output=quiet)
    monkeypatch.setenv("FAKE_PULUMI_FAIL", "generic")
    with pytest.raises(UserError):
        cloud.destroy(PROJECT, "dev", on_output=quiet)
    monkeypatch.delenv("FAKE_PULUMI_FAIL")

    assert cloud.outputs(PROJECT, "dev") == deployed


# --- arguments -----------------------------------------------------------------------------


def test_local_env_is_not_applied_through_the_cli(fake):
    with pytest.raises(UserError, match="local engine") as caught:
        cloud.deploy(PROJECT, "local", on_output=quiet)
    assert caught.value.exit_code == 2
    assert fake.calls() == []


def test_unknown_project_dir_is_a_user_error(fake):
    with pytest.raises(UserError, match="Pulumi.yaml is missing"):
        cloud.preview("nope", "dev", on_output=quiet)
    assert fake.calls() == []
