"""The GitHub Actions workflows, offline: GitHub's schema, then what they must do (promotion
order, gates, concurrency, permissions, pinned actions, the same `invoke` tasks people run)."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from shared import catalog

WORKFLOWS = catalog.REPO_ROOT / ".github" / "workflows"
PULL_REQUEST = WORKFLOWS / "pull-request.yml"
DEPLOY = WORKFLOWS / "deploy.yml"
CHAIN = ("dev", "staging", "prod")
ROLE = "${{ vars.AWS_ROLE_ARN }}"


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def runs(job: dict) -> list[str]:
    return [step["run"] for step in steps(job) if "run" in step]


def step_index(job: dict, pattern: str) -> int:
    """Index of the first step whose `run` matches `pattern` (a regular expression)."""
    for index, step in enumerate(steps(job)):
        if re.search(pattern, step.get("run", "")):
            return index
    raise AssertionError(f"no step runs {pattern!r}")


def uses_aws(job: dict) -> bool:
    return any(
        step.get("uses", "").startswith("aws-actions/configure-aws-credentials@")
        for step in steps(job)
    )


@pytest.fixture(scope="module")
def pull_request() -> dict:
    return load(PULL_REQUEST)


@pytest.fixture(scope="module")
def deploy() -> dict:
    return load(DEPLOY)


def check_jsonschema() -> str:
    here = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    exe = here or shutil.which("check-jsonschema")
    assert exe, "check-jsonschema is part of the dev extras"
    return exe


def all_workflows() -> list[Path]:
    return sorted(WORKFLOWS.glob("*.yml"))


# --- schema --------------------------------------------------------------------------------


def test_workflows_match_githubs_schema():
    exe = check_jsonschema()
    files = [str(p) for p in all_workflows()]
    assert str(PULL_REQUEST) in files and str(DEPLOY) in files

    done = subprocess.run(
        [exe, "--builtin-schema", "vendor.github-workflows", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_check_catches_a_broken_workflow(tmp_path):
    exe = check_jsonschema()
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    stepz: []\n")

    done = subprocess.run(
        [exe, "--builtin-schema", "vendor.github-workflows", str(broken)],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode != 0


# --- pull requests -------------------------------------------------------------------------


def test_pull_requests_run_lint_and_tests(pull_request):
    assert "pull_request" in pull_request["on"]
    test = pull_request["jobs"]["test"]
    commands = runs(test)
    assert "invoke lint" in commands and "invoke test" in commands
    assert step_index(test, r"pip install") < step_index(test, r"^invoke lint$")
    assert not uses_aws(test)


def test_pull_requests_preview_every_stack_against_dev_and_comment(pull_request):
    preview = pull_request["jobs"]["preview"]
    at = step_index(preview, r"invoke preview --stack=all --env=dev")
    comment = next(
        s for s in steps(preview) if s.get("uses", "").startswith("actions/github-script@")
    )
    assert steps(preview).index(comment) > at
    # The comment is posted for a failed preview too, but not when the preview never ran.
    assert "always()" in comment["if"] and "steps.preview.outcome" in comment["if"]
    assert "createComment" in comment["with"]["script"]
    assert "updateComment" in comment["with"]["script"]  # one comment, kept up to date


def test_the_preview_is_skipped_without_cloud_credentials(pull_request):
    preview = pull_request["jobs"]["preview"]
    condition = preview["if"]
    assert "vars.AWS_ROLE_ARN != ''" in condition
    # Forks get no OIDC token: their pull requests skip the preview instead of failing it.
    assert "github.event.pull_request.head.repo.full_name == github.repository" in condition
    (aws,) = [s for s in steps(preview) if s.get("uses", "").startswith("aws-actions/")]
    assert aws["with"]["role-to-assume"] == ROLE


# --- deploys -------------------------------------------------------------------------------


def test_deploys_run_on_merges_to_main(deploy):
    assert deploy["on"]["push"]["branches"] == ["main"]
    assert "pull_request" not in deploy["on"]


def test_dev_staging_prod_are_chained_with_needs(deploy):
    jobs = deploy["jobs"]
    assert set(CHAIN) <= set(jobs)
    assert set(jobs["dev"]["needs"]) == {"test", "changes"}
    assert "dev" in jobs["staging"]["needs"]
    assert "staging" in jobs["prod"]["needs"]
    assert "prod" not in jobs["dev"]["needs"] and "prod" not in jobs["staging"]["needs"]
    for env in CHAIN:
        condition = jobs[env]["if"]
        assert "always()" not in condition and "failure()" not in condition  # success() holds


@pytest.mark.parametrize("env", CHAIN)
def test_each_environment_job_is_a_github_environment(deploy, env):
    environment = deploy["jobs"][env]["environment"]
    name = environment["name"] if isinstance(environment, dict) else environment
    assert name == env


@pytest.mark.parametrize(
    ("env", "apply"),
    [
        ("dev", r'^invoke deploy --stack="\$STACK" --env=dev$'),
        ("staging", r'^invoke promote --stack="\$STACK" --from=dev --to=staging$'),
        ("prod", r'^invoke promote --stack="\$STACK" --from=staging --to=prod$'),
    ],
)
def test_each_environment_deploys_then_smoke_checks(deploy, env, apply):
    job = deploy["jobs"][env]
    applied = step_index(job, apply)
    smoked = step_index(job, rf'^invoke smoke --stack="\$STACK" --env={env}$')
    assert applied < smoked
    assert job["env"]["STACK"] == "${{ matrix.stack }}"
    aws = next(i for i, s in enumerate(steps(job)) if s.get("uses", "").startswith("aws-actions/"))
    assert aws < applied
    assert steps(job)[aws]["with"]["role-to-assume"] == ROLE
    pulumi = next(i for i, s in enumerate(steps(job)) if s.get("uses", "").startswith("pulumi/"))
    assert pulumi < applied
    assert "command" not in steps(job)[pulumi].get("with", {})  # installs the CLI, runs nothing


@pytest.mark.parametrize("env", CHAIN)
def test_one_deploy_per_stack_and_environment_and_none_cancelled(deploy, env):
    concurrency = deploy["jobs"][env]["concurrency"]
    assert "${{ matrix.stack }}" in concurrency["group"]
    assert concurrency["group"].endswith(f"-{env}")
    assert concurrency["cancel-in-progress"] is False


def test_concurrency_groups_differ_per_environment(deploy):
    groups = {deploy["jobs"][env]["concurrency"]["group"] for env in CHAIN}
    assert len(groups) == len(CHAIN)


@pytest.mark.parametrize("env", CHAIN)
def test_a_matrix_over_the_changed_stacks_without_fail_fast(deploy, env):
    job = deploy["jobs"][env]
    assert job["strategy"]["fail-fast"] is False
    assert job["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.changes.outputs.stacks) }}"
    assert "changes" in job["needs"]
    assert "needs.changes.outputs.stacks != '[]'" in job["if"]
    assert "vars.AWS_ROLE_ARN != ''" in job["if"]  # skipped cleanly without cloud set-up


def test_changed_stacks_come_from_the_invoke_task(deploy):
    job = deploy["jobs"]["changes"]
    assert job["outputs"]["stacks"] == "${{ steps.changed.outputs.stacks }}"
    (checkout,) = [s for s in steps(job) if s.get("uses", "").startswith("actions/checkout@")]
    assert checkout["with"]["fetch-depth"] == 0
    detect = next(s for s in steps(job) if s.get("id") == "changed")
    assert 'invoke changed --since="$BEFORE"' in detect["run"]
    assert "github.event.before" in detect["env"]["BEFORE"]


# --- every workflow ------------------------------------------------------------------------


@pytest.mark.parametrize("path", all_workflows(), ids=lambda p: p.name)
def test_top_level_permissions_are_read_only(path):
    assert load(path)["permissions"] == {"contents": "read"}


@pytest.mark.parametrize("path", all_workflows(), ids=lambda p: p.name)
def test_id_token_write_only_in_jobs_that_assume_an_aws_role(path):
    for name, job in load(path)["jobs"].items():
        permissions = job.get("permissions", {})
        assert permissions != "write-all", name
        if uses_aws(job):
            assert permissions.get("id-token") == "write", name
            assert permissions.get("contents") == "read", name
        else:
            assert "id-token" not in permissions, name


@pytest.mark.parametrize("path", all_workflows(), ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_version(path):
    pinned = re.compile(r"^[\w.-]+/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$")
    for name, job in load(path)["jobs"].items():
        for step in steps(job):
            if "uses" in step:
                assert pinned.match(step["uses"]), f"{name}: {step['uses']}"


@pytest.mark.parametrize("path", all_workflows(), ids=lambda p: p.name)
def test_no_long_lived_aws_keys(path):
    text = path.read_text(encoding="utf-8")
    for word in ("aws-access-key-id", "aws-secret-access-key", "AWS_SECRET_ACCESS_KEY"):
        assert word not in text


@pytest.mark.parametrize("path", all_workflows(), ids=lambda p: p.name)
def test_workflows_only_call_invoke_tasks_that_exist(path):
    """Nothing is written twice: the pipeline runs the tasks people run, never Pulumi itself."""
    spec = importlib.util.spec_from_file_location("repo_tasks", catalog.REPO_ROOT / "tasks.py")
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    known = set(tasks.ns.task_names)
    for name, job in load(path)["jobs"].items():
        for command in runs(job):
            assert not re.search(r"(^|\s)pulumi\s", command), f"{name}: {command}"
            for task in re.findall(r"(?:^|\s)invoke\s+([\w.-]+)", command):
                assert task in known, f"{name}: unknown task {task}"


CLI_TASKS = r"invoke\s+(deploy|promote|preview)\b"


@pytest.mark.parametrize("path", all_workflows(), ids=lambda p: p.name)
def test_jobs_running_the_cli_can_run_the_policy_pack(path):
    """`pulumi preview/up --policy-pack policy` runs the pack with the `python` on PATH
    (policy/PulumiPolicy.yaml names no virtualenv): each job that previews or deploys first
    installs the repository, whose main dependencies include pulumi-policy, and puts that
    virtualenv on PATH; a violation then fails `invoke` and with it the job."""
    import tomllib

    project = tomllib.loads((catalog.REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert any(d.startswith("pulumi-policy") for d in project["project"]["dependencies"])
    for name, job in load(path)["jobs"].items():
        if not any(re.search(CLI_TASKS, command) for command in runs(job)):
            continue
        install = step_index(job, r"pip install --quiet -e \"?\.")
        on_path = step_index(job, r'echo "\$PWD/\.venv/bin" >> "\$GITHUB_PATH"')
        assert install <= on_path < step_index(job, CLI_TASKS), name


@pytest.mark.parametrize("path", all_workflows(), ids=lambda p: p.name)
def test_the_workflows_never_bootstrap(path):
    """The bootstrap is the account's one-time set-up, run by a person with admin rights; the
    deploy role the workflows assume cannot (and must not) change it."""
    for name, job in load(path)["jobs"].items():
        for command in runs(job):
            assert not re.search(r"invoke\s+bootstrap\b", command), name
