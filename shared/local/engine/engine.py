"""The local engine: plan a Pulumi program against recorded state, then apply it to the emulator.

A run has two passes over the same program:
1. plan: a preview on the mock runtime. Each resource is compared with its record; values that
   depend on resources not applied yet are unknown, as in `pulumi preview`.
2. apply: the program runs again and each resource is created, updated or replaced the moment
   the runtime registers it (so in dependency order), its real id and outputs flowing back into
   the program. Resources the program no longer declares are deleted last, dependents first.
The state is written after every resource; see state.py for why that makes runs resumable.

A resource the program gives no name is auto-named as pulumi-aws does (naming.py).

A replacement follows Pulumi: the new resource is created first and the old one deleted at the
end of the run (create-before-delete), unless the old one must go first (`replace_order`):
- the program set `delete_before_replace`;
- the program set the resource's name itself: two resources cannot have one name, so
  pulumi-aws's provider asks Pulumi to delete first (pulumi-terraform-bridge,
  nameRequiresDeleteBeforeReplace), and so does the engine;
- the resource's identity is made of inputs the replacement keeps (`Provider.identity`: a
  method is its API, resource and verb), where AWS would answer with a conflict, or a put call
  would overwrite the old resource and the deletion of the old copy then delete the new one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from shared.errors import UserError
from shared.local.engine import program
from shared.local.engine.naming import Checked, adopt_legacy_name, check
from shared.local.engine.providers import REGISTRY, Context, Desired, Provider
from shared.local.engine.state import ResourceRecord, StateStore, exclusive
from shared.local.engine.values import is_unknown, plain


class Action(Enum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    SAME = "same"


SYMBOLS = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.REPLACE: "+-",
    Action.DELETE: "-",
    Action.SAME: "=",
}


@dataclass(frozen=True)
class Step:
    action: Action
    type: str
    name: str
    changed: tuple[str, ...] = ()

    def describe(self) -> str:
        why = f"  ({', '.join(self.changed)})" if self.changed else ""
        return f"  {SYMBOLS[self.action]:>2} {self.action.value:<8} {self.type}  {self.name}{why}"


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    outputs: dict[str, program.ProgramOutput] = field(default_factory=dict)

    def count(self, action: Action) -> int:
        return sum(1 for s in self.steps if s.action is action)

    @property
    def has_changes(self) -> bool:
        return any(s.action is not Action.SAME for s in self.steps)

    def summary(self) -> str:
        parts = [f"{self.count(a)} to {a.value}" for a in Action if a is not Action.SAME]
        return ", ".join(parts) + f", {self.count(Action.SAME)} unchanged"


class ApplyError(UserError):
    """An emulator call failed; everything applied before it is recorded."""


def diff(
    provider: Provider, have: ResourceRecord | None, inputs: dict[str, Any]
) -> tuple[Action, tuple[str, ...]]:
    """What it takes to go from the record to these inputs, and which inputs changed."""
    if have is None:
        return Action.CREATE, ()
    new = {k: v for k, v in inputs.items() if v is not None}
    changed = tuple(
        sorted(
            key
            for key in set(have.inputs) | set(new)
            if is_unknown(new.get(key)) or plain(new.get(key)) != have.inputs.get(key)
        )
    )
    if not changed:
        return Action.SAME, ()
    if set(changed) <= provider.updatable:
        return Action.UPDATE, changed
    return Action.REPLACE, changed


def replace_order(
    provider: Provider, reg: program.Registration, have: ResourceRecord, new: Checked
) -> str | None:
    """Why the old copy of a replaced resource must be deleted before the new one is created,
    or None for Pulumi's default, create-before-delete (see the module doc)."""
    if reg.delete_before_replace:
        return "delete_before_replace is set"
    auto = provider.auto_name
    if auto is not None and auto.prop not in new.defaults:
        return f"the program names it ({auto.prop})"
    if provider.identity and all(
        plain(new.inputs.get(k)) == have.inputs.get(k) for k in provider.identity
    ):
        return f"the new one keeps its {', '.join(provider.identity)}"
    return None


