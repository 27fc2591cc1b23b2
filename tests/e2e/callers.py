"""Requests to a locally deployed stack that carry the stack's own credentials, as its callers
send them: the end-to-end tests call each stack as a client would, not around its access mode.

The credentials come from the stack's `access` and `credentials` outputs through
shared/ops/credentials.py (what `invoke call` uses): an API key in `x-api-key`, a bearer token
from the emulator's `/oauth2/token` (client credentials, HTTP Basic client_id:client_secret), or
a SigV4 signature (service `execute-api`, the emulator's test/test keys).

    caller = callers.for_stack("proxy", outputs, http)   # outputs: local.deploy's answer
    reply = caller("POST", url, {"inputs": "great"})     # conftest.Reply
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared import catalog
from shared.ops import credentials
from shared.ops.outputs import StackOutput


@dataclass(frozen=True)
class Caller:
    """`caller(method, url, body=None, headers=None, raw=None)`: conftest's `http` call with
    the stack's credentials added (a SigV4 signature covers the exact bytes sent)."""

    credentials: credentials.Credentials
    http: Callable[..., Any]  # conftest.call, the `http` fixture

    @property
    def mode(self) -> str:
        return self.credentials.mode

    def __call__(
        self,
        method: str,
        url: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
        timeout: float = 30,
    ) -> Any:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        sent = {"Content-Type": "application/json", **(headers or {})}
        sent = self.credentials.headers(method, url, sent, data)
        return self.http(method, url, headers=sent, raw=data, timeout=timeout)


def for_stack(
    stack: str,
    outputs: dict[str, StackOutput],
    http: Callable[..., Any],
    *,
    client: str | None = None,
) -> Caller:
    """The caller of `client` (default: the first enabled one declared) of the deployed
    `stack`, from its outputs (`local.deploy`'s or `local.outputs`')."""
    found = credentials.for_stack(stack, catalog.LOCAL, client=client, outputs=outputs)
    return Caller(found, http)


def anonymous(http: Callable[..., Any]) -> Caller:
    """A caller without credentials: what the stack must refuse (but in mode none)."""
    return Caller(credentials.Credentials(), http)
