"""The emulator as the tasks run it: loopback only, state kept across a stop and readable by its
owner only, Lambda bursts queued under a cap, a taken port reported plainly."""

from __future__ import annotations

import io
import json
import socket
import stat
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from shared.errors import UserError
from shared.local import emulator
from shared.local.processes import free_port

pytestmark = pytest.mark.emulator


def gateway(url: str):
    return boto3.client(
        "apigateway",
        endpoint_url=url,
        region_name=emulator.REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def test_state_survives_a_stop_and_start():
    server, started = emulator.start(free_port())
    try:
        assert started
        api_id = gateway(server.url).create_rest_api(name="kept-across-restart")["id"]
        assert server.stop()  # SIGTERM: MiniStack saves its state

        again, started_again = emulator.start(server.port)
        assert started_again
        assert api_id in {a["id"] for a in gateway(again.url).get_rest_apis()["items"]}
    finally:
        server.stop()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_saved_state_pid_and_log_files_are_readable_by_their_owner_only():
    server, _ = emulator.start(free_port())
    try:
        client = gateway(server.url)
        client.create_api_key(name="secret-holder", value="k" * 30, enabled=True)
        assert server.stop()  # SIGTERM: MiniStack saves its state, API key values included

        state = emulator.saved_state_dir(server)
        saved = list(state.iterdir())
        assert any("k" * 30 in path.read_text() for path in saved)
        assert mode(state) == 0o700
        assert {path.name: mode(path) for path in saved} == {path.name: 0o600 for path in saved}
        assert mode(server.run_dir) == 0o700
        assert mode(server.log_file) == 0o600

        emulator.start(server.port)
        assert mode(server.pid_file) == 0o600
    finally:
        server.stop()


def test_state_saved_world_readable_earlier_is_made_private_at_start():
    server = emulator.server(free_port())
    state = emulator.saved_state_dir(server)
    state.mkdir(parents=True)
    (state / "apigateway.json").write_text("{}")
    state.chmod(0o755)
    (state / "apigateway.json").chmod(0o644)
    try:
        emulator.start(server.port)
        assert (mode(state), mode(state / "apigateway.json")) == (0o700, 0o600)
    finally:
        server.stop()


SLOW_HANDLER = """
import time

def handler(event, context):
    time.sleep(0.2)
    return {"ok": True}
"""


def test_a_burst_over_the_lambda_cap_queues_instead_of_being_throttled(
    emulator_server, emulator_client
):
    """AWS throttles past the account's concurrency (1000 by default) with
    TooManyRequestsException; the emulator's cap is a few per core, so invocations past it wait
    for a slot instead of failing. boto3 retries throttles by default, which would hide one:
    this client makes one attempt."""
    iam = emulator_client("iam")
    lambda_ = boto3.client(
        "lambda",
        endpoint_url=emulator_server.url,
        region_name=emulator.REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"total_max_attempts": 1}, max_pool_connections=64),
    )
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = iam.create_role(RoleName="burst-test", AssumeRolePolicyDocument=json.dumps(trust))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as files:
        files.writestr("handler.py", SLOW_HANDLER)
    lambda_.create_function(
        FunctionName="burst-test",
        Runtime="python3.12",
        Role=role["Role"]["Arn"],
        Handler="handler.handler",
        Code={"ZipFile": archive.getvalue()},
        Timeout=30,
    )
    burst = 3 * emulator.lambda_concurrency()
    try:
        lambda_.get_waiter("function_active_v2").wait(FunctionName="burst-test")

        def invoke(_: int) -> dict:
            reply = lambda_.invoke(FunctionName="burst-test", Payload=b"{}")
            return json.loads(reply["Payload"].read())

        with ThreadPoolExecutor(burst) as pool:
            replies = list(pool.map(invoke, range(burst)))

        assert replies == [{"ok": True}] * burst
        account = lambda_.get_account_settings()["AccountLimit"]
        assert account["ConcurrentExecutions"] == emulator.lambda_concurrency()
    finally:
        lambda_.delete_function(FunctionName="burst-test")
        iam.delete_role(RoleName="burst-test")


def test_start_twice_reuses_the_running_emulator():
    server, _ = emulator.start(free_port())
    try:
        same, started = emulator.start(server.port)
        assert not started and same.pid() == server.pid()
    finally:
        server.stop()


def listening_addresses(port: int) -> set[str]:
    """Local addresses listening on `port`, read from the kernel's socket table (Linux)."""
    table = Path("/proc/net/tcp")
    if not table.exists():
        pytest.skip("no /proc/net/tcp to read listening sockets from")
    found = set()
    for line in table.read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def test_it_listens_on_loopback_only():
    server, _ = emulator.start(free_port())
    try:
        assert listening_addresses(server.port) == {"127.0.0.1"}
    finally:
        server.stop()


def test_a_port_taken_by_another_program_is_reported_plainly():
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]

        with pytest.raises(UserError, match=f"port {port} on 127.0.0.1 is taken by another"):
            emulator.start(port)


def test_stop_when_not_running_says_so():
    assert emulator.server(free_port()).stop() is False
