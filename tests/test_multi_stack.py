"""`--stack=all` is honest: every stack's configuration is checked before any stack is applied,
and a stack failing half-way is reported with what was applied and what was not, never with
"Nothing was changed" when something was."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from shared import catalog
from shared.errors import UserError
from shared.ops import commands, local


def quiet(line: str) -> None:
    pass


@pytest.fixture
def own_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = tmp_path / "state"
    monkeypatch.setenv("AIGW_STATE_DIR", str(state))
    return state


def copy_of_the_stacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    stacks = tmp_path / "stacks"
    shutil.copytree(catalog.STACKS_DIR, stacks)
    monkeypatch.setattr(catalog, "STACKS_DIR", stacks)
    return stacks


def test_a_bad_value_in_one_stack_stops_all_before_any_is_deployed(
    tmp_path, monkeypatch, own_state
):
    stacks = copy_of_the_stacks(tmp_path, monkeypatch)
    config = stacks / "versions" / "Pulumi.local.yaml"
    config.write_text(config.read_text() + "  versions:burstLimit: many\n")

    with pytest.raises(UserError) as raised:
        commands.deploy("all", "local", out=quiet)

    message = str(raised.value)
    assert raised.value.exit_code == 2
    assert "Invalid configuration for stack 'versions'" in message
    assert "versions:burstLimit" in message
    assert message.endswith("Nothing was changed.")
    assert message.count("Nothing was changed") == 1
    # No emulator started, no engine state written, for any stack (the programs' runs on mocks
    # package the functions' code under build/, which changes nothing deployed).
    assert not (own_state / "emulator").exists()
    assert not (own_state / "engine").exists()


def test_every_broken_stack_is_reported_at_once(tmp_path, monkeypatch, own_state):
    stacks = copy_of_the_stacks(tmp_path, monkeypatch)
    proxy = stacks / "proxy" / "Pulumi.local.yaml"
    proxy.write_text(proxy.read_text() + "  prxy:planRateLimit: 5\n")  # a key problem
    workflows = stacks / "workflows" / "Pulumi.local.yaml"
    workflows.write_text(workflows.read_text() + "  workflows:rateLimit: -1\n")  # a value problem

    with pytest.raises(UserError) as raised:
        commands.preview("all", "local", out=quiet)

    message = str(raised.value)
    assert "prxy:planRateLimit" in message
    assert "workflows:rateLimit" in message
    assert message.count("Nothing was changed") == 1


# Three small projects, deployed in name order: the middle one plans well but fails when
# applied (a permission on a function that does not exist), after the first was deployed.
VALID_CONFIG = "config:\n  aws:region: us-east-1\n"
PROGRAMS = {
    "multi-a": 'aws.cloudwatch.LogGroup("logs", retention_in_days=1)',
    "multi-b": (
        'aws.lambda_.Permission("invoke", action="lambda:InvokeFunction", '
        'function="no-such-function", principal="s3.amazonaws.com")'
    ),
    "multi-c": 'aws.cloudwatch.LogGroup("logs", retention_in_days=1)',
}


@pytest.fixture
def three_projects(tmp_path, monkeypatch, emulator_server):
    stacks = tmp_path / "stacks"
    for name, resource in PROGRAMS.items():
        folder = stacks / name
        folder.mkdir(parents=True)
        (folder / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n")
        (folder / "Pulumi.local.yaml").write_text(VALID_CONFIG)
        (folder / "__main__.py").write_text(
            textwrap.dedent(
                f"""\
                import pulumi_aws as aws

                {resource}
                """
            )
        )
    monkeypatch.setattr(catalog, "STACKS_DIR", stacks)
    try:
        yield stacks
    finally:
        for name in PROGRAMS:
            (stacks / name / "Pulumi.local.yaml").write_text(VALID_CONFIG)  # a test broke one
            if local.is_deployed(name):
                local.destroy(name, out=quiet)


def test_a_stack_failing_half_way_says_what_was_deployed_and_what_was_not(three_projects):
    with pytest.raises(UserError) as raised:
        commands.deploy("all", "local", out=quiet)

    message = str(raised.value)
    assert "aws:lambda/permission:Permission 'invoke'" in message
    assert "Nothing was changed" not in message  # multi-a was deployed
    assert message.endswith("Deployed: multi-a. Not deployed: multi-b (failed), multi-c.")
    assert [name for name in PROGRAMS if local.is_deployed(name)] == ["multi-a"]


def test_what_the_engine_would_refuse_in_one_stack_stops_all_before_any_is_deployed(
    three_projects,
):
    """The check before a local multi-stack run is each stack's own plan: it refuses what the
    engine cannot apply (a type, an input), not only bad configuration values."""
    (three_projects / "multi-c" / "__main__.py").write_text(
        'import pulumi_aws as aws\n\naws.ec2.Vpc("network", cidr_block="10.0.0.0/16")\n'
    )

    with pytest.raises(UserError) as raised:
        commands.deploy("all", "local", out=quiet)

    message = str(raised.value)
    assert "aws:ec2/vpc:Vpc" in message and message.endswith("Nothing was changed.")
    assert not any(local.is_deployed(name) for name in PROGRAMS)


def test_a_broken_stack_file_stops_a_destroy_of_all_before_any_is_destroyed(three_projects):
    local.deploy("multi-a", out=quiet)
    config = three_projects / "multi-c" / "Pulumi.local.yaml"
    config.write_text("config:\n  aws:regoin: us-east-1\n")

    with pytest.raises(UserError) as raised:
        commands.destroy("all", "local", out=quiet)

    assert "aws:regoin" in str(raised.value)
    assert str(raised.value).endswith("Nothing was changed.")
    assert local.is_deployed("multi-a")


def test_refresh_of_all_refreshes_the_stacks_with_state_and_says_which_had_none(three_projects):
    local.deploy("multi-a", out=quiet)
    lines: list[str] = []

    commands.refresh("all", out=lines.append)

    without = [name for name in PROGRAMS if not local.has_state(name)]
    assert "multi-c" in without  # never deployed (multi-b may keep the state of a failed run)
    assert f"No local state, nothing to refresh: {', '.join(without)}." in lines
    assert any(line.startswith("Refreshed multi-a:") for line in lines)


def test_a_protected_resource_stops_a_destroy_of_all_before_any_is_destroyed(three_projects):
    """Pulumi never deletes a protected resource; a multi-stack destroy checks every stack
    first, so the stacks before the protected one are not destroyed either."""
    program = three_projects / "multi-c" / "__main__.py"
    program.write_text(
        "import pulumi\nimport pulumi_aws as aws\n\n"
        'aws.cloudwatch.LogGroup("logs", retention_in_days=1, '
        "opts=pulumi.ResourceOptions(protect=True))\n"
    )
    local.deploy("multi-a", out=quiet)
    local.deploy("multi-c", out=quiet)

    with pytest.raises(UserError) as raised:
        commands.destroy("all", "local", out=quiet)

    assert "logs" in str(raised.value) and str(raised.value).endswith("Nothing was changed.")
    assert local.is_deployed("multi-a") and local.is_deployed("multi-c")
    program.write_text(PROGRAM_WITHOUT_PROTECT)  # protect off, so the fixture can destroy it
    local.deploy("multi-c", out=quiet)


PROGRAM_WITHOUT_PROTECT = f"import pulumi_aws as aws\n\n{PROGRAMS['multi-c']}\n"
