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

DEV_ROLE = "arn:aws:iam::210987654321:role/aigw-bootstrap/deploy-role-1a2b3c4"
PREVIEW_ROLE = "arn:aws:iam::210987654321:role/aigw-bootstrap/preview-role-5d6e7f8"
BUCKET = "pulumi-state-5e6f7a8"
SECRETS = "awskms://alias/aigw-pulumi-dev?region=eu-west-1"
# What the dev bootstrap stack exports (the fake CLI's `up` answers it): the state it owns.
DEV_OUTPUTS = {
    "stateBucket": BUCKET,
    "stateBucketArn": f"arn:aws:s3:::{BUCKET}",
    "secretsKeyArn": "arn:aws:kms:eu-west-1:210987654321:key/0f1e2d3c",
    "backendUrl": f"s3://{BUCKET}",
    "secretsProvider": SECRETS,
    "oidcProviderArn": (
        "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com"
    ),
    "apiGatewayLoggingRegions": ["eu-west-1", "us-east-1"],
    "githubSettings": {
        "repository": {
            "variables": {
                "AWS_REGION": "eu-west-1",
                "AWS_ROLE_ARN": PREVIEW_ROLE,
                "PULUMI_BACKEND_URL": f"s3://{BUCKET}",
                "PULUMI_SECRETS_PROVIDER": SECRETS,
            }
        },
        "environment": {
            "name": "dev",
            "variables": {"AWS_ROLE_ARN": DEV_ROLE},
            "requiredReviewers": False,
        },
    },
}


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
    """A copy of bootstrap/ whose stack files name a repository, as the catalog's bootstrap; the
    fake CLI's `up` answers what the dev bootstrap stack exports."""
    copy = tmp_path / "bootstrap"
    shutil.copytree(catalog.BOOTSTRAP_DIR, copy)
    for stack_file in copy.glob("Pulumi.*.yaml"):
        stack_file.write_text(
            stack_file.read_text().replace("<owner>/<repository>", "acme/ai-gateway"),
            encoding="utf-8",
        )
    monkeypatch.setattr(catalog, "BOOTSTRAP_DIR", copy)
    monkeypatch.setenv("FAKE_PULUMI_OUTPUTS", json.dumps(DEV_OUTPUTS))
    return copy


def test_aws_environment_runs_pulumi_up_with_the_policy_pack(project, fake_pulumi_cli):
    lines: list[str] = []
    bootstrap.run("dev", out=lines.append)

    ups = [c for c in fake_pulumi_cli.calls() if "up" in c["argv"]]
    assert len(ups) == 1
    argv = ups[0]["argv"]
    assert argv[argv.index("--policy-pack") + 1] == str(catalog.POLICY_PACK_DIR)
    assert argv[-2:] == ["--stack", "dev"]
    assert Path(ups[0]["cwd"]) == project
    assert lines[-7:-1] == [
        "GitHub settings to make:",
        "Repository variable AWS_REGION = eu-west-1",
        f"Repository variable AWS_ROLE_ARN = {PREVIEW_ROLE}",
        f"Repository variable PULUMI_BACKEND_URL = s3://{BUCKET}",
        f"Repository variable PULUMI_SECRETS_PROVIDER = {SECRETS}",
        f"Environment dev: variable AWS_ROLE_ARN = {DEV_ROLE}",
    ]
    # The first run's state is in a backend of its own (here the fixture's file backend): the
    # stacks' stack references read the bootstrap from the bucket it made.
    assert lines[-1].startswith(
        f"This bootstrap stack's state is in {fake_pulumi_cli.environment['PULUMI_BACKEND_URL']}"
        f", but the stacks read it from s3://{BUCKET}: move it there once"
    )


def test_no_move_is_asked_once_the_bootstrap_is_in_its_bucket(project, monkeypatch):
    monkeypatch.setenv("PULUMI_BACKEND_URL", f"s3://{BUCKET}?region=eu-west-1")
    lines: list[str] = []
    bootstrap.run("dev", out=lines.append)

    assert lines[-1] == f"Environment dev: variable AWS_ROLE_ARN = {DEV_ROLE}"


def test_a_later_environment_needs_the_state_owners_bootstrap_first(project, fake_pulumi_cli):
    with pytest.raises(UserError) as refused:
        bootstrap.run("prod", out=lambda line: None)
    assert refused.value.exit_code == 2
    assert "Run `invoke bootstrap --env=dev` first" in str(refused.value)
    assert not [c for c in fake_pulumi_cli.calls() if "up" in c["argv"]]

    bootstrap.run("dev", out=lambda line: None)
    bootstrap.run("prod", out=lambda line: None)
    ups = [c["argv"] for c in fake_pulumi_cli.calls() if "up" in c["argv"]]
    assert [argv[-1] for argv in ups] == ["dev", "prod"]


def test_the_shipped_stack_files_must_name_the_repository_first(fake_pulumi_cli):
    with pytest.raises(UserError) as refused:
        bootstrap.run("dev", out=lambda line: None)

    assert refused.value.exit_code == 2
    assert "aigw-bootstrap:githubRepository (<owner>/<repository>)" in str(refused.value)
    assert not [c for c in fake_pulumi_cli.calls() if "up" in c["argv"]]  # nothing ran


def test_a_refused_setting_stops_before_the_cli_runs(project, fake_pulumi_cli):
    dev = project / "Pulumi.dev.yaml"
    dev.write_text(dev.read_text() + "  aigw-bootstrap:githubEnvironment: dev*\n", encoding="utf-8")

    with pytest.raises(UserError) as refused:
        bootstrap.run("dev", out=lambda line: None)

    assert refused.value.exit_code == 2
    assert "githubEnvironment: 'dev*' is not a GitHub environment name" in str(refused.value)
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
    assert "bootstrap is the account's one-time set-up, not a pattern stack" in result.stderr
    assert "invoke bootstrap --env=<env>" in result.stderr and "Traceback" not in result.stderr
