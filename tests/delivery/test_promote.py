"""Promotion dev → staging through the fake `pulumi` CLI, from a temporary git repository:
allowed when dev runs HEAD and its smoke checks pass; refused, in one sentence, otherwise."""

from __future__ import annotations

import subprocess
import sys

import pytest

from shared import catalog
from shared.errors import UserError
from shared.ops import cloud, commands, promote, release

PROJECT = "demo"  # the project of the `repo` fixture


def quiet(_line: str) -> None:
    pass


def refusal(source: str = "dev", target: str = "staging") -> str:
    return f"Cannot promote {PROJECT} from {source} to {target}: "


def staging_ups(fake) -> list[list[str]]:
    return [argv for argv in fake.ran("up") if argv[-2:] == ["--stack", "staging"]]


def tag(fake_state_stack: str, fake, key: str) -> str:
    """A stack tag as the CLI reports it."""
    return cloud._open(PROJECT, fake_state_stack, create=False).get_tag(key)


# --- allowed -------------------------------------------------------------------------------


def test_dev_deployed_at_head_with_passing_smoke_checks_is_promoted(
    repo, fake_pulumi, service, git
):
    fake_pulumi.serve(f"{service}/predict")
    head = git(repo, "rev-parse", "HEAD")
    commands.deploy(PROJECT, "dev", out=quiet)
    assert ["stack", "tag", "set", release.COMMIT_TAG, head, "--stack", "dev"] in (
        fake_pulumi.calls()
    )
    lines: list[str] = []

    promote.promote(PROJECT, "dev", "staging", out=lines.append)

    assert len(staging_ups(fake_pulumi)) == 1
    assert any(line.startswith("PASS predict-with-key 200 ") for line in lines)
    assert any(line.startswith("PASS predict-without-key 403 ") for line in lines)
    assert f"Promoting {PROJECT} from dev to staging at {head[:12]}." in lines
    assert any(line.startswith(f"Deployed {PROJECT} to staging") for line in lines)
    assert tag("staging", fake_pulumi, release.COMMIT_TAG) == head
    assert tag("staging", fake_pulumi, release.DIRTY_TAG) == "false"
    assert release.recorded(PROJECT, "staging") == release.Release(head, False)
    assert cloud.outputs(PROJECT, "staging")["url"].value == f"{service}/predict"


def test_every_gate_is_checked_before_anything_is_deployed(repo, fake_pulumi, service, monkeypatch):
    fake_pulumi.serve(f"{service}/predict")
    commands.deploy(PROJECT, "dev", out=quiet)
    order: list[str] = []
    checked, deployed = promote.check_source, commands.deploy

    def spy_check(name, source, target, **kwargs):
        order.append(f"check {name} in {source}")
        return checked(name, source, target, **kwargs)

    def spy_deploy(name, env, **kwargs):
        order.append(f"deploy {name} to {env}")
        return deployed(name, env, **kwargs)

    monkeypatch.setattr(promote, "check_source", spy_check)
    monkeypatch.setattr(commands, "deploy", spy_deploy)
    promote.promote(PROJECT, "dev", "staging", out=quiet)

    assert order == [f"check {PROJECT} in dev", f"deploy {PROJECT} to staging"]


# --- refused -------------------------------------------------------------------------------


def test_refused_when_the_target_still_holds_documentation_placeholders(
    repo, fake_pulumi, service, git
):
    fake_pulumi.serve(f"{service}/predict")
    commands.deploy(PROJECT, "dev", out=quiet)
    staging = repo / "stacks" / PROJECT / "Pulumi.staging.yaml"
    staging.write_text("config:\n  aws:region: eu-west-1\n  demo:domain: ai.example.com\n")
    git(repo, "commit", "-q", "-am", "a staging domain still to be chosen")
    commands.deploy(PROJECT, "dev", out=quiet)  # dev at the new commit

    with pytest.raises(UserError) as caught:
        promote.promote(PROJECT, "dev", "staging", out=quiet)

    assert caught.value.exit_code == 2
    assert str(caught.value).startswith(refusal() + "demo's Pulumi.staging.yaml still holds")
    assert "set demo:domain (ai.example.com)" in str(caught.value)
    assert not staging_ups(fake_pulumi)


