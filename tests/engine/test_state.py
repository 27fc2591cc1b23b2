"""The engine's state files, without an emulator: a journal of changes over a snapshot, replayed
on load and folded in by `compact`; pending creates; owner-only files; unreadable files reported
by path with the way out."""

from __future__ import annotations

import json
import stat

import pytest

from shared.local.engine.state import (
    Emulator,
    PendingCreate,
    ResourceRecord,
    StateFileError,
    StateStore,
)


def record(name: str, **inputs: object) -> ResourceRecord:
    return ResourceRecord("aws:s3/bucket:Bucket", name, f"id-{name}", dict(inputs), {"arn": name})


def test_changes_are_journaled_and_survive_without_compaction(tmp_path):
    path = tmp_path / "local.json"
    state = StateStore(path)
    state.put("a", record("a", x=1))
    state.put("b", record("b"))
    state.remove("a")
    state.set_outputs({"url": {"value": "http://x", "secret": False}})
    state.set_emulator(Emulator("http://127.0.0.1:4566", "abc"))
    # No compaction: as if the process had been killed here.
    assert not path.exists()

    again = StateStore(path)
    assert set(again.resources) == {"b"}
    assert again.outputs == {"url": {"value": "http://x", "secret": False}}
    assert again.emulator == Emulator("http://127.0.0.1:4566", "abc")


def test_a_change_appends_one_line_and_leaves_the_snapshot_alone(tmp_path):
    """What makes a state write cost the same whatever the stack's size."""
    path = tmp_path / "local.json"
    state = StateStore(path)
    for i in range(50):
        state.put(f"r{i}", record(f"r{i}"))
    state.compact()
    snapshot = path.stat()
    journal_lines = []
    for i in range(3):
        state.put(f"new{i}", record(f"new{i}"))
        journal_lines.append(len(state.journal_path.read_text().splitlines()))
    assert journal_lines == [1, 2, 3]
    assert path.stat().st_ino == snapshot.st_ino and path.stat().st_mtime_ns == snapshot.st_mtime_ns


def test_compact_folds_the_journal_into_the_snapshot(tmp_path):
    path = tmp_path / "local.json"
    state = StateStore(path)
    state.put("a", record("a"))
    state.compact()
    assert not state.journal_path.exists()
    data = json.loads(path.read_text())
    assert data["version"] == 3 and set(data["resources"]) == {"a"}
    assert set(StateStore(path).resources) == {"a"}


def test_a_torn_last_line_is_ignored(tmp_path):
    """A power cut can leave half a line; its change was never complete, the others were."""
    path = tmp_path / "local.json"
    state = StateStore(path)
    state.put("a", record("a"))
    with open(state.journal_path, "a") as journal:
        journal.write('{"op": "put", "key": "b", "val')
    assert set(StateStore(path).resources) == {"a"}
    # The next change after the torn line makes a line of its own.
    again = StateStore(path)
    again.put("c", record("c"))
    assert set(StateStore(path).resources) == {"a", "c"}


def test_a_pending_create_is_kept_until_its_record_arrives(tmp_path):
    path = tmp_path / "local.json"
    state = StateStore(path)
    state.begin_create("a", PendingCreate("aws:s3/bucket:Bucket", "a", {"bucket": "a-123"}))
    assert StateStore(path).pending == {
        "a": PendingCreate("aws:s3/bucket:Bucket", "a", {"bucket": "a-123"})
    }
    state.put("a", record("a"))
    assert StateStore(path).pending == {}
    state.begin_create("b", PendingCreate("aws:s3/bucket:Bucket", "b", {}))
    state.end_create("b")
    state.compact()
    assert StateStore(path).pending == {}


def test_state_files_are_readable_by_their_owner_only(tmp_path):
    """They hold the stack outputs, API keys among them."""
    path = tmp_path / "local.json"
    state = StateStore(path)
    state.set_outputs({"apiKey": {"value": "s3cr3t", "secret": True}})
    assert stat.S_IMODE(state.journal_path.stat().st_mode) == 0o600
    state.compact()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "content",
    ["", "{not json", '"a string"', "[1, 2]", '{"resources": {"a": {"type": 1}}}'],
    ids=["empty", "invalid", "string", "list", "bad-record"],
)
def test_an_unreadable_snapshot_names_its_path_and_the_way_out(tmp_path, content):
    path = tmp_path / "local.json"
    path.write_text(content)
    with pytest.raises(StateFileError) as caught:
        StateStore(path)
    message = str(caught.value)
    assert str(path) in message and "invoke reset" in message and "Nothing was changed" in message


def test_a_corrupt_journal_line_before_the_last_is_reported(tmp_path):
    path = tmp_path / "local.json"
    state = StateStore(path)
    state.put("a", record("a"))
    state.put("b", record("b"))
    lines = state.journal_path.read_text().splitlines()
    state.journal_path.write_text("\n".join(["garbage", *lines[1:]]) + "\n")
    with pytest.raises(StateFileError, match=r"local\.journal, line 1"):
        StateStore(path)


def test_a_version_2_snapshot_loads(tmp_path):
    path = tmp_path / "local.json"
    path.write_text(
        json.dumps(
            {
                "version": 2,
                "resources": {"a": {**record("a").__dict__}},
                "retired": {},
                "outputs": {},
            }
        )
    )
    state = StateStore(path)
    assert set(state.resources) == {"a"} and state.pending == {} and state.emulator is None
