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
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi

from shared.local.engine import sdk


@dataclass(frozen=True)
class Registration:
    """One custom resource as the program declared it."""

    urn: str
    type: str
    name: str
    inputs: dict[str, Any]
    # The 'type::name' of every resource it depends on, directly or through an input.
    dependencies: frozenset[str] = field(default_factory=frozenset)
    # The parent's 'type::name' (the stack itself for a top-level resource).
    parent: str = ""
    # ResourceOptions that change how the resource is applied.
    delete_before_replace: bool = False
    protect: bool = False
    # Inputs holding a secret (set as one in config, or wrapped with Output.secret).
    secret_inputs: frozenset[str] = field(default_factory=frozenset)


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
        self.monitor = sdk.OptionsMonitor(self)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        if not args.custom:  # components only group resources; there is nothing to apply
            return None, {}
        options = self.monitor.current_options()
        return self.resolver(
            Registration(
                f"{args.typ}::{args.name}",
                args.typ,
                args.name,
                args.inputs,
                dependencies=(
                    frozenset(_short_urn(u) for u in options.dependencies)
                    if options
                    else frozenset()
                ),
                parent=_short_urn(options.parent) if options and options.parent else "",
                delete_before_replace=bool(options and options.delete_before_replace),
                protect=bool(options and options.protect),
                secret_inputs=options.secret_inputs if options else frozenset(),
            )
        )

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list | None]:
        # Data-source calls have no emulator counterpart; the programs avoid them.
        raise NotImplementedError(f"data source {args.token} is not supported by the local engine")


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
        sdk.forget_last_run()  # a fresh stack per run
        pulumi.runtime.set_mocks(
            the_mocks, project=project, stack=stack, preview=preview, monitor=the_mocks.monitor
        )
        pulumi.runtime.set_all_config(config)
        sdk.forget_pending_outputs()
        with _program_context(program_dir):
            main = str(program_dir / "__main__.py")
            sdk.run_program(lambda: runpy.run_path(main))
        return {
            name: ProgramOutput(*sdk.output_value(value))
            for name, value in sdk.stack_outputs().items()
        }


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
    failed = False

    def quiet_after_failure(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        # A run that failed half-way leaves the outputs of the resources it skipped holding
        # its error; collected later, each would print "Future exception was never retrieved"
        # for an error the caller already got.
        if not (failed and "never retrieved" in str(context.get("message", ""))):
            loop.default_exception_handler(context)

    loop.set_exception_handler(quiet_after_failure)
    asyncio.set_event_loop(loop)
    try:
        yield
    except BaseException:
        failed = True
        raise
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
    _forget_program_modules(sys.modules)
    before = set(sys.modules)
    try:
        yield
    finally:
        # Only what this run imported is looked at: sys.modules holds hundreds of modules.
        added = {name: sys.modules[name] for name in set(sys.modules) - before}
        _forget_program_modules(added, program_dir)
        os.chdir(old_cwd)
        sys.path[:] = old_path


def _forget_program_modules(modules: dict[str, Any], program_dir: Path | None = None) -> None:
    """Drop from sys.modules, among `modules`, those a program folder may shadow (`settings`,
    `functions.*`) and, given `program_dir`, every one loaded from it (files and namespace
    packages alike)."""
    folder = f"{program_dir}{os.sep}" if program_dir else None
    for name, module in list(modules.items()):
        locations = [getattr(module, "__file__", None), *getattr(module, "__path__", [])]
        if name.split(".")[0] in _PROGRAM_MODULE_NAMES or (
            folder and any(isinstance(loc, str) and loc.startswith(folder) for loc in locations)
        ):
            sys.modules.pop(name, None)


# Top-level names every stack folder uses for its own modules: whichever project imported them
# last must not serve them to the next one.
_PROGRAM_MODULE_NAMES = {"settings", "functions"}
