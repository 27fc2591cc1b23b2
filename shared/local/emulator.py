"""MiniStack, the embedded AWS the `local` environment deploys to."""

from __future__ import annotations

import os
import sys

from shared import catalog
from shared.local.processes import HOST, Server

DEFAULT_PORT = 4566
REGION = "us-east-1"
PORT_VARIABLE = "AIGW_EMULATOR_PORT"


def server(port: int | None = None) -> Server:
    port = port or int(os.environ.get(PORT_VARIABLE, DEFAULT_PORT))
    return Server(
        label="emulator",
        port=port,
        run_dir=catalog.state_dir() / "emulator",
        ready_path="/_ministack/health",
        port_hint=f"{PORT_VARIABLE}=<port>",
    )


def start(port: int | None = None) -> tuple[Server, bool]:
    """Start MiniStack unless it already runs; returns it and whether it was started now."""
    emulator = server(port)
    started = emulator.start(
        [sys.executable, "-m", "ministack"],
        env={
            "BIND_HOST": HOST,
            "GATEWAY_PORT": str(emulator.port),
            "MINISTACK_REGION": REGION,
            # Saved on SIGTERM, which is how `stop` ends it, and restored at the next start.
            "PERSIST_STATE": "1",
            "STATE_DIR": str(emulator.run_dir / f"state-{emulator.port}"),
            "LOG_LEVEL": "WARNING",
        },
    )
    return emulator, started
