"""MiniStack, the embedded AWS the `local` environment deploys to.

The tasks start it as `python -m shared.local.emulator`: MiniStack's own server, on loopback,
with what it would otherwise open to the network switched off, its saved state private to its
owner, and its Lambda concurrency capped so that a burst of clients queues (see `main`).

Models on AWS are answered by the local model endpoint (model_endpoint.DEFAULT_PORT):
- Bedrock: MiniStack's Bedrock runtime forwards Converse and InvokeModel to an OpenAI-compatible
  `<MINISTACK_BEDROCK_PROXY_URL>/v1/chat/completions` and turns the answer back into Bedrock's
  shape; pointed at the model endpoint, a Converse call gets the local model's answer.
  (MiniStack falls back to a canned reply, silently, when the proxy does not answer.)
- SageMaker: MiniStack has no SageMaker runtime. Its Lambda functions run in worker processes
  that inherit this process's environment (function variables on top), and botocore sends a
  service's calls to `AWS_ENDPOINT_URL_<SERVICE>` before `AWS_ENDPOINT_URL` (which MiniStack sets
  to itself): `AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME` sends InvokeEndpoint to the model endpoint's
  `/endpoints/<name>/invocations`.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from shared import catalog
from shared.errors import UserError
from shared.local import model_endpoint
from shared.local.processes import HOST, Server, make_private

DEFAULT_PORT = 4566
REGION = "us-east-1"
PORT_VARIABLE = "AIGW_EMULATOR_PORT"

# How many Lambda invocations run at once. MiniStack runs each concurrent invocation in a
# worker process of its own (20-30 MB each) and by default caps them by memory only (up to
# 1000): under 100 clients it started 184 workers and took 11.7 GB. The work is CPU-bound (the
# handlers, the gateway and the emulator share the cores), so beyond two or so per core more
# workers add memory and context switches, not throughput. Measured on 2 shared cores, one REST
# route to a logging Lambda, 100 keep-alive clients (`invoke bench --clients=1,8,100`):
#   in flight     2       4       8      16      unbounded
#   req/s       224     487     548     336      486
#   p99 ms      891     411     281    1499      360
#   peak MB     147     199     332     567      468
# 4 serves what unbounded serves in less than half the memory; 2 halves the throughput; 16 is
# slower than 8 with a p99 five times as long; 8 was within the noise of 4 (the machine was
# shared), at 1.7 times its memory. Two per core, then.
LAMBDA_CONCURRENCY_PER_CORE = 2
# How long an invocation over the cap waits for a free slot before it is throttled as AWS
# throttles (TooManyRequestsException). An API Gateway integration gives up after 29 s (REST)
# or 30 s (HTTP API), so a request queued longer could not be answered on AWS either; the bound
# also ends the one wait that cannot succeed (handlers that synchronously invoke functions while
# holding every slot).
LAMBDA_QUEUE_WAIT_S = 30.0
# How long a created or updated function stays Pending (InProgress) before it is Active
# (Successful). AWS takes about a second for a zip package; MiniStack waits 0.5 s, so the
# engine's waits (before the next update of a function, and once per deploy until every new
# function is Active) were 0.5-1 s of each local deploy of a stack with functions. The state
# machine is what the engine must honour, not its length: 0.1 s keeps Pending observable (the
# engine still polls through it) and takes 0.4 s off such a deploy.
LAMBDA_ACTIVATION_S = 0.1


def lambda_concurrency() -> int:
    return LAMBDA_CONCURRENCY_PER_CORE * (os.cpu_count() or 1)


def server(port: int | str | None = None) -> Server:
    """The emulator at `port` (a --port flag's text or a number), else at AIGW_EMULATOR_PORT,
    else at DEFAULT_PORT; a port that is not one is a usage error naming where it came from."""
    if port is not None:
        number = parse_port(port, "--port")
    elif os.environ.get(PORT_VARIABLE, "").strip():
        number = parse_port(os.environ[PORT_VARIABLE], PORT_VARIABLE)
    else:
        number = DEFAULT_PORT  # unset or empty (`AIGW_EMULATOR_PORT= invoke ...`)
    return Server(
        label="emulator",
        port=number,
        run_dir=catalog.state_dir() / "emulator",
        ready_path="/_ministack/health",
        port_hint=f"{PORT_VARIABLE}=<port>",
    )


def parse_port(value: int | str, source: str) -> int:
    """A TCP port from `source` (`--port` or the variable); every task that reads one reads
    it here, before anything starts. 0 is refused too: it asks the system for any free port,
    and the tasks must find the emulator again at a port they know."""
    text = str(value).strip()
    if not text.isdecimal() or not 1 <= int(text) <= 65535:
        raise UserError(
            f"{source}={value} is not a port: use a number from 1 to 65535.", exit_code=2
        )
    return int(text)


def saved_state_dir(emulator: Server) -> Path:
    """Where MiniStack saves its resources on SIGTERM (API key values among them)."""
    return emulator.run_dir / f"state-{emulator.port}"


def model_environment(model_url: str) -> dict[str, str]:
    """The emulator's settings that send Bedrock and SageMaker runtime calls to `model_url`."""
    return {
        "MINISTACK_BEDROCK_PROXY_URL": model_url,
        # Inherited by every Lambda worker: botocore's sagemaker-runtime endpoint.
        "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME": model_url,
    }


def start(port: int | str | None = None, model_url: str | None = None) -> tuple[Server, bool]:
    """Start MiniStack unless it already runs; returns it and whether it was started now.

    `model_url` answers its Bedrock and SageMaker runtime calls (the model endpoint at
    DEFAULT_PORT unless given)."""
    emulator = server(port)
    state = saved_state_dir(emulator)
    if state.exists():
        make_private(state)  # saved by an earlier version with the default umask
    started = emulator.start(
        [sys.executable, "-m", __name__],
        env={
            "BIND_HOST": HOST,
            "GATEWAY_PORT": str(emulator.port),
            "MINISTACK_REGION": REGION,
            # Saved on SIGTERM, which is how `stop` ends it, and restored at the next start.
            # The server runs with umask 077 (processes.Server), so the folder is 0700 and
            # each file 0600.
            "PERSIST_STATE": "1",
            "STATE_DIR": str(state),
            "LOG_LEVEL": "WARNING",
            # Listeners MiniStack opens on 0.0.0.0 besides its gateway: IoT's MQTT over TLS
            # (8883, on whenever `cryptography` is installed) and Transfer Family's SFTP (at
            # boot for servers restored from saved state, else at CreateServer). Neither is
            # used here: both off, SFTP on loopback should a server be created. (DSQL's wire
            # proxy also binds 0.0.0.0, with no setting, for DSQL clusters, a type the engine
            # does not apply.)
            "IOT_MTLS_ENABLED": "0",
            "SFTP_ENABLED": "0",
            "SFTP_HOST": HOST,
            "LAMBDA_ACCOUNT_CONCURRENCY": str(lambda_concurrency()),
            **model_environment(model_url or model_endpoint.url()),
        },
    )
    if started:
        _model_url_file(emulator).write_text(model_url or model_endpoint.url())
    return emulator, started


def model_url(emulator: Server) -> str:
    """Where the running `emulator` sends Bedrock and SageMaker runtime calls: the model
    endpoint it was started with."""
    try:
        return _model_url_file(emulator).read_text().strip() or model_endpoint.url()
    except OSError:
        return model_endpoint.url()


def _model_url_file(emulator: Server) -> Path:
    return emulator.run_dir / f"{emulator.port}.model-url"


def reset(emulator: Server) -> bool:
    """Delete every resource on the emulator and its saved state; True when it was running.

    A running MiniStack empties itself (`POST /_ministack/reset`, which also removes the files
    of its saved state); the folder goes too, so a stopped one starts empty.
    """
    running = emulator.pid() is not None
    if running:
        request = urllib.request.Request(emulator.url + "/_ministack/reset", method="POST")
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
    shutil.rmtree(saved_state_dir(emulator), ignore_errors=True)
    return running


def queue_over_cap(lambda_svc: Any, wait_s: float = LAMBDA_QUEUE_WAIT_S) -> None:
    """Make an invocation over MiniStack's account concurrency cap wait for a slot.

    MiniStack counts every invocation, whatever runs it, in `_acquire_execution_slot` and
    `_release_execution_slot`, and throttles at once at the cap (API Gateway then answers 504
    on a REST API). Each invocation runs on a thread of its own, so waiting there blocks no
    other request. Waiters are woken in arrival order, one per released slot; a reserved
    concurrency limit on a function still throttles at once, as on AWS.
    """
    acquire = lambda_svc._acquire_execution_slot
    release = lambda_svc._release_execution_slot
    freed = threading.Condition()

    def acquire_or_wait(func: dict, config: dict) -> tuple[str | None, str | None]:
        deadline = time.monotonic() + wait_s
        with freed:
            while True:
                slot, limit = acquire(func, config)
                remaining = deadline - time.monotonic()
                if slot is not None or limit != "account" or remaining <= 0:
                    return slot, limit
                freed.wait(remaining)

    def release_and_wake(key: str | None) -> None:
        release(key)
        with freed:
            freed.notify()

    lambda_svc._acquire_execution_slot = acquire_or_wait
    lambda_svc._release_execution_slot = release_and_wake


def main() -> None:
    """MiniStack's server (`python -m ministack`), its Lambda invocations queued over the cap,
    its functions Active after LAMBDA_ACTIVATION_S."""
    from ministack import app
    from ministack.services import lambda_svc  # reads LAMBDA_ACCOUNT_CONCURRENCY on import

    queue_over_cap(lambda_svc)
    # A MiniStack internal: fail at start, not silently keep 0.5 s, should an upgrade rename it.
    if not hasattr(lambda_svc, "_LAMBDA_STATE_TRANSITION_DELAY"):
        raise RuntimeError("ministack.services.lambda_svc has no _LAMBDA_STATE_TRANSITION_DELAY")
    lambda_svc._LAMBDA_STATE_TRANSITION_DELAY = LAMBDA_ACTIVATION_S
    app.main()


if __name__ == "__main__":
    main()
