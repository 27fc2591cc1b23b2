"""Every listener the tasks start binds 127.0.0.1: the emulator (with the Lambda workers an
invocation starts) and the local model endpoint. Nothing may be reachable from the network.

Sockets are read from the kernel's tables (/proc/net/tcp, tcp6, udp, udp6) and attributed to a
process tree through /proc/<pid>/fd, so a listener opened by any child process counts too.
"""

from __future__ import annotations

import io
import ipaddress
import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from shared.local.processes import process_tree

pytestmark = pytest.mark.emulator

PROC = Path("/proc")
TCP_LISTEN = "0A"
HANDLER = """
import json

def handler(event, context):
    print("invoked")  # a logging handler, as the stacks' are
    return {"statusCode": 200, "body": json.dumps({"ok": True})}
"""


@dataclass(frozen=True)
class Listener:
    protocol: str  # tcp, tcp6, udp, udp6
    address: str
    port: int
    pid: int

    def __str__(self) -> str:
        return f"{self.protocol} {self.address}:{self.port} (pid {self.pid})"


def socket_inodes(pids: set[int]) -> dict[int, int]:
    """Socket inode -> the pid holding it, for every open socket of `pids`."""
    owners = {}
    for pid in pids:
        fd_dir = PROC / str(pid) / "fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue  # the process has exited
        for fd in fds:
            try:
                link = os.readlink(fd_dir / fd)
            except OSError:
                continue  # closed since the listing (a connection ending): not a listener
            if link.startswith("socket:["):
                owners[int(link[len("socket:[") : -1])] = pid
    return owners


def decode_address(hex_address: str) -> str:
    """The kernel writes addresses as 32-bit words in host (little-endian) byte order."""
    raw = bytes.fromhex(hex_address)
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(words))


def listeners(root: int) -> list[Listener]:
    """TCP sockets in LISTEN and unconnected (receiving) UDP sockets of `root`'s tree."""
    owners = socket_inodes(process_tree(root))
    found = []
    for protocol in ("tcp", "tcp6", "udp", "udp6"):
        table = PROC / "net" / protocol
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], int(fields[9])
            if inode not in owners:
                continue
            remote_port = int(remote.split(":")[1], 16)
            if protocol.startswith("tcp") and state != TCP_LISTEN:
                continue
            if protocol.startswith("udp") and remote_port != 0:
                continue  # a connected UDP socket (a DNS query, say) receives from one peer only
            address, port = local.split(":")
            found.append(Listener(protocol, decode_address(address), int(port, 16), owners[inode]))
    return found


def zipped(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", source)
    return buffer.getvalue()


@pytest.fixture
def invoked_function(emulator_client) -> Iterator[str]:
    """A Python function on the emulator, invoked once so its worker process runs."""
    iam, lambda_ = emulator_client("iam"), emulator_client("lambda")
    role = iam.create_role(
        RoleName="listeners-test",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    name = "listeners-test"
    lambda_.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": zipped(HANDLER)},
    )
    try:
        lambda_.get_waiter("function_active_v2").wait(FunctionName=name)
        reply = lambda_.invoke(FunctionName=name, Payload=b"{}")
        assert "FunctionError" not in reply, reply["Payload"].read()
        yield name
    finally:
        lambda_.delete_function(FunctionName=name)
        iam.delete_role(RoleName="listeners-test")


@pytest.fixture(autouse=True)
def needs_proc():
    if not (PROC / "net" / "tcp").exists():
        pytest.skip("no /proc/net/tcp to read sockets from (not Linux)")


def test_the_emulator_and_its_lambda_workers_listen_on_loopback_only(
    emulator_server, invoked_function
):
    pid = emulator_server.pid()
    assert pid is not None
    assert len(process_tree(pid)) > 1, "the invocation should have left a worker process"

    found = listeners(pid)

    assert Listener("tcp", "127.0.0.1", emulator_server.port, pid) in found
    assert [str(s) for s in found if s.address != "127.0.0.1"] == []


def test_the_model_endpoint_listens_on_loopback_only(model_server):
    pid = model_server.pid()
    assert pid is not None

    found = listeners(pid)

    assert Listener("tcp", "127.0.0.1", model_server.port, pid) in found
    assert [str(s) for s in found if s.address != "127.0.0.1"] == []
