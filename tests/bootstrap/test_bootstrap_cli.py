"""`invoke bootstrap` outside local: the Pulumi CLI through the Automation API (a fake `pulumi`
on PATH, tests/cloud/fake_pulumi.py, logging every call), with the policy pack; and the task's
arguments. The bootstrap is never a pattern stack: no other task reaches it."""

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
from shared.ops import bootstrap

ROLE_ARN = "arn:aws:iam::210987654321:role/aigw-bootstrap/deploy-role-1a2b3c4"
BACKEND = "s3://pulumi-state-5e6f7a8"
SECRETS = "awskms://alias/aigw-pulumi-prod?region=eu-west-1"


def invoke(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=catalog.REPO_ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def project(fake_pulumi_cli, tmp_path, monkeypatch) -> Path:
    """A copy of bootstrap/ whose prod file names a repository, as the catalog's bootstrap; the
    fake CLI's `up` answers the outputs a bootstrap stack has."""
    copy = tmp_path / "bootstrap"
    shutil.copytree(catalog.BOOTSTRAP_DIR, copy)
    prod = copy / "Pulumi.prod.yaml"
    prod.write_text(
        prod.read_text().replace("<owner>/<repository>", "acme/ai-gateway"), encoding="utf-8"
    )
    monkeypatch.setattr(catalog, "BOOTSTRAP_DIR", copy)
    settings = {
        "environment": "prod",
        "variables": {
            "AWS_REGION": "eu-west-1",
            "AWS_ROLE_ARN": ROLE_ARN,
            "PULUMI_BACKEND_URL": BACKEND,
            "PULUMI_SECRETS_PROVIDER": SECRETS,
        },
        "requiredReviewers": True,
    }
    monkeypatch.setenv("FAKE_PULUMI_OUTPUTS", json.dumps({"githubSettings": settings}))
    return copy


def test_aws_environment_runs_pulumi_up_with_the_policy_pack(project, fake_pulumi_cli):
    lines: list[str] = []
    bootstrap.run("prod", out=lines.append)

    ups = [c for c in fake_pulumi_cli.calls() if "up" in c["argv"]]
    assert len(ups) == 1
    argv = ups[0]["argv"]
    assert argv[argv.index("--policy-pack") + 1] == str(catalog.POLICY_PACK_DIR)
    assert argv[-2:] == ["--stack", "prod"]
    assert Path(ups[0]["cwd"]) == project
    assert lines[-6:] == [
        "GitHub settings to make (Settings > Environments):",
        "Environment prod: variable AWS_REGION = eu-west-1",
        f"Environment prod: variable AWS_ROLE_ARN = {ROLE_ARN}",
        f"Environment prod: variable PULUMI_BACKEND_URL = {BACKEND}",
        f"Environment prod: variable PULUMI_SECRETS_PROVIDER = {SECRETS}",
        "Environment prod: add required reviewers",
    ]


def test_the_shipped_stack_files_must_name_the_repository_first(fake_pulumi_cli):
    with pytest.raises(UserError) as refused:
        bootstrap.run("dev", out=lambda line: None)

    assert refused.value.exit_code == 2
    assert "aigw-bootstrap:githubRepository (<owner>/<repository>)" in str(refused.value)
    assert not [c for c in fake_pulumi_cli.calls() if "up" in c["argv"]]  # nothing ran


def test_a_refused_setting_stops_before_the_cli_runs(project, fake_pulumi_cli):
    prod = project / "Pulumi.prod.yaml"
    prod.write_text(
        prod.read_text() + "  aigw-bootstrap:githubEnvironment: prod*\n", encoding="utf-8"
    )

    with pytest.raises(UserError) as refused:
        bootstrap.run("prod", out=lambda line: None)

    assert refused.value.exit_code == 2
    assert "githubEnvironment: 'prod*' is not a GitHub environment name" in str(refused.value)
    assert not [c for c in fake_pulumi_cli.calls() if "up" in c["argv"]]


def test_an_unknown_environment_exits_2_with_the_valid_choices(tmp_path):
    result = invoke("bootstrap", "--env=qa", env={"AIGW_STATE_DIR": str(tmp_path)})

    assert result.returncode == 2
    assert "Valid environments: local, dev, staging, prod" in result.stderr
    assert "Traceback" not in result.stderr
    assert not any(tmp_path.iterdir())


def test_no_stack_task_reaches_the_bootstrap(tmp_path):
    # It is not under stacks/: `--stack=all` never includes it, and it cannot be named.
    assert catalog.BOOTSTRAP not in catalog.stack_names()
    assert catalog.BOOTSTRAP not in catalog.resolve_stacks(catalog.ALL_STACKS)
    result = invoke("destroy", "--stack=bootstrap", env={"AIGW_STATE_DIR": str(tmp_path)})

    assert result.returncode == 2
    assert "Unknown stack 'bootstrap'" in result.stderr
