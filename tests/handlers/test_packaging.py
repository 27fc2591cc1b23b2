"""Deployment zips: reproducible to the byte, holding the function and the handler runtime as
`aigw_runtime`, and runnable with nothing but the standard library."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pulumi
import pytest

from shared import catalog
from shared.components.packaging import (
    RUNTIME_DIR,
    RUNTIME_PACKAGE,
    build_zip,
    package,
    write_zip,
    zip_path,
)

FUNCTION_DIR = Path(__file__).parent / "programs" / "fn" / "function"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A copy of the test function with the litter a working tree collects."""
    copy = tmp_path / "function"
    shutil.copytree(FUNCTION_DIR, copy)
    (copy / "__pycache__").mkdir(exist_ok=True)
    (copy / "__pycache__" / "app.cpython-312.pyc").write_bytes(b"\x00compiled")
    (copy / "stale.pyc").write_bytes(b"\x00")
    (copy / ".env").write_text("SECRET=1\n")
    (copy / "prompts").mkdir()
    (copy / "prompts" / "system.txt").write_text("You classify sentiment.\n")
    return copy


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AIGW_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


def test_same_sources_give_the_same_bytes(source: Path) -> None:
    first = build_zip(source)
    # Touch every file: new timestamps must not change the zip.
    for path in source.rglob("*"):
        os.utime(path, (1_900_000_000, 1_900_000_000))
    second = build_zip(source)
    assert first == second
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()


def test_a_changed_source_changes_the_bytes(source: Path) -> None:
    before = build_zip(source)
    (source / "app.py").write_text((source / "app.py").read_text() + "\n# changed\n")
    assert build_zip(source) != before


def test_zip_holds_the_handler_and_the_runtime_only(source: Path, tmp_path: Path) -> None:
    target = write_zip(source, tmp_path / "out" / "fn.zip")
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        infos = archive.infolist()
        assert archive.testzip() is None
    runtime = sorted(
        f"{RUNTIME_PACKAGE}/{p.relative_to(RUNTIME_DIR).as_posix()}"
        for p in RUNTIME_DIR.rglob("*.py")
        if "__pycache__" not in p.parts
    )
    assert names == sorted(names)
    assert set(names) == {"app.py", "prompts/system.txt", *runtime}
    assert {"aigw_runtime/__init__.py", "aigw_runtime/app.py"} <= set(names)
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert ".env" not in names
    for info in infos:
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.external_attr >> 16 == 0o100644
        assert info.compress_type == zipfile.ZIP_STORED


def test_rewritten_only_when_the_bytes_change(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "fn.zip"
    write_zip(source, target)
    digest, stamp = hashlib.sha256(target.read_bytes()).hexdigest(), target.stat().st_mtime_ns
    os.utime(target, ns=(stamp - 10**9, stamp - 10**9))
    write_zip(source, target)
    assert target.stat().st_mtime_ns == stamp - 10**9, "an identical zip must not be rewritten"
    assert hashlib.sha256(target.read_bytes()).hexdigest() == digest
    (source / "prompts" / "system.txt").write_text("changed\n")
    write_zip(source, target)
    assert hashlib.sha256(target.read_bytes()).hexdigest() != digest
    assert [p.name for p in target.parent.iterdir()] == ["fn.zip"], "no temporary file left"


def test_package_writes_under_the_state_folder(source: Path, state: Path) -> None:
    archive = package(source, "classify")
    assert isinstance(archive, pulumi.FileArchive)
    expected = state / "build" / f"{pulumi.get_project()}-{pulumi.get_stack()}" / "classify.zip"
    assert catalog.state_dir() == state
    assert Path(archive.path) == expected == zip_path("classify")
    assert Path(archive.path).read_bytes() == build_zip(source)


def test_bad_names_and_folders_are_refused(source: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="invalid package name"):
        zip_path("../escape")
    with pytest.raises(FileNotFoundError):
        build_zip(tmp_path / "missing")
    (source / RUNTIME_PACKAGE).mkdir()
    (source / RUNTIME_PACKAGE / "__init__.py").write_text("")
    with pytest.raises(ValueError, match="reserved"):
        build_zip(source)


# --- the zip alone runs the function ----------------------------------------------------------

# Runs with `python -S` (no site-packages, so no boto3, pulumi or `shared`) and only the zip on
# PYTHONPATH, the way Lambda runs the code from the unpacked zip.
CALL_HANDLER = """
import importlib.util, json, sys
assert importlib.util.find_spec("shared") is None, "the repository leaked in"
import app
import aigw_runtime
event = json.loads(sys.argv[1])
response = app.handler(event, None)
third_party = sorted(
    m for m in ("boto3", "botocore", "pulumi", "shared", "yaml") if m in sys.modules
)
print(json.dumps({
    "response": response,
    "runtime": aigw_runtime.__file__,
    "third_party": third_party,
}))
"""


def run_from_zip(zip_file: Path, event: dict, env: dict[str, str], cwd: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-S", "-c", CALL_HANDLER, json.dumps(event)],
        cwd=cwd,
        env={"PYTHONPATH": str(zip_file), "PATH": os.environ.get("PATH", ""), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    *logs, last = result.stdout.strip().splitlines()
    outcome = json.loads(last)
    outcome["logs"] = [json.loads(line) for line in logs]
    return outcome


def classify_event(body: str) -> dict:
    return {
        "resource": "/classify",
        "path": "/classify",
        "httpMethod": "POST",
        "headers": {"Content-Type": "application/json"},
        "requestContext": {"requestId": "req-1", "stage": "dev"},
        "body": body,
        "isBase64Encoded": False,
    }


def test_handler_runs_from_the_zip_with_the_standard_library_only(
    source: Path, tmp_path: Path, model_url: str
) -> None:
    zip_file = write_zip(source, tmp_path / "fn.zip")
    workdir = tmp_path / "empty"
    workdir.mkdir()
    env = {"MODEL_ENDPOINT_URL": f"{model_url}/v2/invocations", "MODEL_TIMEOUT_SECONDS": "5"}
    outcome = run_from_zip(zip_file, classify_event('{"inputs": ["I love it"]}'), env, workdir)
    assert outcome["third_party"] == []
    assert outcome["runtime"] == str(zip_file / "aigw_runtime" / "__init__.py")
    response = outcome["response"]
    assert response["statusCode"] == 200, response
    body = json.loads(response["body"])
    assert body["version"] == "v2"
    assert len(body["predictions"]) == 1
    [log] = outcome["logs"]
    assert log["requestId"] == "req-1"
    assert log["route"] == "/classify"
    assert log["status"] == 200
    assert log["modelVersion"] == "v2"


def test_zip_handler_answers_errors_as_json(source: Path, tmp_path: Path) -> None:
    zip_file = write_zip(source, tmp_path / "fn.zip")
    workdir = tmp_path / "empty"
    workdir.mkdir()
    env = {"MODEL_ENDPOINT_URL": "http://127.0.0.1:9/invocations"}
    outcome = run_from_zip(zip_file, classify_event('{"inputs": 42}'), env, workdir)
    assert outcome["response"]["statusCode"] == 400
    assert json.loads(outcome["response"]["body"])["error"].startswith('"inputs" must be')
