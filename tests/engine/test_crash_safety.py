"""`kill -9` at any point of an apply or a destroy, then the same command again, converges: the
engine journals a create as pending before asking the emulator, and the next run finds what
that create made and removes it before creating again (Pulumi's pending operations). Nothing is
duplicated, nothing is left behind by the destroy that follows.

Each case runs the engine in a child process (crash_child.py) that SIGKILLs itself inside one
provider call: before the emulator is asked, or after it answered and before the record is
written, the window a real `kill -9` hits. The children are forked from a server process that
imported the engine once (multiprocessing's forkserver): a fresh, single-threaded process each
time, without a Python start and the engine's imports per case."""

from __future__ import annotations

import multiprocessing
import uuid
from pathlib import Path

import pytest

from shared.local.engine.engine import Engine
from shared.local.engine.providers import Context
from tests.engine import crash_child
from tests.engine.conftest import PROGRAMS, REGION

pytestmark = pytest.mark.emulator

PROJECT = "crash"

CREATES = [
    "aws:iam/role:Role",  # auto-named from a prefix
    "aws:lambda/function:Function",  # named by the program
    "aws:apigateway/restApi:RestApi",  # its id made by AWS
    "aws:apigateway/method:Method",  # known by its identity
    "aws:lambda/permission:Permission",
    "aws:apigateway/stage:Stage",
    "aws:s3/bucket:Bucket",
]


def run_child(spec: dict) -> int:
    """The child's exit code: -9 when it died by its SIGKILL."""
    child = _CHILDREN.Process(target=crash_child.crash, args=(spec,))
    child.start()
    child.join(timeout=120)
    if child.exitcode is None:
        child.kill()
        child.join()
        pytest.fail("the crash child neither died nor finished in 120 s")
    return child.exitcode


_CHILDREN = multiprocessing.get_context("forkserver")
_CHILDREN.set_forkserver_preload(["tests.engine.crash_child"])


def inventory(client, name: str) -> dict[str, list[str]]:
    """Everything on the emulator this test's program could have made."""
    functions = client("lambda").list_functions()["Functions"]
    roles = client("iam").list_roles()["Roles"]
    apis = client("apigateway").get_rest_apis(limit=500)["items"]
    buckets = client("s3").list_buckets()["Buckets"]
    return {
        "functions": sorted(
            f["FunctionName"] for f in functions if f["FunctionName"].startswith(name)
        ),
        "roles": sorted(r["RoleName"] for r in roles if r["RoleName"].startswith(name)),
        "apis": sorted(a["name"] for a in apis if a["name"].startswith(name)),
        "buckets": sorted(b["Name"] for b in buckets if b["Name"].startswith(name)),
    }


@pytest.fixture
def crash_case(emulator_server, emulator_client, tmp_path):
    name = f"crash-{uuid.uuid4().hex[:8]}"
    state = tmp_path / "state" / "local.json"
    config = {f"{PROJECT}:name": name}

    def spec(**kwargs: str) -> dict:
        return {
            "program": str(PROGRAMS / "crash"),
            "project": PROJECT,
            "config": config,
            "emulator": emulator_server.url,
            "state": str(state),
            **kwargs,
        }

    def engine() -> Engine:
        return Engine(
            PROGRAMS / "crash",
            PROJECT,
            "local",
            config,
            Context(emulator_server.url, REGION),
            state,
            out=lambda line: None,
        )

    yield name, spec, engine, lambda: inventory(emulator_client, name)
    engine().destroy()


def assert_deployed_once(name: str, seen: dict[str, list[str]]) -> None:
    assert seen["functions"] == [f"{name}-fn"]
    assert len(seen["roles"]) == 1
    assert seen["apis"] == [f"{name}-api"]
    assert seen["buckets"] == [f"{name}-data"]


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("type_token", CREATES)
def test_killed_first_deploy_then_deploy_converges_and_destroy_leaves_nothing(
    crash_case, type_token, when
):
    name, spec, engine, seen = crash_case
    code = run_child(spec(operation="up", type=type_token, method="create", when=when))
    assert code == -9  # it did die there

    engine().up()
    assert_deployed_once(name, seen())
    assert not engine().plan(live=True).has_changes

    engine().destroy()
    assert seen() == {"functions": [], "roles": [], "apis": [], "buckets": []}


def test_killed_replacement_then_deploy_converges(crash_case):
    """A create-before-delete replacement killed once its new copy exists, unrecorded: the
    next run removes that copy, replaces again and deletes the old one."""
    name, spec, engine, seen = crash_case
    engine().up()
    replacing = spec(operation="up", type="aws:iam/role:Role", method="create", when="after")
    replacing["config"] = {**replacing["config"], f"{PROJECT}:roleSuffix": "second"}
    assert run_child(replacing) == -9
    assert len(seen()["roles"]) == 2  # the old one and the unrecorded new one

    replaced = Engine(
        PROGRAMS / "crash",
        PROJECT,
        "local",
        replacing["config"],
        Context(replacing["emulator"], REGION),
        Path(replacing["state"]),
        out=lambda line: None,
    )
    replaced.up()
    roles = seen()["roles"]
    assert len(roles) == 1 and roles[0].startswith(f"{name}-second-")
    assert not replaced.plan(live=True).has_changes


@pytest.mark.parametrize(
    "type_token", ["aws:lambda/function:Function", "aws:apigateway/restApi:RestApi"]
)
@pytest.mark.parametrize("when", ["before", "after"])
def test_killed_destroy_then_destroy_leaves_nothing(crash_case, type_token, when):
    name, spec, engine, seen = crash_case
    engine().up()
    code = run_child(spec(operation="destroy", type=type_token, method="delete", when=when))
    assert code == -9

    engine().destroy()
    assert seen() == {"functions": [], "roles": [], "apis": [], "buckets": []}
