"""Run an unmodified Pulumi program on the SDK's mock runtime and hand each resource to a callback.

The mock runtime calls `RegisterResource` only once every input of a resource has resolved, so
the callback sees resources in dependency order and can apply them for real, returning the
physical id and outputs the program then reads (an API id flowing into its routes, and so on).
"""

from __future__ import annotations

import asyncio
import atexit
import os
import runpy
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks, settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await


@dataclass(frozen=True)
class Registration:
    """One custom resource as the program declared it."""

    urn: str
    type: str
    name: str
    inputs: dict[str, Any]
    dependencies: frozenset[str] = field(default_factory=frozenset)
    # The parent's 'type::name' (the stack itself for a top-level resource).
    parent: str = ""
    # ResourceOptions that change how the resource is applied.
    delete_before_replace: bool = False
    protect: bool = False


# (physical id, outputs); an empty id means "unknown until applied" in a preview.
Resolution = tuple[str, dict[str, Any]]
Resolver = Callable[[Registration], Resolution]


@dataclass(frozen=True)
class ProgramOutput:
    value: Any
    secret: bool
    known: bool


class _Mocks(pulumi.runtime.Mocks):
    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        # The monitor calls new_resource on the thread that handles the request; the request
        # carries what MockResourceArgs drops (dependencies, parent, options).
        self.request_options = threading.local()

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        if not args.custom:  # components only group resources; there is nothing to apply
            return None, {}
        request = getattr(self.request_options, "request", None)
        urn = f"{args.typ}::{args.name}"
        return self.resolver(
            Registration(
                urn,
                args.typ,
                args.name,
                args.inputs,
                dependencies=_dependencies(request) if request else frozenset(),
                parent=_short_urn(request.parent) if request and request.parent else "",
                delete_before_replace=bool(request and request.deleteBeforeReplace),
                protect=bool(request and request.protect),
            )
        )

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list | None]:
        # Data-source calls have no emulator counterpart; the programs avoid them.
        raise NotImplementedError(f"data source {args.token} is not supported by the local engine")


class _Monitor(mocks.MockMonitor):
    """Keeps each request for new_resource: its dependency URNs, parent and options, which the
    plain mock monitor drops."""

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        self.mocks.request_options.request = request
        try:
            return super().RegisterResource(request)
        finally:
            _close_worker_loop()


def _close_worker_loop() -> None:
    """The mock monitor gives each worker thread an event loop and never closes it; closed
    here, or the loops die with their threads at exit and print spurious tracebacks."""
    with suppress(RuntimeError):
        loop = asyncio.get_event_loop()
        if not loop.is_running():
            loop.close()
            asyncio.set_event_loop(None)


def _dependencies(request: Any) -> frozenset[str]:
    urns = set(request.dependencies)
    for prop in request.propertyDependencies.values():
        urns.update(prop.urns)
    return frozenset(_short_urn(u) for u in urns)


def _short_urn(urn: str) -> str:
    """'type::name', unique within one project and stack (the engine's state key)."""
    qualified_type, name = urn.split("::")[-2:]
    return f"{qualified_type.split('$')[-1]}::{name}"


def run(
    program_dir: Path,
    project: str,
    stack: str,
    config: dict[str, str],
    resolver: Resolver,
    *,
    preview: bool,
) -> dict[str, ProgramOutput]:
    """Run `program_dir/__main__.py` and return its stack outputs."""
    program_dir = program_dir.resolve()
    the_mocks = _Mocks(resolver)
    with _fresh_event_loop():
        settings.set_root_resource(None)  # type: ignore[arg-type]  # a fresh stack per run
        pulumi.runtime.set_mocks(
            the_mocks, project=project, stack=stack, preview=preview, monitor=_Monitor(the_mocks)
        )
        pulumi.runtime.set_all_config(config)
        # Tasks of an earlier run that failed half-way live on a closed loop: forget them,
        # as the SDK's own test decorator does.
        settings.SETTINGS.outputs.clear()
        with _program_context(program_dir):
            main = str(program_dir / "__main__.py")
            _sync_await(run_pulumi_func(lambda: runpy.run_path(main)))
        root = settings.get_root_resource()
        return {name: _resolve_output(value) for name, value in root.outputs.items()}


def _resolve_output(value: Any) -> ProgramOutput:
    out = pulumi.Output.from_input(value)
    known = _sync_await(out.is_known())
    resolved = _sync_await(out.future(with_unknowns=True)) if known else None
    return ProgramOutput(resolved, _sync_await(out.is_secret()), known)


@contextmanager
def _fresh_event_loop() -> Iterator[None]:
    """Each run gets its own event loop, so a run that failed half-way (Ctrl-C in a resource)
    leaves no pending task behind to surface in the next run of the same process. The loop
    that was current before (the SDK makes one when imported) is current again afterwards."""
    try:
        previous = asyncio.get_event_loop()
    except RuntimeError:
        previous = None
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        yield
    finally:
        leftovers = asyncio.all_tasks(loop)
        for task in leftovers:
            task.cancel()
        with suppress(BaseException):  # whatever they raise belongs to the failed run
            loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
        loop.close()
        asyncio.set_event_loop(previous)


@atexit.register
def _close_current_event_loop() -> None:
    """Close the loop left current at exit: an unclosed loop collected during interpreter
    shutdown prints a spurious 'Invalid file descriptor' traceback after a clean run."""
    with suppress(RuntimeError):
        loop = asyncio.get_event_loop()
        if not loop.is_running() and not loop.is_closed():
            loop.close()


@contextmanager
def _program_context(program_dir: Path) -> Iterator[None]:
    """Run as the Pulumi CLI would: from the project folder, with it first on sys.path, and
    with the program's own modules (`settings`, `functions.*`) imported afresh: every run gets
    its own copy, and two projects with a module of the same name never see each other's."""
    old_cwd, old_path = os.getcwd(), list(sys.path)
    os.chdir(program_dir)
    sys.path.insert(0, str(program_dir))
    _forget_modules_under(program_dir)
    try:
        yield
    finally:
        _forget_modules_under(program_dir)
        os.chdir(old_cwd)
        sys.path[:] = old_path


def _forget_modules_under(program_dir: Path) -> None:
    """Drop from sys.modules every module loaded from `program_dir` (files and namespace
    packages alike), and any module whose name a program folder may shadow."""
    for name, module in list(sys.modules.items()):
        locations = [getattr(module, "__file__", None), *getattr(module, "__path__", [])]
        if (
            any(loc and _inside(Path(loc), program_dir) for loc in locations)
            or name.split(".")[0] in _PROGRAM_MODULE_NAMES
        ):
            del sys.modules[name]


# Top-level names every stack folder uses for its own modules: whichever project imported them
# last must not serve them to the next one.
_PROGRAM_MODULE_NAMES = {"settings", "functions"}


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder)
    except OSError:
        return False
