"""The pack stops each violating program (tests/policy/programs/<rule>) before anything changes,
in both places it is enforced:
- locally: the engine with `policy_pack` refuses the plan, so nothing reaches the emulator and
  nothing is recorded;
- on the CLI path: shared.ops.cloud passes `--policy-pack <repo>/policy` to `pulumi`, the fake
  CLI (tests/cloud/fake_pulumi.py) runs the pack as the real one does and fails with its
  "Policies:" report, and the user reads one sentence naming the rule.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from shared import catalog
from shared.errors import UserError
from shared.local.emulator import REGION
from shared.local.engine import policy, tagged
from shared.local.engine.engine import Engine
from shared.local.engine.providers import Context
from shared.ops import cloud
from shared.ops.stack_files import project_name, stack_config

PROGRAMS = Path(__file__).parent / "programs"
# Rule -> the environment its program is checked in locally: the two rules that do not apply
# in `local` are checked by the engine with the program's dev config.
RULES = {
    "requires-credentials": "dev",
    "stage-logs-and-throttling": "local",
    "no-iam-wildcards": "local",
    "buckets-private-encrypted-versioned": "local",
    "tls-1-2-domains": "local",
    "supported-lambda-runtimes": "local",
    "function-timeout-below-integration": "local",
    "fixed-names-delete-before-replace": "local",
    "cloudfront-alias-no-health-check": "local",
    "bootstrap-before-logging": "dev",
}


def program_dir(rule: str) -> Path:
    return PROGRAMS / rule.replace("-", "_")


@pytest.mark.parametrize("rule", sorted(RULES))
def test_the_engine_stops_the_program_before_anything_changes(rule, emulator_server, tmp_path):
    """A mandatory rule refuses the plan: the emulator is never asked to create anything."""
    env = RULES[rule]
    directory = program_dir(rule)
    project = project_name(directory)
    lines: list[str] = []
    started: list[str] = []
    engine = Engine(
        directory,
        project,
        env,
        stack_config(directory, env),
        Context(emulator_server.url, REGION),
        tmp_path / "state" / project / f"{env}.json",
        out=lines.append,
        policy_pack=catalog.POLICY_PACK_DIR,
    )

    with pytest.raises(UserError) as refused:
        engine.up(before_apply=lambda: started.append("emulator"))

    message = str(refused.value)
    assert f"{rule}: " in message
    assert message.endswith("Nothing was changed.")
    assert not started  # the apply never began
    assert not engine.is_deployed()
    assert not lines  # no plan was shown: the check runs before
    assert tagged.tagged_resources(engine.ctx, tagged.stack_tags(project, env)) == []


def test_preview_is_refused_the_same_way(emulator_server, tmp_path):
    """`invoke preview --env=local` plans, so it is refused too."""
    directory = program_dir("no-iam-wildcards")
    engine = Engine(
        directory,
        project_name(directory),
        "local",
        stack_config(directory, "local"),
        Context(emulator_server.url, REGION),
        tmp_path / "state.json",
        policy_pack=catalog.POLICY_PACK_DIR,
    )
    with pytest.raises(UserError, match="no-iam-wildcards: .*'s3:\\*'"):
        engine.plan()


def test_without_a_pack_the_engine_checks_nothing(emulator_server, tmp_path):
    """The pack is the caller's choice (shared.ops.local passes the repository's)."""
    directory = program_dir("no-iam-wildcards")
    engine = Engine(
        directory,
        project_name(directory),
        "local",
        stack_config(directory, "local"),
        Context(emulator_server.url, REGION),
        tmp_path / "state.json",
    )
    assert engine.plan().has_changes


def test_local_stacks_use_the_repository_pack():
    """Every local deploy and preview of a stack is checked by policy/."""
    from shared.ops import local

    assert local.engine("proxy").policy_pack == catalog.POLICY_PACK_DIR


# -- the CLI path -----------------------------------------------------------------------------


@pytest.fixture
def stacks(fake_pulumi_cli, tmp_path, monkeypatch):
    """A temporary stacks/ the tests copy violating programs into (the fake CLI writes config
    into the project's stack files), and the fake `pulumi` first on PATH."""
    root = tmp_path / "stacks"
    root.mkdir()
    monkeypatch.setattr(catalog, "STACKS_DIR", root)
    return root


def policy_pack_arguments(calls: list[dict]) -> list[list[str]]:
    """The --policy-pack values of each up/preview call the fake logged."""
    found = []
    for call in calls:
        argv = call["argv"]
        if {"up", "preview"} & set(argv):
            found.append([argv[i + 1] for i, a in enumerate(argv) if a == "--policy-pack"])
    return found


@pytest.mark.parametrize("rule", sorted(RULES))
def test_the_cli_stops_the_program_with_one_sentence_naming_the_rule(rule, stacks, fake_pulumi_cli):
    """`pulumi preview --policy-pack policy` fails on a mandatory violation; the user sees the
    rule and its message, nothing else."""
    name = rule.replace("-", "_")
    shutil.copytree(program_dir(rule), stacks / name)

    with pytest.raises(UserError) as refused:
        cloud.preview(name, "dev", on_output=lambda _line: None)

    message = str(refused.value)
    assert message.startswith(f"The policy pack refused to preview {name}/dev: {rule}: ")
    assert message.count(". ") == 0 and message.endswith(".")  # one sentence
    assert policy_pack_arguments(fake_pulumi_cli.calls()) == [[str(catalog.POLICY_PACK_DIR)]]


def test_the_cli_refuses_an_update_before_applying(stacks, fake_pulumi_cli):
    """`pulumi up` with a violation records no update: the fake's state keeps no resources."""
    shutil.copytree(program_dir("supported-lambda-runtimes"), stacks / "runtimes")

    with pytest.raises(
        UserError, match="refused to deploy runtimes/dev: supported-lambda-runtimes"
    ):
        cloud.deploy("runtimes", "dev", on_output=lambda _line: None)

    assert policy_pack_arguments(fake_pulumi_cli.calls()) == [[str(catalog.POLICY_PACK_DIR)]]
    state = Path(fake_pulumi_cli.environment["FAKE_PULUMI_STATE"])
    recorded = json.loads((state / "policy-supported-lambda-runtimes.dev.json").read_text())
    assert not recorded.get("resources")
    assert not recorded.get("history")
    assert cloud.outputs("runtimes", "dev") == {}


def test_the_cli_checks_the_names_pulumi_aws_fills_in(stacks, fake_pulumi_cli):
    """The CLI hands resource rules the inputs after the provider's Check, so a name input the
    program left unset holds pulumi-aws's auto-name, which the program reads in the preview
    too: a log group named after an auto-named role has a fixed name, refused without
    delete_before_replace; a bucket named `ModelArtifacts` is auto-named
    `modelartifacts-<7 hex>` (pulumi-aws lower-cases bucket names), which is no fixed name."""
    shutil.copytree(PROGRAMS / "log_group_named_after_a_role", stacks / "logs")
    with pytest.raises(UserError) as refused:
        cloud.preview("logs", "dev", on_output=lambda _line: None)
    message = str(refused.value)
    assert "fixed-names-delete-before-replace: " in message
    assert "'/aigw/worker-" in message  # the role's auto-name, known in the preview

    shutil.copytree(PROGRAMS / "autonamed_bucket_with_capitals", stacks / "artifacts")
    cloud.preview("artifacts", "dev", on_output=lambda _line: None)
    assert policy_pack_arguments(fake_pulumi_cli.calls())[-1] == [str(catalog.POLICY_PACK_DIR)]


def test_a_stage_on_an_explicit_provider_is_checked_in_the_providers_region():
    """A stage registered with `aws.Provider(region="eu-north-1")` logs in eu-north-1; a
    bootstrap stack that set the CloudWatch role only in the default region (eu-west-1) does
    not cover it."""
    directory = PROGRAMS / "stage_on_an_explicit_provider"

    def bootstrap(regions: list[str]) -> Any:
        def read(project: str, stack: str) -> dict[str, tuple[Any, bool]] | None:
            if (project, stack) != ("aigw-bootstrap", "dev"):
                return None
            return {"apiGatewayLoggingRegions": (regions, False)}

        return read

    def found(regions: list[str]) -> list[str]:
        _pack, violations = policy.run_program(
            catalog.POLICY_PACK_DIR,
            directory,
            project=project_name(directory),
            stack="dev",
            config=stack_config(directory, "dev"),
            stack_outputs=bootstrap(regions),
        )
        return [v.describe() for v in violations]

    [refused] = found(["eu-west-1"])
    assert refused.startswith("bootstrap-before-logging: ") and "eu-north-1" in refused
    assert found(["eu-north-1", "eu-west-1"]) == []
