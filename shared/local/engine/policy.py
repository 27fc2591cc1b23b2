"""Run a CrossGuard policy pack on the resources a program declares, as `pulumi preview
--policy-pack <dir>` would, without the CLI.

The pack (a folder with PulumiPolicy.yaml) is loaded by running its `__main__.py` with
`pulumi_policy.PolicyPack` replaced by a class that only keeps its arguments: the real one
starts the analyzer's gRPC server and blocks. The policies it names are then called directly
with the arguments the Pulumi engine would build: a `ResourceValidationArgs` per resource and
one `StackValidationArgs` for the stack, props being the inputs in camelCase as registered,
a value not known yet being pulumi_policy's unknown sentinel behind its unknown-checking proxy
(so a rule that reads it is skipped, as the CLI skips it during a preview).

Users: the engine at plan time (`check`, before anything is applied), the fake `pulumi` of the
tests (`run_program`), and the tests of the pack itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import runpy
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from inspect import isawaitable
from pathlib import Path
from typing import Any

import pulumi_policy
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import (
    _NotApplicableError as NotApplicable,  # raised by `args.not_applicable()`
)
from pulumi_policy.proxy import (
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
    unknown_checking_proxy,
)

from shared.errors import UserError
from shared.local.engine import naming, program
from shared.local.engine.providers import REGISTRY
from shared.local.engine.sdk import Unknown
from shared.local.engine.values import is_unknown

PACK_FILE = "PulumiPolicy.yaml"
STACK_REFERENCE = "pulumi:pulumi:StackReference"
DEFAULT_PROVIDER = "pulumi:providers:aws"


@dataclass(frozen=True)
class Pack:
    """A policy pack as its `__main__.py` declares it."""

    name: str
    policies: list[Policy]
    enforcement_level: EnforcementLevel

    def level(self, policy: Policy) -> EnforcementLevel:
        return policy.enforcement_level or self.enforcement_level


@dataclass(frozen=True)
class Violation:
    policy: str
    level: EnforcementLevel
    message: str
    # The resource it is about ('type name'), empty for the stack as a whole.
    resource: str = ""

    def describe(self) -> str:
        where = f" ({self.resource})" if self.resource else ""
        return f"{self.policy}: {self.message}{where}"


@dataclass
class References:
    """Stack references a program read (through a `program.StackOutputs` callback), with the
    outputs it got, kept to show the pack as `pulumi:pulumi:StackReference` resources."""

    read: Callable[[str, str], dict[str, tuple[Any, bool]] | None]
    seen: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __call__(self, project: str, stack: str) -> dict[str, tuple[Any, bool]] | None:
        outputs = self.read(project, stack)
        if outputs is not None:
            name = f"{program.ORGANIZATION}/{project}/{stack}"
            self.seen[name] = {key: value for key, (value, _secret) in outputs.items()}
        return outputs


_load_lock = threading.Lock()


def load(pack_dir: Path) -> Pack:
    """The pack in `pack_dir`, read from its `__main__.py` as the CLI would run it."""
    pack_dir = pack_dir.resolve()
    if not (pack_dir / PACK_FILE).is_file():
        raise UserError(f"{pack_dir} is not a policy pack: it has no {PACK_FILE}.")
    declared: list[Pack] = []

    class _Declared:
        """Stands in for PolicyPack: keeps what the pack declares instead of serving it."""

        def __init__(
            self,
            name: str,
            policies: list[Policy],
            enforcement_level: EnforcementLevel | None = None,
            **_other: Any,
        ) -> None:
            declared.append(Pack(name, policies, enforcement_level or EnforcementLevel.ADVISORY))

    with _load_lock, _swapped(pulumi_policy, "PolicyPack", _Declared):
        runpy.run_path(str(pack_dir / "__main__.py"), run_name="__main__")
    if len(declared) != 1:
        raise UserError(
            f"{pack_dir / '__main__.py'} declares {len(declared)} policy packs; it must "
            "declare exactly one PolicyPack."
        )
    return declared[0]


@contextlib.contextmanager
def _swapped(module: Any, attribute: str, value: Any) -> Iterator[None]:
    original = getattr(module, attribute)
    setattr(module, attribute, value)
    try:
        yield
    finally:
        setattr(module, attribute, original)


def resources(
    registrations: Mapping[str, program.Registration],
    references: Mapping[str, dict[str, Any]],
    *,
    project: str,
    stack: str,
    config: Mapping[str, str],
    providers: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[PolicyResource]:
    """What the Pulumi engine would hand the pack for these registrations: full URNs,
    parents and dependencies linked, and each resource's provider with the props the CLI gives
    it: an explicit provider's registered inputs (`providers`, by 'pulumi:providers:aws::<name>'),
    the default provider's region from config `aws:region`.

    An explicit provider missing from `providers` is shown with the region the program runner
    copied from it into the resource's inputs (program.py does so for every regional resource
    the program gave no region of its own), the closest this module can see to its inputs."""

    def urn(key: str) -> str:
        return f"urn:pulumi:{stack}::{project}::{key}"

    default_region = config.get("aws:region", program.DEFAULT_REGION)
    made: dict[str, PolicyResource] = {}
    for key, reg in registrations.items():
        provider_key = reg.provider or f"{DEFAULT_PROVIDER}::default"
        made[key] = PolicyResource(
            reg.type,
            unknown_checking_proxy(_wire(reg.inputs)),
            urn(key),
            reg.name,
            PolicyResourceOptions(
                protect=reg.protect,
                ignore_changes=[],
                delete_before_replace=reg.delete_before_replace,
                aliases=[],
                custom_timeouts=pulumi_policy.PolicyCustomTimeouts(0, 0, 0),
                additional_secret_outputs=[],
                parent=urn(reg.parent) if reg.parent else None,
            ),
            PolicyProviderResource(
                DEFAULT_PROVIDER,
                _wire(_provider_props(reg, providers or {}, default_region)),
                urn(provider_key),
                provider_key.rsplit("::", 1)[-1],
            ),
            None,
            [],
            {},
        )
    for name, outputs in references.items():
        key = f"{STACK_REFERENCE}::{name}"
        made[key] = PolicyResource(
            STACK_REFERENCE,
            unknown_checking_proxy({"name": name, "outputs": _wire(outputs)}),
            urn(key),
            name,
            PolicyResourceOptions(
                False, [], False, [], pulumi_policy.PolicyCustomTimeouts(0, 0, 0), [], None
            ),
            None,
            None,
            [],
            {},
        )
    for key, reg in registrations.items():
        resource = made[key]
        resource.parent = made.get(reg.parent)
        resource.dependencies.extend(made[d] for d in sorted(reg.dependencies) if d in made)
    return list(made.values())


def _provider_props(
    reg: program.Registration,
    providers: Mapping[str, Mapping[str, Any]],
    default_region: str,
) -> dict[str, Any]:
    """The props of the provider a resource is registered with, as the CLI passes them."""
    if not reg.provider:
        return {"region": default_region}
    if reg.provider in providers:
        return dict(providers[reg.provider])
    region = reg.inputs.get("region")
    return {"region": region} if region is not None else {}


def _wire(value: Any) -> Any:
    """A registered input as the analyzer receives it: unknowns as the unknown sentinel."""
    if isinstance(value, Unknown):
        return UNKNOWN_STRING_VALUE
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_wire(v) for v in value]
    return value


def evaluate(pack: Pack, planned: list[PolicyResource]) -> list[Violation]:
    """Every violation the pack's enabled policies report on these resources."""
    by_urn = {r.urn: f"{r.resource_type} {r.name}" for r in planned}
    found: list[Violation] = []
    for policy in pack.policies:
        level = pack.level(policy)
        if level is EnforcementLevel.DISABLED:
            continue
        if level is EnforcementLevel.REMEDIATE:
            level = EnforcementLevel.MANDATORY  # a violation left after remediating
        if isinstance(policy, ResourceValidationPolicy):
            for resource in planned:
                if resource.resource_type == STACK_REFERENCE:
                    continue
                args = ResourceValidationArgs(
                    resource.resource_type,
                    resource.props,
                    resource.urn,
                    resource.name,
                    resource.opts,
                    resource.provider,
                )
                # A resource policy's violations are always about the resource validated.
                found += _call(policy, args, level, _always(by_urn[resource.urn]))
        elif isinstance(policy, StackValidationPolicy):
            found += _call(
                policy, StackValidationArgs(planned), level, lambda urn: by_urn.get(urn or "", "")
            )
    return found


