"""Every Pulumi SDK internal the engine uses, and the only module that touches them.

The engine runs a program on the SDK's mock runtime, a public testing API (`set_mocks`, `Mocks`,
`MockResourceArgs`, `set_all_config`). Applying resources for real and running the program more
than once per process takes the few private or undocumented pieces below. The rest of the engine
imports this module and public `pulumi` APIs only. tests/engine/test_sdk_internals.py checks
each piece against the installed SDK and fails naming this module when an upgrade changes one;
pyproject.toml pins `pulumi` to the minor release those checks passed on.

1. `pulumi.runtime.mocks.MockMonitor` (subclassed, constructor `(mocks)`, method
   `RegisterResource(request)` calling `mocks.new_resource` on the thread handling the request):
   `MockResourceArgs` drops what the engine needs from the `RegisterResourceRequest` protobuf,
   so `OptionsMonitor` keeps the request's `dependencies`, `propertyDependencies[*].urns`
   (the deletion order), `parent`, `deleteBeforeReplace` and `protect` for `new_resource`.
2. The mock monitor gives each worker thread an event loop (`_ensure_event_loop`) and never
   closes it; `OptionsMonitor` closes it after each request, or the loops die with their threads
   at exit and print spurious tracebacks.
3. `pulumi.runtime.settings.set_root_resource(None)`: forget the last run's stack, so `set_mocks`
   makes a fresh one (a process may run a program twice: plan, then apply).
4. `pulumi.runtime.settings.SETTINGS.outputs`: output tasks an earlier run that failed half-way
   left on its closed loop; cleared, as the SDK's own test decorator does.
5. `pulumi.runtime.stack.run_pulumi_func(func)`: runs the program, then waits for every RPC and
   output, as the language host does.
6. `pulumi.runtime.sync_await._sync_await(awaitable)`: waits on the SDK's loop from plain code.
7. `get_root_resource().outputs`: the stack outputs, read without an engine to send them to.
8. `pulumi.output.Unknown` and `Output.future(with_unknowns=True)`: the placeholder a preview
   puts where a value is not known yet, and the way to see it instead of None.
9. `pulumi.runtime.rpc._special_sig_key` / `_special_secret_sig`: how a secret value is marked
   in a request's `object` (MockResourceArgs hands the inputs over unwrapped), so the engine
   knows which inputs are secrets; the same marker makes a value the runner returns a secret
   (`secret_value`: a stack reference's secret outputs).
10. `MockMonitor.GetDeploymentInfo` lists the monitor's features, `set_mocks` reads them from
   it, and with `RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES` among them the SDK sends a
   resource passed as an input (`role=role`) as a reference, which the mock monitor turns back
   into a resource object on its worker thread: constructing it there registers a `get` on the
   wrong event loop ("attached to a different loop") and hands the object itself to
   `new_resource` (`'Role' object has no attribute 'startswith'`). `OptionsMonitor` leaves the
   feature out, so the SDK sends a custom resource as its id and a component as its URN: what
   pulumi-terraform-bridge's providers receive, since they do not accept resource references.
11. `MockMonitor.ReadResource(request)` calls `mocks.new_resource` for a resource the program
   reads instead of creating (`pulumi.StackReference`, `Resource.get`), with `custom` None and
   the id in `resource_id`; `OptionsMonitor` gives it options too (its URN, its parent).
12. `MockMonitor.make_urn(parent, type, name)`: the URN the monitor gives a registration.
13. `pulumi.getter` marks each output property of a generated resource class with the
   attribute `_pulumi_name` (its name on the wire); `output_properties` reads them.
14. `pulumi.runtime.resource._get_stack_trace()`, called for every registration, walks the
   Python stack to send the engine where the resource was declared (for the CLI's messages).
   The local engine reads none of it, and the walk (a `pathlib.Path` per frame) was ~1 ms a
   resource, a tenth of a large stack's deploy: `run_program` replaces it, while the program
   runs, with the empty trace the SDK itself sends when it finds no user frame.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, TypeVar

import pulumi
from google.protobuf import json_format
from pulumi.output import Unknown
from pulumi.runtime import mocks, resource, rpc, settings
from pulumi.runtime.proto import resource_pb2, source_pb2
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

__all__ = [
    "OptionsMonitor",
    "output_properties",
    "RequestOptions",
    "Unknown",
    "await_sync",
    "forget_last_run",
    "forget_pending_outputs",
    "output_value",
    "request_options",
    "run_program",
    "secret_value",
    "stack_outputs",
]

T = TypeVar("T")


@dataclass(frozen=True)
class RequestOptions:
    """What a RegisterResource request carries beyond MockResourceArgs (full URNs)."""

    dependencies: frozenset[str]
    parent: str
    delete_before_replace: bool
    protect: bool
    secret_inputs: frozenset[str] = frozenset()
    # The URN the monitor gives the resource (a provider's is part of its reference).
    urn: str = ""


def request_options(request: Any, urn: str = "") -> RequestOptions:
    """The options of a `RegisterResourceRequest`: every dependency, direct or through an
    input (property dependencies), the parent's URN and the replacement options."""
    urns = set(request.dependencies)
    for prop in request.propertyDependencies.values():
        urns.update(prop.urns)
    return RequestOptions(
        dependencies=frozenset(urns),
        parent=request.parent or "",
        delete_before_replace=bool(request.deleteBeforeReplace),
        protect=bool(request.protect),
        secret_inputs=secret_inputs(request.object),
        urn=urn,
    )