class Engine:
    """Plans, applies and destroys one project's stack (one environment) on the emulator."""

    def __init__(
        self,
        program_dir: Path,
        project: str,
        stack: str,
        config: dict[str, str],
        context: Context,
        state_path: Path,
        out: Callable[[str], None] = print,
    ) -> None:
        self.program_dir = program_dir
        self.project = project
        self.stack = stack
        self.config = config
        self.ctx = context
        self.state_path = state_path
        self.out = out
        self._apply_lock = threading.Lock()

    @property
    def what(self) -> str:
        return f"{self.project}/{self.stack}"

    # -- plan ---------------------------------------------------------------------------------

    def plan(self) -> Plan:
        state = StateStore(self.state_path)
        plan = Plan()
        unsupported: set[str] = set()
        declared: set[str] = set()

        def resolve(reg: program.Registration) -> program.Resolution:
            declared.add(reg.urn)
            provider = REGISTRY.get(reg.type)
            if provider is None:
                unsupported.add(reg.type)
                return "", {}
            have = adopt_legacy_name(provider.auto_name, state.resources.get(reg.urn))
            # A new auto-name is made when applying; until then it is unknown.
            new = check(provider.auto_name, reg.name, reg.inputs, have, generate=False)
            action, changed = diff(provider, have, new.inputs)
            plan.steps.append(Step(action, reg.type, reg.name, changed))
            known = {k: v for k, v in new.inputs.items() if not is_unknown(v)}
            if have is None or action is Action.REPLACE:
                return "", known  # id and computed outputs unknown until applied
            return have.id, {**known, **have.outputs}

        plan.outputs = self._run(resolve, preview=True)
        if unsupported:
            raise UserError(
                f"The local engine cannot apply these resource types used by {self.project}: "
                f"{', '.join(sorted(unsupported))}. Nothing was changed."
            )
        for key, record in state.resources.items():
            if key not in declared:
                plan.steps.append(Step(Action.DELETE, record.type, record.name))
        for record in state.retired.values():
            plan.steps.append(Step(Action.DELETE, record.type, record.name, ("replaced",)))
        return plan

    def show(self, plan: Plan) -> None:
        self.out(f"Plan for {self.what}: {plan.summary()}")
        for step in plan.steps:
            if step.action is not Action.SAME:
                self.out(step.describe())

    # -- apply --------------------------------------------------------------------------------

    def up(
        self, before_apply: Callable[[Plan], None] | None = None
    ) -> dict[str, program.ProgramOutput]:
        """Plan, show the plan, then apply it. `before_apply` runs once the plan is known to be
        valid (it starts the emulator), so a config error or unsupported type changes nothing."""
        with exclusive(self._lock_path(), self.what):
            plan = self.plan()
            self.show(plan)
            if before_apply is not None:
                before_apply(plan)
            state = StateStore(self.state_path)
            if self._up_to_date(plan, state):
                # Nothing to apply and nothing vanished: the preview already knows the outputs,
                # so the program need not run a second time.
                return self._record_outputs(state, plan.outputs)
            failure: list[BaseException] = []
            declared: set[str] = set()

            def resolve(reg: program.Registration) -> program.Resolution:
                with self._apply_lock:  # one resource at a time: ordered output, simple state
                    declared.add(reg.urn)
                    if failure:
                        raise RuntimeError(f"skipped {reg.name}: an earlier resource failed")
                    try:
                        return self._apply(state, reg)
                    except BaseException as error:
                        failure.append(error)
                        raise

            try:
                outputs = self._run(resolve, preview=False)
            except BaseException:
                if failure:
                    raise failure[0] from None
                raise
            self._delete(state, [k for k in state.resources if k not in declared], retired=True)
            return self._record_outputs(state, outputs)

    def _up_to_date(self, plan: Plan, state: StateStore) -> bool:
        if plan.has_changes or not all(o.known for o in plan.outputs.values()):
            return False
        try:
            return all(REGISTRY[r.type].exists(self.ctx, r) for r in state.resources.values())
        except (ClientError, BotoCoreError):
            return False  # let the full apply run and report what is wrong

    @staticmethod
    def _record_outputs(
        state: StateStore, outputs: dict[str, program.ProgramOutput]
    ) -> dict[str, program.ProgramOutput]:
        state.set_outputs(
            {name: {"value": o.value, "secret": o.secret} for name, o in outputs.items()}
        )
        return dict(outputs)

    def _apply(self, state: StateStore, reg: program.Registration) -> program.Resolution:
        provider = REGISTRY[reg.type]
        have = adopt_legacy_name(provider.auto_name, state.resources.get(reg.urn))
        new = check(provider.auto_name, reg.name, reg.inputs, have)
        action, _ = diff(provider, have, new.inputs)
        note = ""
        started = time.perf_counter()
        try:
            if have is not None and action in (Action.SAME, Action.UPDATE):
                if not provider.exists(self.ctx, have):
                    action, note = Action.CREATE, "  (it had vanished from the emulator)"
                elif action is Action.SAME:
                    return have.id, {**new.inputs, **have.outputs}
            if have is None or action is Action.CREATE:
                created = provider.create(self.ctx, Desired(reg.urn, reg.name, new.inputs))
                resource_id, outputs = created.id, created.outputs
            elif action is Action.UPDATE:
                want = Desired(reg.urn, reg.name, new.inputs)
                resource_id, outputs = have.id, provider.update(self.ctx, have, want)
            else:
                # A replacement is a new resource: it gets a new auto-name, as in Pulumi.
                new = check(provider.auto_name, reg.name, reg.inputs, have, fresh=True)
                reason = replace_order(provider, reg, have, new)
                if reason is not None:
                    self._delete_replaced(state, reg, provider, have, reason)
                    note = f"  (the old one deleted first: {reason})"
                created = provider.create(self.ctx, Desired(reg.urn, reg.name, new.inputs))
                resource_id, outputs = created.id, created.outputs
                if reason is None and resource_id != have.id:
                    state.retire(reg.urn, have)  # deleted at the end of the run
        except (ClientError, BotoCoreError) as error:
            raise ApplyError(
                f"Could not {action.value} {reg.type} {reg.name!r}: {error}. "
                "Everything applied before it is recorded; fix the cause and deploy again."
            ) from None
        state.put(
            reg.urn,
            ResourceRecord(
                reg.type,
                reg.name,
                resource_id,
                plain(new.inputs),
                plain(outputs),
                sorted(reg.dependencies),
                list(new.defaults),
            ),
        )
        elapsed = time.perf_counter() - started
        self.out(
            f"  {SYMBOLS[action]:>2} {action.value + 'd':<9} {reg.type}  {reg.name}"
            f"  {elapsed * 1000:.0f} ms{note}"
        )
        return resource_id, {**new.inputs, **outputs}

    def _delete_replaced(
        self,
        state: StateStore,
        reg: program.Registration,
        provider: Provider,
        have: ResourceRecord,
        reason: str,
    ) -> None:
        """Delete-before-replace: the old copy goes, and its record with it, before the new one
        is created (a failed create then leaves nothing recorded, and the next run creates)."""
        try:
            provider.delete_if_present(self.ctx, have)
        except (ClientError, BotoCoreError) as error:
            raise ApplyError(
                f"Could not delete {reg.type} {reg.name!r} to replace it ({reason}): {error}. "
                "Everything applied before it is recorded; fix the cause and deploy again."
            ) from None
        state.remove(reg.urn)

    # -- destroy ------------------------------------------------------------------------------

    def destroy(self) -> int:
        """Delete everything this stack recorded; returns how many resources were deleted."""
        with exclusive(self._lock_path(), self.what):
            state = StateStore(self.state_path)
            count = len(state.resources) + len(state.retired)
            self.out(f"Destroying {self.what}: {count} resources")
            self._delete(state, list(state.resources), retired=True)
            state.set_outputs({})
            return count

    def _delete(self, state: StateStore, keys: list[str], *, retired: bool) -> None:
        """Delete records, each before anything it depends on."""
        doomed: dict[str, ResourceRecord] = {k: state.resources[k] for k in keys}
        if retired:
            doomed.update(state.retired)
        for key in _dependents_first(doomed):
            record = doomed[key]
            started = time.perf_counter()
            try:
                REGISTRY[record.type].delete_if_present(self.ctx, record)
            except (ClientError, BotoCoreError) as error:
                raise ApplyError(
                    f"Could not delete {record.type} {record.name!r}: {error}. "
                    "What was deleted before it is recorded; run the command again."
                ) from None
            if key in state.retired:
                state.forget_retired(key)
            else:
                state.remove(key)
            elapsed = (time.perf_counter() - started) * 1000
            self.out(f"   - deleted   {record.type}  {record.name}  {elapsed:.0f} ms")

    # -- helpers ------------------------------------------------------------------------------

    def outputs(self) -> dict[str, program.ProgramOutput]:
        state = StateStore(self.state_path)
        return {
            name: program.ProgramOutput(o["value"], o.get("secret", False), known=True)
            for name, o in state.outputs.items()
        }

    def is_deployed(self) -> bool:
        return bool(StateStore(self.state_path).resources)

    def _run(
        self, resolver: program.Resolver, *, preview: bool
    ) -> dict[str, program.ProgramOutput]:
        return program.run(
            self.program_dir, self.project, self.stack, self.config, resolver, preview=preview
        )

    def _lock_path(self) -> Path:
        return self.state_path.with_suffix(".lock")


def _dependents_first(doomed: dict[str, ResourceRecord]) -> list[str]:
    """The keys in deletion order: a record before each record it depends on. A replaced copy
    ('type::name#id', see StateStore.retire) depended on what its key names at the time, so
    its dependencies point at the replaced copies of those too."""
    by_key: dict[str, list[str]] = {}
    for key in doomed:
        by_key.setdefault(key.split("#", 1)[0], []).append(key)
    graph: TopologicalSorter[str] = TopologicalSorter()
    for key, record in doomed.items():
        graph.add(key, *[k for d in record.dependencies for k in by_key.get(d, []) if k != key])
    try:
        return list(reversed(list(graph.static_order())))
    except CycleError:  # copies from runs with opposite dependencies: any order will do
        return list(reversed(doomed))
