"""Run an unmodified Pulumi program on the SDK's mock runtime and hand each resource to a callback.

The mock runtime calls `RegisterResource` only once every input of a resource has resolved, so
the callback sees resources in dependency order and can apply them for real, returning the
physical id and outputs the program then reads (an API id flowing into its routes, and so on).

What the program gets, as the Pulumi CLI and pulumi-aws would give it:
- A resource passed as an input (`role=role`, `function=fn`) arrives as its physical id, as
  pulumi-terraform-bridge's providers receive it (they do not accept resource references, so the
  Pulumi engine sends a custom resource as its id; see sdk.py, 10). The id is whatever AWS calls
  the resource: for an IAM role its name, so `aws.lambda_.Function(role=role)` passes the role's
  name where Lambda wants an ARN, exactly as on AWS; write `role=role.arn`.
- The program's own modules (`import iam`, packages too) run afresh in every run.
- Explicit providers (`aws.Provider("west", region="eu-west-1")`) are handled here: the callback
  never sees them, and each resource registered with one (`provider=`, or `providers=` /
  `provider=` of a component up its `parent` chain) gets the provider's region as its own
  `region` input when the program set none (every regional pulumi-aws 7 resource takes one).
- `Registration.dependencies` holds every custom resource a resource depends on, explicitly
  (`depends_on`; on a component: its custom descendants through nested components, as Pulumi's
  SDK expands them, which leaves out a child registered under a custom resource) or through an
  input, and nothing the runner handles itself (providers, stack references).
- `Resource.get(...)` (reading a resource the program does not manage) is refused by name.
- Data sources are answered by data_sources.py; any other is refused by name.
- `pulumi.StackReference("<org>/<project>/<stack>")` (or "<project>/<stack>", or "<stack>" of this
  project) reads another local deployment's outputs through `stack_outputs`.
- An output property of a resource that the callback does not produce (`produces`) and the
  program did not set as an input holds a marker instead of None; a resource input or stack
  output built from it is refused with a message naming both ends, at plan time.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import re
import runpy
import secrets
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi

from shared.errors import UserError
from shared.local.engine import data_sources, sdk


@dataclass(frozen=True)
class Registration:
    """One custom resource as the program declared it."""

    urn: str
    type: str
    name: str
    inputs: dict[str, Any]
    # The 'type::name' of every custom resource it depends on, explicitly or through an input.
    dependencies: frozenset[str] = field(default_factory=frozenset)
    # The parent's 'type::name' (the stack itself for a top-level resource).
    parent: str = ""
    # ResourceOptions that change how the resource is applied.
    delete_before_replace: bool = False
    protect: bool = False
    # Inputs holding a secret (set as one in config, or wrapped with Output.secret).
    secret_inputs: frozenset[str] = field(default_factory=frozenset)
    # The 'pulumi:providers:aws::name' of the explicit provider it was registered with, if any;
    # its region is already in `inputs` (unless the program set one).
    provider: str = ""


# (physical id, outputs); an empty id means "unknown until applied" in a preview.
Resolution = tuple[str, dict[str, Any]]
Resolver = Callable[[Registration], Resolution]
# (project, stack) -> {output name: (value, secret)}, or None when that project has no local
# deployment in that stack.
StackOutputs = Callable[[str, str], "dict[str, tuple[Any, bool]] | None"]
# type token -> every output property the engine yields for resources of that type, inputs
# included; None for a type it does not know (nothing is checked then).
Produces = Callable[[str], "frozenset[str] | None"]

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "000000000000"
# The organization of every local deployment, as Pulumi's DIY backends name theirs.
ORGANIZATION = "organization"


@dataclass(frozen=True)
class ProgramOutput:
    value: Any
    secret: bool
    known: bool


def run(
    program_dir: Path,
    project: str,
    stack: str,
    config: dict[str, str],
    resolver: Resolver,
    *,
    preview: bool,
    region: str = DEFAULT_REGION,
    account: str = DEFAULT_ACCOUNT,
    stack_outputs: StackOutputs | None = None,
    produces: Produces | None = None,
    providers: dict[str, dict[str, Any]] | None = None,
    components: dict[str, str] | None = None,
) -> dict[str, ProgramOutput]:
    """Run `program_dir/__main__.py` and return its stack outputs; `providers`, when given, is
    filled with each explicit provider's inputs by its 'type::name' (what a policy pack sees
    of a resource's provider), and `components` with each component resource's parent
    'type::name' by its own (the resolver sees custom resources only; `invoke graph` groups
    them by component).

    `region` and `account` are what data sources answer with (the default provider's region and
    the emulator's account); `stack_outputs` reads other local deployments for stack references;
    `produces` says which outputs the resolver yields (see the module doc). A problem found on
    the way (an unsupported data source, a missing stack, an output read that nothing produces)
    is raised as the UserError it is, in a preview before the resolver applied anything."""
    program_dir = program_dir.resolve()
    the_mocks = _Mocks(
        resolver,
        project=project,
        preview=preview,
        scope=data_sources.Scope(region, account),
        stack_outputs=stack_outputs,
        produces=produces,
    )
    with _fresh_event_loop():
        sdk.forget_last_run()  # a fresh stack per run
        pulumi.runtime.set_mocks(
            the_mocks,
            project=project,
            stack=stack,
            preview=preview,
            monitor=the_mocks.monitor,
            organization=ORGANIZATION,
        )
        pulumi.runtime.set_all_config(config)
        sdk.forget_pending_outputs()
        try:
            with _program_context(program_dir):
                main = str(program_dir / "__main__.py")
                sdk.run_program(lambda: runpy.run_path(main))
        except BaseException:
            # The SDK reports a failed registration or call in its own words (or not at all);
            # the first failure is the one to show.
            the_mocks.raise_first_failure()
            raise
        the_mocks.raise_first_failure()
        outputs = {
            name: ProgramOutput(*sdk.output_value(value))
            for name, value in sdk.stack_outputs().items()
        }
    if providers is not None:
        providers.update({_short_urn(urn): dict(i) for urn, i in the_mocks.provider_inputs()})
    if components is not None:
        components.update(the_mocks.component_parents())
    for name, output in outputs.items():
        the_mocks.unproduced.check(
            output.value,
            f"The stack output {name!r}",
            "Nothing was changed." if preview else "The resources were applied and recorded.",
        )
    return outputs


class _Mocks(pulumi.runtime.Mocks):
    """Each registration and call of the program: custom resources go to the resolver, the rest
    is answered here. The monitor calls these from its worker threads, several at a time."""

    def __init__(
        self,
        resolver: Resolver,
        *,
        project: str,
        preview: bool,
        scope: data_sources.Scope,
        stack_outputs: StackOutputs | None,
        produces: Produces | None,
    ) -> None:
        self.resolver = resolver
        self.monitor = sdk.OptionsMonitor(self)
        self.project = project
        self.preview = preview
        self.scope = scope
        self.stack_outputs = stack_outputs
        self.produces = produces
        self.unproduced = _Unproduced()
        self._lock = threading.Lock()
        self._failures: list[BaseException] = []
        # Provider URN -> its inputs; URNs the runner handles itself (providers, stack refs).
        self._providers: dict[str, dict[str, Any]] = {}
        self._handled_here: set[str] = set()
        # Component 'type::name' -> its parent's (the stack's for a top-level component).
        self._components: dict[str, str] = {}

    def raise_first_failure(self) -> None:
        with self._lock:
            first = self._failures[0] if self._failures else None
        if first is not None:
            raise first

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        try:
            return self._new_resource(args)
        except BaseException as error:
            with self._lock:
                self._failures.append(error)
            raise

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list | None]:
        try:
            provider = self._provider_inputs(args.provider)
            region = provider.get("region") if provider else None
            scope = data_sources.Scope(
                region if isinstance(region, str) else self.scope.region, self.scope.account
            )
            return data_sources.call(args.token, args.args, scope), []
        except BaseException as error:
            with self._lock:
                self._failures.append(error)
            raise

    def _new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        options = self.monitor.current_options()
        urn = options.urn if options else ""
        if args.typ == _STACK_REFERENCE:
            with self._lock:
                self._handled_here.add(urn)
            return self._stack_reference(args)
        if args.custom is None:  # read, not registered: `SomeResource.get(name, id)`
            raise UserError(
                f"The program reads the existing {args.typ} {args.name!r} ({args.resource_id}) "
                "with .get(), which the local engine does not support. Nothing was changed."
            )
        if not args.custom:  # components only group resources; there is nothing to apply
            with self._lock:
                self._components[_short_urn(urn)] = (
                    _short_urn(options.parent) if options and options.parent else ""
                )
            return None, {}
        inputs = dict(args.inputs)
        described = f"{args.typ} {args.name!r}"
        outcome = (
            "Nothing was changed."
            if self.preview
            else "It was not applied; everything applied before it is recorded."
        )
        for prop, value in inputs.items():
            self.unproduced.check(value, f"{described} input {prop!r}", outcome)
        if args.typ.startswith(_PROVIDER_TYPE_PREFIX):
            with self._lock:
                self._providers[urn] = inputs
                self._handled_here.add(urn)
            return args.name, inputs  # a provider's state is its configuration
        provider = self._provider_inputs(args.provider)
        output_properties = _output_properties(args.typ)
        if (
            provider is not None
            and "region" not in inputs
            and isinstance(provider.get("region"), str)
            and "region" in output_properties
        ):
            inputs["region"] = provider["region"]
        with self._lock:
            handled_here = set(self._handled_here)
        resource_id, outputs = self.resolver(
            Registration(
                f"{args.typ}::{args.name}",
                args.typ,
                args.name,
                inputs,
                dependencies=(
                    frozenset(_short_urn(u) for u in options.dependencies if u not in handled_here)
                    if options
                    else frozenset()
                ),
                parent=_short_urn(options.parent) if options and options.parent else "",
                delete_before_replace=bool(options and options.delete_before_replace),
                protect=bool(options and options.protect),
                secret_inputs=options.secret_inputs if options else frozenset(),
                provider=(
                    _short_urn(_provider_urn(args.provider))
                    if provider is not None and args.provider
                    else ""
                ),
            )
        )
        produced = self.produces(args.typ) if self.produces else None
        if produced is not None:
            outputs = dict(outputs)
            for prop in sorted(output_properties - produced - set(inputs) - set(outputs)):
                outputs[prop] = self.unproduced.mark(args.typ, args.name, prop)
        return resource_id, outputs

    def provider_inputs(self) -> list[tuple[str, dict[str, Any]]]:
        """(URN, inputs) of every explicit provider the program registered."""
        with self._lock:
            return list(self._providers.items())

    def component_parents(self) -> dict[str, str]:
        """Each component resource's parent 'type::name' by its own."""
        with self._lock:
            return dict(self._components)

    def _provider_inputs(self, reference: str | None) -> dict[str, Any] | None:
        """The inputs of the explicit provider a provider reference ('<urn>::<id>') names."""
        if not reference:
            return None
        with self._lock:
            return self._providers.get(_provider_urn(reference))

    def _stack_reference(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        target = str(args.inputs.get("name") or args.resource_id or args.name)
        project, stack = self._referenced(target)
        outputs = self.stack_outputs(project, stack) if self.stack_outputs else None
        if outputs is None:
            raise UserError(
                f"pulumi.StackReference {args.name!r} reads {target!r}, but the project "
                f"{project} has no local deployment in the stack {stack!r}: deploy {project} "
                "first. Nothing was changed."
            )
        return target, {
            "name": target,
            "outputs": {
                name: sdk.secret_value(value) if secret else value
                for name, (value, secret) in outputs.items()
            },
            "secretOutputNames": sorted(name for name, (_, secret) in outputs.items() if secret),
        }

    def _referenced(self, target: str) -> tuple[str, str]:
        """(project, stack) of a stack reference's name, as Pulumi's DIY backends read it."""
        parts = target.split("/")
        if len(parts) == 1 and parts[0]:
            return self.project, parts[0]
        if len(parts) == 2 and all(parts):
            return parts[0], parts[1]
        if len(parts) == 3 and all(parts):
            if parts[0] != ORGANIZATION:
                raise UserError(
                    f"pulumi.StackReference {target!r} names the organization {parts[0]!r}; "
                    f"local deployments belong to {ORGANIZATION!r} (write "
                    f"'{ORGANIZATION}/{parts[1]}/{parts[2]}', '{parts[1]}/{parts[2]}', or use "
                    "pulumi.get_organization()). Nothing was changed."
                )
            return parts[1], parts[2]
        raise UserError(
            f"pulumi.StackReference {target!r} is not '<organization>/<project>/<stack>', "
            "'<project>/<stack>' or '<stack>'. Nothing was changed."
        )


_STACK_REFERENCE = "pulumi:pulumi:StackReference"
_PROVIDER_TYPE_PREFIX = "pulumi:providers:"


def _provider_urn(reference: str) -> str:
    """The URN in a provider reference, '<urn>::<id>'."""
    return reference.rsplit("::", 1)[0]


def _short_urn(urn: str) -> str:
    """'type::name', unique within one project and stack (the engine's state key)."""
    qualified_type, name = urn.split("::")[-2:]
    return f"{qualified_type.split('$')[-1]}::{name}"


class _OutputProperties:
    """Type token -> the output properties of its pulumi-aws class. The class is among
    CustomResource's subclasses once the program has imported it, which it has by the time it
    registers a resource of that type; a token with no class has none."""

    def __init__(self) -> None:
        self._known: dict[str, frozenset[str]] = {}
        self._lock = threading.Lock()

    def __call__(self, type_token: str) -> frozenset[str]:
        with self._lock:
            if type_token not in self._known:
                cls = _resource_classes().get(type_token)
                self._known[type_token] = sdk.output_properties(cls) if cls else frozenset()
            return self._known[type_token]


def _resource_classes() -> dict[str, type]:
    found: dict[str, type] = {}
    pending: list[type] = [pulumi.CustomResource]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        token = pulumi.get_type_token(cls)
        if token:
            found.setdefault(token, cls)
    return found


_output_properties = _OutputProperties()


class _Unproduced:
    """Markers standing in for outputs the engine does not produce, and the check that none
    reaches a resource or a stack output. A marker is a plain ASCII word, so it survives what
    programs do to strings (concatenation, f-strings in apply, json.dumps) and is found in the
    result. In a preview, a value combining a marker with an unknown value is unknown as a
    whole; the marker then surfaces in the apply pass, still before the reading resource is
    applied."""

    def __init__(self) -> None:
        self._nonce = secrets.token_hex(4)
        self._pattern = re.compile(rf"unproduced-{self._nonce}-(\d+)")
        self._read: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()

    def mark(self, type_token: str, name: str, prop: str) -> str:
        with self._lock:
            self._read.append((type_token, name, prop))
            return f"unproduced-{self._nonce}-{len(self._read) - 1}"

    def check(self, value: Any, reader: str, outcome: str) -> None:
        """Raise if `value` holds a marker; `reader` says where it was found, `outcome` what
        the refusal leaves."""
        for text in _strings(value):
            found = self._pattern.search(text)
            if found is None:
                continue
            with self._lock:
                type_token, name, prop = self._read[int(found.group(1))]
            raise UserError(
                f"{reader} reads {type_token} {name!r} output {prop!r}, which the local engine "
                f"does not produce. {outcome}"
            )


def _strings(value: Any) -> Iterator[str]:
    """Every string in an input or output value, keys and asset texts included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, pulumi.StringAsset):
        yield value.text
    elif isinstance(value, pulumi.AssetArchive):
        yield from _strings(value.assets)


# Threads for registrations: enough for every resource of a large stack to wait at once.
REGISTRATION_THREADS = 512


class _SharedPool(ThreadPoolExecutor):
    """The registration threads of every run in the process. A thread ends a registration
    holding nothing of its run, so the next run reuses it instead of starting a thread per
    resource again. Closing a run's loop shuts its default executor down: not this one (its
    threads end at exit, when concurrent.futures joins every pool's threads)."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        pass


_REGISTRATIONS = _SharedPool(max_workers=REGISTRATION_THREADS, thread_name_prefix="register")


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
    # The SDK sends each registration from a thread of the loop's default executor, which a
    # resolver may hold while the resource waits for another to be applied (Provider.after:
    # an Integration for its Method). The default pool (cores + 4 threads) would then be
    # exhausted by a few waiting resources, and the ones they wait for never sent.
    loop.set_default_executor(_REGISTRATIONS)
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


# An output whose value failed leaves its `is_known` and `is_secret` coroutines unawaited (the
# SDK awaits them after the value). Collected at some later point, each would print "coroutine
# 'Output._is_known' was never awaited" after the error the caller already got, at exit
# included. Those two are the SDK's own and unawaited only after a failure the engine reports,
# so they are silenced for good, instead of a full collection after each failed run (0.1-0.3 s
# in a process holding the SDK and pulumi-aws: most of a failed config check's time).
warnings.filterwarnings(
    "ignore", r"coroutine 'Output\._is_(known|secret)' was never awaited", RuntimeWarning
)


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
    """Run as the Pulumi CLI would, in a fresh interpreter: from the project folder, with it
    first on sys.path, and with the program's own modules (`iam`, `settings`, `functions.*`)
    imported afresh, so that every run executes them (and registers their resources) again,
    and two projects with a module of the same name never see each other's. A module of the
    same name the process had already imported (a library's `utils`) is set aside for the run
    and put back after it."""
    old_cwd, old_path = os.getcwd(), list(sys.path)
    names = _PROGRAM_MODULE_NAMES | _top_level_modules(program_dir)
    set_aside = {
        name: sys.modules.pop(name) for name in [n for n in sys.modules if n.split(".")[0] in names]
    }
    os.chdir(program_dir)
    sys.path.insert(0, str(program_dir))
    before = set(sys.modules)
    try:
        yield
    finally:
        # Only what this run imported is looked at: sys.modules holds hundreds of modules.
        folder = f"{program_dir}{os.sep}"
        for name in set(sys.modules) - before:
            module = sys.modules[name]
            locations = [getattr(module, "__file__", None), *getattr(module, "__path__", [])]
            if name.split(".")[0] in names or any(
                isinstance(loc, str) and loc.startswith(folder) for loc in locations
            ):
                del sys.modules[name]
        # A program module of another project is not put back: its next run imports it anew.
        sys.modules.update(
            {n: m for n, m in set_aside.items() if n.split(".")[0] not in _PROGRAM_MODULE_NAMES}
        )
        os.chdir(old_cwd)
        sys.path[:] = old_path


def _top_level_modules(program_dir: Path) -> set[str]:
    """The names `import` finds in the program folder: its .py files and its folders (packages,
    with or without __init__.py)."""
    names = set()
    for entry in os.scandir(program_dir):
        stem = entry.name.removesuffix(".py") if entry.is_file() else entry.name
        if (entry.is_dir() or entry.name.endswith(".py")) and stem.isidentifier():
            names.add(stem)
    names.discard("__main__")
    names.discard("__pycache__")
    return names


# Top-level names every stack folder uses for its own modules: whichever project imported them
# last must not serve them to the next one.
_PROGRAM_MODULE_NAMES = {"settings", "functions"}
