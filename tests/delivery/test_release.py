"""Commit recording (local file, Pulumi stack tags) and which stacks a range of commits
touched, against a temporary git repository and the fake `pulumi` CLI."""

from __future__ import annotations

import json

import pytest

from shared import catalog
from shared.errors import UserError
from shared.ops import cloud, release

PROJECT = "demo"


def quiet(_line: str) -> None:
    pass


# --- the working tree ----------------------------------------------------------------------


def test_a_clean_checkout_is_its_head(repo, git):
    assert release.current() == release.Release(git(repo, "rev-parse", "HEAD"), False)


@pytest.mark.parametrize(
    "change",
    [
        lambda root: (root / "stacks" / PROJECT / "Pulumi.yaml").write_text("name: demo\n"),
        lambda root: (root / "new-file.txt").write_text("untracked\n"),
        lambda root: (root / "stacks" / PROJECT / "__main__.py").unlink(),
    ],
    ids=["modified", "untracked", "deleted"],
)
def test_any_change_makes_the_tree_dirty(repo, git, change):
    change(repo)
    now = release.current()
    assert now.commit == git(repo, "rev-parse", "HEAD")
    assert now.dirty is True
    assert now.describe() == f"{now.commit[:12]} with uncommitted changes"


def test_ignored_files_do_not_count(repo):
    (repo / "stacks" / PROJECT / "__pycache__").mkdir()
    (repo / "stacks" / PROJECT / "__pycache__" / "x.pyc").write_bytes(b"\0")
    assert release.current().dirty is False


def test_outside_a_git_checkout_the_commit_is_unknown(tmp_path, monkeypatch):
    monkeypatch.setenv(release.REPO_DIR_VARIABLE, str(tmp_path))
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert release.current() == release.Release(None, True)
    assert release.Release(None, True).describe() == "an unknown commit (not a git checkout)"


# --- local record --------------------------------------------------------------------------


def test_local_record_is_a_json_file_beside_the_engine_state(repo, tmp_path, monkeypatch):
    monkeypatch.setenv("AIGW_STATE_DIR", str(tmp_path / "state"))
    assert release.recorded(PROJECT, "local") is None
    lines: list[str] = []

    release.record(PROJECT, "local", release.Release("a" * 40, False), out=lines.append)

    path = tmp_path / "state" / "engine" / PROJECT / "local.release.json"
    assert release.release_file(PROJECT, "local") == path
    assert json.loads(path.read_text()) == {"commit": "a" * 40, "dirty": False}
    assert [p.name for p in path.parent.iterdir()] == ["local.release.json"]  # no temp file
    assert release.recorded(PROJECT, "local") == release.Release("a" * 40, False)
    assert lines == [f"Recorded {PROJECT}/local as deployed from {'a' * 12}."]

    release.record(PROJECT, "local", release.Release("b" * 40, True), out=quiet)
    assert release.recorded(PROJECT, "local") == release.Release("b" * 40, True)


# --- cloud record: stack tags --------------------------------------------------------------


def test_cloud_record_is_a_pair_of_stack_tags(repo, fake_pulumi):
    cloud.deploy(PROJECT, "dev", on_output=quiet)
    assert release.recorded(PROJECT, "dev") is None  # deployed, nothing recorded yet

    release.record(PROJECT, "dev", release.Release("c" * 40, False), out=quiet)

    assert ["stack", "tag", "set", "aigw:commit", "c" * 40, "--stack", "dev"] in fake_pulumi.calls()
    assert ["stack", "tag", "set", "aigw:dirty", "false", "--stack", "dev"] in fake_pulumi.calls()
    stack = cloud._open(PROJECT, "dev", create=False)
    tags = stack.list_tags()
    assert tags["aigw:commit"] == "c" * 40 and tags["aigw:dirty"] == "false"
    assert tags["pulumi:project"] == PROJECT  # the backend's own tags stay
    assert stack.get_tag("aigw:commit") == "c" * 40
    assert release.recorded(PROJECT, "dev") == release.Release("c" * 40, False)


def test_cloud_record_of_an_unknown_commit(repo, fake_pulumi):
    cloud.deploy(PROJECT, "dev", on_output=quiet)
    release.record(PROJECT, "dev", release.Release(None, True), out=quiet)
    assert release.recorded(PROJECT, "dev") == release.Release(None, True)


def test_never_created_cloud_stack_has_no_record_and_is_not_created(repo, fake_pulumi):
    assert release.recorded(PROJECT, "staging") is None
    assert not fake_pulumi.ran("stack", "init")