def _call(
    policy: ResourceValidationPolicy | StackValidationPolicy,
    args: Any,
    level: EnforcementLevel,
    about: Callable[[str | None], str],
) -> list[Violation]:
    found: list[Violation] = []

    def report(message: str, urn: str | None = None) -> None:
        found.append(Violation(policy.name, level, message or policy.description, about(urn)))

    try:
        result = policy.validate(args, report)
        if isawaitable(result):
            asyncio.run(_awaited(result))
    except (UnknownValueError, NotApplicable):
        pass  # a value the plan cannot know yet; the CLI reports nothing either
    return found


def _always(about: str) -> Callable[[str | None], str]:
    return lambda _urn: about


async def _awaited(result: Any) -> None:
    await result


def check(
    pack_dir: Path,
    registrations: Mapping[str, program.Registration],
    references: Mapping[str, dict[str, Any]],
    *,
    project: str,
    stack: str,
    config: Mapping[str, str],
    out: Callable[[str], None],
    providers: Mapping[str, Mapping[str, Any]] | None = None,
) -> None:
    """Refuse a plan the pack's mandatory policies reject, before anything is applied;
    print the advisory ones. `providers`: the explicit providers' inputs (see `resources`)."""
    pack = load(pack_dir)
    planned = resources(
        registrations,
        references,
        project=project,
        stack=stack,
        config=config,
        providers=providers,
    )
    violations = evaluate(pack, planned)
    for advisory in (v for v in violations if v.level is EnforcementLevel.ADVISORY):
        out(f"Policy {pack.name} (advisory) {advisory.describe()}")
    mandatory = [v for v in violations if v.level is EnforcementLevel.MANDATORY]
    if mandatory:
        raise UserError(
            f"The policy pack {pack.name} ({pack_dir}) refuses {project}/{stack}: "
            + "; ".join(v.describe() for v in mandatory)
            + ". Nothing was changed."
        )