def test_refused_when_the_source_was_never_deployed(repo, fake_pulumi):
    with pytest.raises(UserError) as caught:
        promote.promote(PROJECT, "dev", "staging", out=quiet)

    assert caught.value.exit_code == 1
    assert str(caught.value) == (
        refusal() + f"{PROJECT}/dev has never been deployed, so it has no outputs; deploy it "
        f"with `invoke deploy --stack={PROJECT} --env=dev`."
    )
    assert not fake_pulumi.ran("up")
    assert not fake_pulumi.ran("stack", "init", "staging")


def test_refused_when_the_source_was_destroyed(repo, fake_pulumi, service):
    fake_pulumi.serve(f"{service}/predict")
    commands.deploy(PROJECT, "dev", out=quiet)
    commands.destroy(PROJECT, "dev", out=quiet)

    with pytest.raises(UserError, match=r"is not deployed to dev: it has no outputs; deploy it"):
        promote.promote(PROJECT, "dev", "staging", out=quiet)
    assert not staging_ups(fake_pulumi)


def test_refused_when_the_source_smoke_checks_fail(repo, fake_pulumi, closed_url):
    fake_pulumi.serve(f"{closed_url}/predict")  # dev answers nothing
    commands.deploy(PROJECT, "dev", out=quiet)
    lines: list[str] = []

    with pytest.raises(UserError) as caught:
        promote.promote(PROJECT, "dev", "staging", out=lines.append)

    assert caught.value.exit_code == 1
    assert str(caught.value) == (
        refusal() + "its smoke checks fail in dev (2 of 2: predict-without-key, predict-with-key)."
    )
    assert sum(line.startswith("FAIL ") for line in lines) == 2
    assert not staging_ups(fake_pulumi)


def test_refused_when_one_check_fails(repo, fake_pulumi, service, git):
    fake_pulumi.serve(f"{service}/predict")
    smoke_file = repo / "stacks" / PROJECT / "smoke.yaml"
    smoke_file.write_text(smoke_file.read_text().replace("[positive, negative", "[negative"))
    git(repo, "commit", "-qam", "stricter smoke check")
    commands.deploy(PROJECT, "dev", out=quiet)

    with pytest.raises(UserError, match=r"smoke checks fail in dev \(1 of 2: predict-with-key\)"):
        promote.promote(PROJECT, "dev", "staging", out=quiet)
    assert not staging_ups(fake_pulumi)


def test_refused_when_the_working_tree_moved_past_the_recorded_commit(
    repo, fake_pulumi, service, git
):
    fake_pulumi.serve(f"{service}/predict")
    deployed = git(repo, "rev-parse", "HEAD")
    commands.deploy(PROJECT, "dev", out=quiet)
    (repo / "stacks" / PROJECT / "__main__.py").write_text(
        'import pulumi\n\npulumi.export("url", "changed")\n'
    )
    git(repo, "commit", "-qam", "a change not yet in dev")
    head = git(repo, "rev-parse", "HEAD")

    with pytest.raises(UserError) as caught:
        promote.promote(PROJECT, "dev", "staging", out=quiet)

    assert str(caught.value) == (
        refusal() + f"dev runs {deployed[:12]} but the working tree is at {head[:12]}; "
        f"run `git checkout {deployed}` first."
    )
    assert not staging_ups(fake_pulumi)

    git(repo, "checkout", "-q", deployed)  # as the message says: then it is allowed
    promote.promote(PROJECT, "dev", "staging", out=quiet)
    assert len(staging_ups(fake_pulumi)) == 1


def test_refused_when_the_working_tree_has_uncommitted_changes(repo, fake_pulumi, service):
    fake_pulumi.serve(f"{service}/predict")
    commands.deploy(PROJECT, "dev", out=quiet)
    (repo / "stacks" / PROJECT / "notes.txt").write_text("not committed\n")

    with pytest.raises(UserError, match=r"the working tree has uncommitted changes; commit or"):
        promote.promote(PROJECT, "dev", "staging", out=quiet)
    assert not staging_ups(fake_pulumi)