def secret_value(value: Any) -> dict[str, Any]:
    """`value` marked as a secret, as the monitor would return it in a resource's outputs."""
    return {rpc._special_sig_key: rpc._special_secret_sig, "value": value}


def secret_inputs(properties: Any) -> frozenset[str]:
    """The top-level inputs of a serialized property struct that hold a secret anywhere."""
    values = json_format.MessageToDict(properties) if properties is not None else {}
    return frozenset(name for name, value in values.items() if _holds_secret(value))


def _holds_secret(value: Any) -> bool:
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return True
        return any(_holds_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_secret(v) for v in value)
    return False


class OptionsMonitor(mocks.MockMonitor):
    """The SDK's mock monitor, keeping each request's options for `new_resource`, which runs on
    the same thread while the request is handled."""

    def __init__(self, the_mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(the_mocks)
        self._current = threading.local()

    def current_options(self) -> RequestOptions | None:
        """The options of the request this thread is handling, if any."""
        options: RequestOptions | None = getattr(self._current, "options", None)
        return options

    def GetDeploymentInfo(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        """The mock monitor's features but resource references (see the module doc, 10)."""
        info = super().GetDeploymentInfo(request)
        kept = [f for f in info.supportedFeatures if f != _RESOURCE_REFERENCES]
        del info.supportedFeatures[:]
        info.supportedFeatures.extend(kept)
        return info

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        urn = self.make_urn(request.parent, request.type, request.name)
        self._current.options = request_options(request, urn)
        try:
            return super().RegisterResource(request)
        finally:
            self._current.options = None
            _close_worker_loop()

    def ReadResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        urn = self.make_urn(request.parent, request.type, request.name)
        self._current.options = RequestOptions(
            dependencies=frozenset(request.dependencies),
            parent=request.parent or "",
            delete_before_replace=False,
            protect=False,
            urn=urn,
        )
        try:
            return super().ReadResource(request)
        finally:
            self._current.options = None
            _close_worker_loop()

    def Invoke(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        try:
            return super().Invoke(request)
        finally:
            _close_worker_loop()


_RESOURCE_REFERENCES = resource_pb2.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES


def _close_worker_loop() -> None:
    with suppress(RuntimeError):
        loop = asyncio.get_event_loop()
        if not loop.is_running():
            loop.close()
            asyncio.set_event_loop(None)


def output_properties(resource_class: type) -> frozenset[str]:
    """The wire names of every output property a generated resource class declares
    (`@pulumi.getter(name="sourceArn")` on `source_arn`), inherited ones included."""
    names: set[str] = set()
    for cls in resource_class.__mro__:
        for member in vars(cls).values():
            if isinstance(member, property):
                name = getattr(member.fget, _PULUMI_NAME, None)
                if isinstance(name, str):
                    names.add(name)
    return frozenset(names)


_PULUMI_NAME = "_pulumi_name"  # pulumi._types._PULUMI_NAME


def forget_last_run() -> None:
    """Before `set_mocks`: no stack of an earlier run in this process."""
    settings.set_root_resource(None)  # type: ignore[arg-type]  # None is what "no stack" is


def forget_pending_outputs() -> None:
    """After `set_mocks`: no output task of an earlier run that failed half-way."""
    settings.SETTINGS.outputs.clear()


def run_program(main: Callable[[], object]) -> None:
    """Run the program and wait for everything it started (without source positions: 14)."""

    def program() -> None:
        main()

    walk = resource._get_stack_trace
    resource._get_stack_trace = source_pb2.StackTrace
    try:
        _sync_await(run_pulumi_func(program))
    finally:
        resource._get_stack_trace = walk


def stack_outputs() -> dict[str, Any]:
    """The outputs the program exported (values, outputs or plain)."""
    root = settings.get_root_resource()
    if root is None:
        return {}
    outputs: dict[str, Any] = getattr(root, "outputs", {})
    return outputs


def await_sync(awaitable: Awaitable[T]) -> T:
    return _sync_await(awaitable)


def output_value(value: Any) -> tuple[Any, bool, bool]:
    """(value, secret, known) of an exported value; an unknown one has the value None."""
    out = pulumi.Output.from_input(value)
    known = _sync_await(out.is_known())
    resolved = _sync_await(out.future(with_unknowns=True)) if known else None
    return resolved, _sync_await(out.is_secret()), known