def run_program(
    pack_dir: Path,
    program_dir: Path,
    *,
    project: str,
    stack: str,
    config: dict[str, str],
    stack_outputs: program.StackOutputs,
    account: str = program.DEFAULT_ACCOUNT,
    autonames: bool = False,
) -> tuple[Pack, list[Violation]]:
    """Run a program as a preview of a new stack (every computed output unknown) and return
    what the pack says of it: how the fake CLI and the tests enforce the pack on a program.

    With `autonames`, each resource whose name input the program left unset gets the
    `<logical name>-<7 hex>` pulumi-aws's Check fills in (lower-cased for a bucket), as the CLI
    shows the pack the checked inputs, and the program reads that name as the preview's
    output; without, the pack sees the inputs as the program declared them."""
    registrations: dict[str, program.Registration] = {}

    def resolve(reg: program.Registration) -> program.Resolution:
        if autonames:
            reg = _auto_named(reg)
        registrations[reg.urn] = reg
        return "", {k: v for k, v in reg.inputs.items() if not is_unknown(v)}

    references = References(stack_outputs)
    providers: dict[str, dict[str, Any]] = {}
    program.run(
        program_dir,
        project,
        stack,
        config,
        resolve,
        preview=True,
        region=config.get("aws:region", program.DEFAULT_REGION),
        account=account,
        stack_outputs=references,
        providers=providers,
    )
    pack = load(pack_dir)
    planned = resources(
        registrations,
        references.seen,
        project=project,
        stack=stack,
        config=config,
        providers=providers,
    )
    return pack, evaluate(pack, planned)


def _auto_named(reg: program.Registration) -> program.Registration:
    """The registration with the name pulumi-aws's Check makes for it (naming.py, as the
    engine's providers declare each type's name input), when the program set none."""
    provider = REGISTRY.get(reg.type)
    checked = naming.check(provider.auto_name if provider else None, reg.name, reg.inputs, None)
    return dataclasses.replace(reg, inputs=checked.inputs)