def test_the_fake_cli_answers_tag_commands_like_the_real_one(repo, fake_pulumi):
    import subprocess

    cloud.deploy(PROJECT, "dev", on_output=quiet)
    cwd = repo / "stacks" / PROJECT

    def pulumi(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["pulumi", *args], cwd=cwd, capture_output=True, text=True)

    missing = pulumi("stack", "tag", "get", "owner", "--stack", "dev")
    assert missing.returncode == 255
    assert missing.stderr == "error: stack tag 'owner' not found for stack 'dev'\n"
    assert pulumi("stack", "tag", "set", "owner", "team-a", "--stack", "dev").stdout == ""
    assert pulumi("stack", "tag", "get", "owner", "--stack", "dev").stdout == "team-a\n"
    table = pulumi("stack", "tag", "ls", "--stack", "dev").stdout.splitlines()
    assert table[0].split() == ["NAME", "VALUE"] and ["owner", "team-a"] in [
        line.split() for line in table
    ]
    pulumi("stack", "tag", "rm", "owner", "--stack", "dev")
    assert "owner" not in json.loads(
        pulumi("stack", "tag", "ls", "--json", "--stack", "dev").stdout
    )
    assert pulumi("stack", "tag", "get", "x", "--stack", "qa").stderr.startswith(
        "error: no stack named 'qa' found"
    )


# --- what changed --------------------------------------------------------------------------


@pytest.fixture
def two_stacks(repo, git):
    other = repo / "stacks" / "other"
    other.mkdir()
    (other / "Pulumi.yaml").write_text("name: other\nruntime: python\n")
    for module in ("components/naming.py", "runtime/app.py", "local/engine.py", "ops/smoke.py"):
        (repo / "shared" / module).parent.mkdir(parents=True, exist_ok=True)
        (repo / "shared" / module).write_text("X = 1\n")
    (repo / "tasks.py").write_text("X = 1\n")
    (repo / "docs").mkdir()
    (repo / "docs" / "notes.md").write_text("notes\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "two stacks")
    return git(repo, "rev-parse", "HEAD")


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        (["stacks/other/Pulumi.yaml"], ["other"]),
        (["stacks/demo/smoke.yaml", "docs/notes.md"], ["demo"]),
        (["docs/notes.md"], []),
        (["shared/components/naming.py"], ["demo", "other"]),
        (["shared/runtime/app.py"], ["demo", "other"]),
        # What only runs on a laptop, in CI or in the tasks deploys nothing.
        (["stacks/demo/Pulumi.local.yaml"], []),
        (["shared/local/engine.py"], []),
        (["shared/ops/smoke.py"], []),
        (["shared/local/engine.py", "shared/ops/smoke.py", "tasks.py"], []),
    ],
)
def test_changed_stacks_are_those_whose_files_or_shared_code_changed(
    repo, git, two_stacks, paths, expected
):
    for path in paths:
        target = repo / path
        target.write_text(target.read_text() + "# changed\n" if target.exists() else "x\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "change")

    assert release.changed_stacks(two_stacks) == expected


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        ('dependencies = ["pulumi>=3,<4", "boto3>=1.43,<2"]', ["demo", "other"]),
        ('requires-python = ">=3.12"', ["demo", "other"]),
        ("[tool.ruff]\nline-length = 120", []),  # tool settings deliver nothing
    ],
    ids=["a pin", "python", "tool settings"],
)
def test_pyproject_delivers_only_a_change_to_the_pins(repo, git, two_stacks, edit, expected):
    pyproject = repo / "pyproject.toml"
    base = '[project]\nname = "x"\nrequires-python = ">=3.11"\ndependencies = ["pulumi>=3,<4"]\n'
    pyproject.write_text(base)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "pins")
    since = git(repo, "rev-parse", "HEAD")
    if edit.startswith("["):
        pyproject.write_text(base + edit + "\n")
    else:
        key = edit.split(" = ")[0]
        pyproject.write_text(
            "\n".join(edit if line.startswith(key) else line for line in base.splitlines()) + "\n"
        )
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "edit")

    assert release.changed_stacks(since) == expected


@pytest.mark.parametrize("since", ["", "0" * 40, "f" * 40, "not-a-ref"])
def test_without_a_usable_base_every_stack_is_changed(repo, two_stacks, since):
    assert release.changed_stacks(since) == catalog.stack_names() == ["demo", "other"]


def test_a_cli_that_drops_stack_tags_is_reported(repo, fake_pulumi, monkeypatch):
    """Self-managed backends ignored `stack tag set` before CLI 3.211."""
    cloud.deploy(PROJECT, "dev", on_output=quiet)
    monkeypatch.setattr(
        "pulumi.automation.LocalWorkspace.set_tag", lambda self, stack, key, value: None
    )

    with pytest.raises(UserError) as caught:
        release.record(PROJECT, "dev", release.Release("d" * 40, False), out=quiet)

    assert str(caught.value) == (
        f"{PROJECT}/dev was deployed, but the Pulumi CLI did not keep the stack tag aigw:commit, "
        "so it cannot be promoted; use Pulumi CLI 3.211 or newer."
    )
