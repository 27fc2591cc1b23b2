"""The model endpoint as a gateway uses it: many connections at once, and keep-alive
connections carrying one request after another. Both were measured defects: a listen backlog
of 5 reset connections of a 100-client burst, and headers and body written in two sends with
Nagle on held every keep-alive answer ~44 ms (Nagle waits for the ACK the client delays)."""

from __future__ import annotations

import http.client
import json
import socket
import statistics
import threading
import time
from collections.abc import Iterator

import pytest

from shared.local.model.server import make_server

CLIENTS = 100
BODY = json.dumps({"inputs": "I love this, it works great"})


@pytest.fixture(scope="module")
def port(serve_in_thread) -> Iterator[int]:
    server = make_server("127.0.0.1", 0)
    with serve_in_thread(server):
        yield server.server_address[1]


def test_100_concurrent_connections_are_all_answered(port: int) -> None:
    """Every client connects at the same moment (a barrier), then sends its request."""
    start = threading.Barrier(CLIENTS)
    statuses: list[int] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client() -> None:
        try:
            start.wait(timeout=30)
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                connection.request("POST", "/invocations", body=BODY)
                response = connection.getresponse()
                response.read()
                with lock:
                    statuses.append(response.status)
            finally:
                connection.close()
        except (OSError, http.client.HTTPException, threading.BrokenBarrierError) as error:
            with lock:
                failures.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert statuses == [200] * CLIENTS


def test_the_listen_backlog_queues_a_burst_before_any_is_accepted(serve_in_thread) -> None:
    """100 connections made while the server accepts none are all queued by the kernel, then
    answered. With a backlog of 5, the 7th connect timed out (its SYNs dropped)."""
    server = make_server("127.0.0.1", 0)  # listening, not yet accepting
    port = server.server_address[1]
    sockets: list[socket.socket] = []
    try:
        for _ in range(CLIENTS):
            sockets.append(socket.create_connection(("127.0.0.1", port), timeout=5))
            sockets[-1].sendall(b"GET /ping HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        with serve_in_thread(server):
            for sock in sockets:
                response = http.client.HTTPResponse(sock)
                response.begin()
                assert response.status == 200
                response.read()
    finally:
        for sock in sockets:
            sock.close()
        server.server_close()


def test_keep_alive_requests_are_not_held_by_nagle_and_delayed_acks(port: int) -> None:
    """On one connection, each answer arrives in well under the 40 ms a delayed ACK costs.

    The median of 30 requests: a loaded machine may slow a few, but with the stall every
    request took 40 ms or more."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    durations = []
    try:
        for _ in range(30):
            started = time.perf_counter()
            connection.request("POST", "/invocations", body=BODY)
            response = connection.getresponse()
            response.read()
            durations.append(time.perf_counter() - started)
            assert response.status == 200
    finally:
        connection.close()
    assert statistics.median(durations) < 0.020, f"median {statistics.median(durations):.3f} s"
