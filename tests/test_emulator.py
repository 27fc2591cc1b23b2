"""The emulator as the tasks run it: loopback only, state kept across a stop, a taken port
reported plainly."""

from __future__ import annotations

import socket
from pathlib import Path

import boto3
import pytest

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