def test_refused_when_the_source_was_deployed_from_a_dirty_tree(repo, fake_pulumi, service, git):
    fake_pulumi.serve(f"{service}/predict")
    config = repo / "stacks" / PROJECT / "Pulumi.dev.yaml"
    original = config.read_text()
    config.write_text(original + "  demo:experiment: 'true'\n")
    commands.deploy(PROJECT, "dev", out=quiet)  # records dirty=true
    config.write_text(original)  # the tree is clean again, but dev is not reproducible
    assert tag("dev", fake_pulumi, release.DIRTY_TAG) == "true"

    with pytest.raises(UserError) as caught:
        promote.promote(PROJECT, "dev", "staging", out=quiet)

    head = git(repo, "rev-parse", "HEAD")
    assert str(caught.value) == (
        refusal() + f"dev was deployed from {head[:12]} with uncommitted changes, which cannot "
        "be reproduced; commit them and deploy dev again."
    )
    assert not staging_ups(fake_pulumi)


def test_refused_when_the_source_recorded_no_commit(repo, fake_pulumi, service):
    fake_pulumi.serve(f"{service}/predict")
    cloud.deploy(PROJECT, "dev", on_output=quiet)  # deployed without recording (older tooling)

    with pytest.raises(UserError) as caught:
        promote.promote(PROJECT, "dev", "staging", out=quiet)

    assert str(caught.value) == (
        refusal() + "dev has no recorded commit; deploy it again with "
        f"`invoke deploy --stack={PROJECT} --env=dev` so that it records one."
    )


def test_refused_when_the_stack_has_no_smoke_checks(repo, fake_pulumi, service, git):
    fake_pulumi.serve(f"{service}/predict")
    git(repo, "rm", "-q", f"stacks/{PROJECT}/smoke.yaml")
    git(repo, "commit", "-qm", "no smoke checks")
    commands.deploy(PROJECT, "dev", out=quiet)

    with pytest.raises(UserError, match=r"demo has no smoke checks: write .*smoke\.yaml"):
        promote.promote(PROJECT, "dev", "staging", out=quiet)


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("dev", "prod", "dev promotes to staging only"),
        ("staging", "dev", "staging promotes to prod only"),
        ("local", "staging", "local promotes to dev only"),
        ("dev", "dev", "dev promotes to staging only"),
        ("prod", "staging", "prod is the last environment"),
    ],
)
def test_wrong_order_is_a_usage_error_and_runs_nothing(repo, fake_pulumi, source, target, expected):
    with pytest.raises(UserError) as caught:
        promote.promote(PROJECT, source, target, out=quiet)

    assert caught.value.exit_code == 2
    assert str(caught.value) == (
        f"Cannot promote from {source} to {target}: promotion goes one step at a time along "
        f"local → dev → staging → prod, and {expected}."
    )
    assert fake_pulumi.calls() == []


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("qa", "staging", "Unknown environment 'qa'"),
        ("dev", "production", "Unknown environment 'production'"),
        (None, "staging", "Choose the environments with --from and --to"),
    ],
)
def test_unknown_environments_are_usage_errors(repo, fake_pulumi, source, target, expected):
    with pytest.raises(UserError, match=expected) as caught:
        promote.promote(PROJECT, source, target, out=quiet)
    assert caught.value.exit_code == 2
    assert fake_pulumi.calls() == []


# --- the command line ----------------------------------------------------------------------


def invoke(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=catalog.REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_invoke_promote_exit_codes_and_messages(fake_pulumi):
    import os

    env = {**os.environ, **fake_pulumi.environment}

    wrong = invoke("promote", "--stack=proxy", "--from=dev", "--to=prod", env=env)
    assert wrong.returncode == 2
    assert "Error: Cannot promote from dev to prod: promotion goes one step" in wrong.stderr

    absent = invoke("promote", "--stack=proxy", "--from=dev", "--to=staging", env=env)
    assert absent.returncode == 1, absent.stderr
    assert absent.stderr.strip() == (
        "Error: Cannot promote proxy from dev to staging: proxy/dev has never been deployed, "
        "so it has no outputs; deploy it with `invoke deploy --stack=proxy --env=dev`."
    )
    assert "Traceback" not in absent.stderr + absent.stdout
    assert not fake_pulumi.ran("up")
