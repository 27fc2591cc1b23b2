"""Secret values as the program runner hands them to providers and the record keeps them.

A secret input (`pulumi.Output.secret`, or one pulumi-aws marks secret: an SSM parameter's
`value`, a secret version's `secretString`) reaches a provider wrapped in the Pulumi SDK's
secret marker, and the record keeps it wrapped, so the state file and every message show it as
a secret. A provider sends the plain value (`revealed`), returns a computed secret wrapped
(`secret`), and reads a live value back wrapped where the record holds it wrapped
(`like_recorded`), or every read would show the secret as drift.
"""

from __future__ import annotations

from typing import Any

from pulumi.runtime.rpc import is_rpc_secret, unwrap_rpc_secret, wrap_rpc_secret


def revealed(value: Any) -> Any:
    """The plain value to send to the emulator (a value that is no secret is itself)."""
    return unwrap_rpc_secret(value)


def secret(value: Any) -> Any:
    """A computed output the program must see as a secret."""
    return wrap_rpc_secret(value)


def like_recorded(recorded: Any, live: Any) -> Any:
    """The live value wrapped as a secret where the recorded one is."""
    return wrap_rpc_secret(live) if is_rpc_secret(recorded) else live
