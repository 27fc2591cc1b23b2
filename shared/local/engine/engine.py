"""The local engine: plan a Pulumi program against recorded state, then apply it to the emulator.

A run has two passes over the same program:
1. plan: a preview on the mock runtime. Each resource is compared with its record; values that
   depend on resources not applied yet are unknown, as in `pulumi preview`.
2. apply: the program runs again and each resource is created, updated or replaced the moment
   the runtime registers it (so in dependency order), its real id and outputs flowing back into
   the program. Resources the program no longer declares are deleted last, dependents first.
Each change is journaled as it happens and a create is journaled as pending before the emulator
is asked (state.py), so a run killed at any moment is followed by one that converges: it finds
what a pending create made and removes it before creating again.

A policy pack (`policy_pack`, the repository's CrossGuard pack) checks every plan before
anything is applied, with the same validate functions `pulumi preview --policy-pack` runs
(policy.py); a mandatory violation stops the run.

The plan is strict: an input the provider of a type does not apply (`Provider.inputs`) is
refused by name before anything changes, instead of being dropped. When the stack was applied
before, the plan reads every recorded resource back from the emulator, so a resource deleted
or changed behind the engine's back shows as such (and is repaired), and a state applied to
another emulator, or to one since wiped, is refused with the ways out.

A resource the program gives no name is auto-named as pulumi-aws does (naming.py).

A protected resource (`ResourceOptions(protect=True)`, children inheriting it from their
component as the SDK resolves it) is never deleted, as in Pulumi: the plan refuses to replace
one the record and the program both protect, or to delete one the program no longer declares,
and `destroy` refuses before deleting anything. Protect is not an input: turning it on or off
updates the record only, and once a deploy recorded it off the resource can go.

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
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from enum import Enum
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from shared.errors import UserError
from shared.local.engine import identity, policy, program, tagged
from shared.local.engine.naming import Checked, adopt_legacy_name, check
from shared.local.engine.providers import REGISTRY, Context, Desired, Provider
from shared.local.engine.state import (
    Emulator,
    PendingCreate,
    ResourceRecord,
    StateStore,
    exclusive,
)
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


@dataclass(frozen=True)
class Live:
    """A recorded resource as the emulator holds it: gone, or these inputs differ (drift)."""

    vanished: bool = False
    drift: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    outputs: dict[str, program.ProgramOutput] = field(default_factory=dict)
    # Every resource the program declares, by state key, as the preview saw it.
    registrations: dict[str, program.Registration] = field(default_factory=dict)
    # What reading the recorded resources back found, by state key (only for those that
    # vanished or drifted); empty when the plan did not read the emulator.
    live: dict[str, Live] = field(default_factory=dict)

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


class EmulatorMismatch(UserError):
    """The state was applied to another emulator than the one at hand, or to one since wiped."""


class UnappliedInputs(UserError):
    """A program sets inputs the engine would not apply: refused before anything changes."""


class ProtectedResources(UserError):
    """A plan or destroy would delete protected resources: refused before anything changes."""


# Reads of recorded resources in flight at once when a plan reads the stack back.
READERS = 8

# How long a resource waits for a prerequisite (`Provider.after`) with no resource applied
# meanwhile, before it is applied anyway and AWS's own answer reports what is missing.
PREREQUISITE_PATIENCE_S = 10.0


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


def unapplied_inputs(provider: Provider, reg: program.Registration) -> list[str]:
    """The inputs `reg` sets that its provider does not apply, then those whose values it
    would not apply as declared (`Provider.refusals`)."""
    if provider.inputs is None:
        return []
    names = sorted(k for k, v in reg.inputs.items() if v is not None and k not in provider.inputs)
    known = {k: v for k, v in reg.inputs.items() if v is not None and not is_unknown(v)}
    return names + provider.refusals(known)


def _could_be_equal(planned: Any, actual: Any) -> bool:
    """Whether a value the preview saw (maybe unknown then) can be the value now applied."""
    return is_unknown(planned) or plain(planned) == plain(actual)


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
        command_name: str | None = None,
        policy_pack: Path | None = None,
    ) -> None:
        self.program_dir = program_dir
        self.project = project
        self.stack = stack
        self.config = config
        self.ctx = context
        self.state_path = state_path
        self.out = out
        # The name the tasks know the stack by (`--stack=<it>`), for the commands messages offer.
        self.command_name = command_name or project
        # The CrossGuard pack (a folder with PulumiPolicy.yaml) whose rules every plan must
        # pass before anything is applied, as `pulumi preview/up --policy-pack` would.
        self.policy_pack = policy_pack
        self._apply_lock = threading.Lock()
        self._here: Emulator | None = None

    @property
    def what(self) -> str:
        return f"{self.project}/{self.stack}"

    # -- plan ---------------------------------------------------------------------------------

    def plan(self, *, live: bool = False) -> Plan:
        """What applying the program would do. With `live`, the recorded resources are first
        read back from the emulator (which must be running): vanished or drifted ones plan to
        be repaired."""
        return self._plan(StateStore(self.state_path), live=live)

    def _plan(self, state: StateStore, *, live: bool) -> Plan:
        self._here = None  # the emulator may have changed since this engine last looked
        plan = Plan()
        if live and (state.resources or state.retired):
            self._check_emulator(state)
            plan.live = self._read_live(state)
        unsupported: set[str] = set()
        unapplied: list[str] = []
        unreplaceable: list[str] = []

        def resolve(reg: program.Registration) -> program.Resolution:
            plan.registrations[reg.urn] = reg
            provider = REGISTRY.get(reg.type)
            if provider is None:
                unsupported.add(reg.type)
                return "", {}
            if refused := unapplied_inputs(provider, reg):
                unapplied.append(f"{reg.type} {reg.name!r}: {', '.join(refused)}")
            recorded = adopt_legacy_name(provider.auto_name, state.resources.get(reg.urn))
            seen = plan.live.get(reg.urn)
            # A new auto-name is made when applying; until then it is unknown.
            new = check(provider.auto_name, reg.name, reg.inputs, recorded, generate=False)
            if seen is not None and seen.vanished:
                plan.steps.append(
                    Step(Action.CREATE, reg.type, reg.name, ("gone from the emulator",))
                )
                return "", {k: v for k, v in new.inputs.items() if not is_unknown(v)}
            have = _as_seen(recorded, seen)
            action, changed = diff(provider, have, new.inputs)
            if seen is not None and seen.drift:
                changed = tuple(f"{k} (drifted)" if k in seen.drift else k for k in changed)
            if have is not None and have.protect != reg.protect:
                # Not an input: the record changes, the emulator is not asked (see `_apply`).
                action = Action.UPDATE if action is Action.SAME else action
                changed = (*changed, "protect")
            if action is Action.REPLACE and have is not None and have.protect and reg.protect:
                # Pulumi lets a deploy unprotect and replace at once: only a resource both the
                # record and the program protect is refused.
                unreplaceable.append(_described(have))
            plan.steps.append(Step(action, reg.type, reg.name, changed))
            known = {k: v for k, v in new.inputs.items() if not is_unknown(v)}
            if have is None or action is Action.REPLACE:
                return "", known  # id and computed outputs unknown until applied
            return have.id, {**known, **have.outputs}

        references = policy.References(self._stack_outputs)
        providers: dict[str, dict[str, Any]] = {}
        plan.outputs = self._run(
            resolve, preview=True, stack_outputs=references, providers=providers
        )
        if self.policy_pack is not None:
            policy.check(
                self.policy_pack,
                plan.registrations,
                references.seen,
                providers=providers,
                project=self.project,
                stack=self.stack,
                config=self.config,
                out=self.out,
            )
        if unsupported:
            raise UserError(
                f"The local engine cannot apply these resource types used by {self.project}: "
                f"{', '.join(sorted(unsupported))}. Nothing was changed."
            )
        if unapplied:
            raise UnappliedInputs(
                f"The local engine does not apply these inputs of {self.project}, so the "
                f"resources would not behave as declared: {'; '.join(unapplied)}. Remove them "
                "or deploy to an AWS environment. Nothing was changed."
            )
        removed = {k: r for k, r in state.resources.items() if k not in plan.registrations}
        self._refuse_protected(unreplaceable, removed)
        for record in removed.values():
            plan.steps.append(Step(Action.DELETE, record.type, record.name))
        for record in state.retired.values():
            plan.steps.append(Step(Action.DELETE, record.type, record.name, ("replaced",)))
        return plan

    def _refuse_protected(
        self, unreplaceable: list[str], removed: dict[str, ResourceRecord]
    ) -> None:
        """Refuse a plan that would delete a protected resource: by replacing it, or because
        the program no longer declares it (Pulumi's "unable to replace/delete resource ... as
        it is currently marked for protection")."""
        undeclared = [_described(r) for r in removed.values() if r.protect]
        reasons = []
        if unreplaceable:
            reasons.append(
                f"{self.what} would replace {_listed(unreplaceable)}, which "
                f"{_are(unreplaceable)} protected (a replacement deletes the old one): deploy "
                f"with protect turned off in the program or its config{self._unprotect_hint()} "
                "to let the replacement happen, or undo the change that forces it"
            )
        if undeclared:
            reasons.append(
                f"{self.what} no longer declares {_listed(undeclared)}, which {_are(undeclared)} "
                f"protected and so never deleted: declare {_it(undeclared)} again with protect "
                f"turned off, deploy, then remove {_it(undeclared)}"
            )
        if reasons:
            raise ProtectedResources(
                "; ".join(reasons)
                + " (locally, `invoke reset` wipes the emulator and every local state). "
                "Nothing was changed."
            )

    def _unprotect_hint(self) -> str:
        """The stack's config settings that turn protect on, as the ones to turn off (a
        project's own name for it, such as `orchestration:protectData`)."""
        keys = sorted(
            key
            for key, value in self.config.items()
            if "protect" in key.rsplit(":", 1)[-1].lower() and str(value).lower() == "true"
        )
        return f" (e.g. `{keys[0]}: false`)" if keys else ""

    def show(self, plan: Plan) -> None:
        self.out(f"Plan for {self.what}: {plan.summary()}")
        for step in plan.steps:
            if step.action is not Action.SAME:
                self.out(step.describe())

    def check_emulator(self) -> None:
        """Refuse, as every command would, a state applied to another emulator or to a wiped
        one (a multi-stack run checks each stack before it applies any)."""
        self._here = None
        state = StateStore(self.state_path)
        if state.resources or state.retired:
            self._check_emulator(state)

    def _check_emulator(self, state: StateStore) -> None:
        """Refuse a state applied to another emulator, or to this one before it was wiped."""
        recorded = state.emulator
        if recorded is None:
            return  # written before states recorded it: the first apply records it
        here = self._emulator()
        if here.instance == recorded.instance:
            return
        ways_out = (
            f"run `invoke refresh --stack={self.command_name}` to keep only what this emulator "
            f"holds (then deploy or destroy), or `invoke reset` to wipe the emulator and every "
            "local state."
        )
        if here.url != recorded.url:
            port = recorded.url.rsplit(":", 1)[-1]
            raise EmulatorMismatch(
                f"{self.what} was deployed to the emulator at {recorded.url}, but the emulator "
                f"at {here.url} is another one, without its resources. Nothing was changed. "
                f"Use that emulator again (AIGW_EMULATOR_PORT={port}), or {ways_out}"
            )
        raise EmulatorMismatch(
            f"The emulator at {here.url} was wiped since {self.what} was deployed to it: "
            f"{_count(len(state.resources), 'resource')} its state records are gone. Nothing "
            f"was changed. To go on, {ways_out}"
        )

    def _emulator(self) -> Emulator:
        """The emulator at hand (one SSM call, made once per operation)."""
        if self._here is None:
            self._here = Emulator(self.ctx.endpoint_url, identity.instance_id(self.ctx))
        return self._here

    def _read_live(self, state: StateStore) -> dict[str, Live]:
        """Read every recorded resource back: the ones that vanished or drifted. The reads are
        independent and wait on the emulator, so several run at once."""
        records = [(k, r) for k, r in state.resources.items() if r.type in REGISTRY]
        with ThreadPoolExecutor(max_workers=READERS) as pool:
            seen = list(pool.map(lambda item: self._read_one(*item), records))
        return {key: live for (key, _), live in zip(records, seen, strict=True) if live}

    def _read_one(self, key: str, record: ResourceRecord) -> Live | None:
        provider = REGISTRY[record.type]
        try:
            live = provider.read(self.ctx, record)
        except ClientError as error:
            if provider.is_not_found(error):
                return Live(vanished=True)
            raise ApplyError(
                f"Could not read {record.type} {record.name!r} back from the emulator: "
                f"{error}. Nothing was changed."
            ) from None
        except BotoCoreError as error:
            raise ApplyError(
                f"Could not reach the emulator at {self.ctx.endpoint_url} ({error}). "
                "Nothing was changed; start it with `invoke emulator.start`."
            ) from None
        drift = _drift(provider, record, live)
        return Live(drift=drift) if drift else None

    # -- apply --------------------------------------------------------------------------------

    def up(
        self, before_apply: Callable[[], None] | None = None, plan: Plan | None = None
    ) -> dict[str, program.ProgramOutput]:
        """Plan, show the plan, then apply it. `before_apply` starts what the apply needs (the
        emulator): before the plan when the stack has state to read back, else once the plan
        is known to be valid, so a config error or an unsupported type changes nothing.
        `plan`, made by `plan()` just before, spares a stack without state its second run of
        the program; a deployed stack is planned again, reading the emulator."""
        with exclusive(self._lock_path(), self.what):
            state = StateStore(self.state_path)
            deployed = bool(state.resources or state.retired or state.pending)
            if deployed and before_apply is not None:
                before_apply()
            reused = plan is not None and not deployed
            if plan is None or deployed:
                plan = self._plan(state, live=deployed)  # the lock keeps the state as read
            self.show(plan)
            if not deployed and before_apply is not None:
                before_apply()
            if not deployed:
                self._refuse_untracked_copies()
            try:
                return self._up(plan, state, reused=reused)
            finally:
                state.close()

    def _refuse_untracked_copies(self) -> None:
        """A stack whose state records nothing while the emulator holds resources tagged as
        its own (its state file was deleted, or a refresh forgot them on another emulator):
        creating would make a second copy of each, so nothing is done."""
        try:
            copies = tagged.tagged_resources(self.ctx, tagged.stack_tags(self.project, self.stack))
        except (ClientError, BotoCoreError):
            return  # the apply reports an unreachable emulator in its own words
        if copies:
            shown = ", ".join(copies[:3]) + (
                f" and {len(copies) - 3} more" if len(copies) > 3 else ""
            )
            raise UserError(
                f"{self.what} records no resources ({self.state_path}), but the emulator at "
                f"{self.ctx.endpoint_url} holds {_count(len(copies), 'resource')} tagged as its "
                f"own ({shown}): deploying would make a second copy of each. Nothing was "
                "changed. Restore the state file, or run `invoke reset` to wipe the emulator "
                "and every local state, then deploy again."
            )

    def _up(
        self, plan: Plan, state: StateStore, *, reused: bool = False
    ) -> dict[str, program.ProgramOutput]:
        self._recover(state)
        if state.emulator != self._emulator():
            state.set_emulator(self._emulator())  # the plan refused a real mismatch
        # A plan made before the lock was taken (a multi-stack run's check) may hold outputs
        # read from stacks deployed since (stack references): the program runs again.
        if not reused and self._up_to_date(plan, state):
            # Nothing to apply and nothing vanished: the preview already knows the outputs,
            # so the program need not run a second time.
            return self._record_outputs(state, plan.outputs)
        failure: list[BaseException] = []
        run = _Run(plan)

        def resolve(reg: program.Registration) -> program.Resolution:
            run.arrived(reg)
            try:
                run.wait_for_prerequisites(reg, self._prerequisites(plan, run, reg), failure)
                with self._apply_lock:  # one resource at a time: ordered output, simple state
                    if failure:
                        raise RuntimeError(f"skipped {reg.name}: an earlier resource failed")
                    try:
                        resolution = self._apply(state, reg, plan.live.get(reg.urn), run)
                    except BaseException as error:
                        failure.append(error)
                        raise
            finally:
                run.done(reg.urn)
            return resolution

        try:
            outputs = self._run(resolve, preview=False)
        except BaseException as error:
            if failure:
                raise failure[0] from None
            # Ctrl-C reaches this thread only: registrations still queued or waiting on the
            # SDK's threads see the failure and skip, instead of applying after "Interrupted".
            failure.append(error)
            raise
        finally:
            self._settle(run)
        self._delete(state, [k for k in state.resources if k not in run.seen], retired=True)
        return self._record_outputs(state, outputs)

    def _prerequisites(self, plan: Plan, run: _Run, reg: program.Registration) -> set[str]:
        """The resources of this run `reg` must follow: what it depends on, and what its type
        needs on AWS (`Provider.after`) among the resources not applied yet."""
        keys = {d for d in reg.dependencies if d in plan.registrations and d != reg.urn}
        provider = REGISTRY[reg.type]
        for other_type, shared in provider.after.items():
            for key, planned in run.planned_of_type(other_type):
                if key == reg.urn or key in run.applied:
                    continue
                other = run.registered.get(key, planned)  # its real inputs once it arrived
                if all(_could_be_equal(other.inputs.get(p), reg.inputs.get(p)) for p in shared):
                    keys.add(key)
        return keys

    def _up_to_date(self, plan: Plan, state: StateStore) -> bool:
        return (
            not plan.has_changes
            and not plan.live
            and not state.pending
            and all(o.known for o in plan.outputs.values())
        )

    @staticmethod
    def _record_outputs(
        state: StateStore, outputs: dict[str, program.ProgramOutput]
    ) -> dict[str, program.ProgramOutput]:
        state.set_outputs(
            {name: {"value": o.value, "secret": o.secret} for name, o in outputs.items()}
        )
        return dict(outputs)

    def _apply(
        self, state: StateStore, reg: program.Registration, seen: Live | None, run: _Run
    ) -> program.Resolution:
        provider = REGISTRY[reg.type]
        recorded = adopt_legacy_name(provider.auto_name, state.resources.get(reg.urn))
        new = check(provider.auto_name, reg.name, reg.inputs, recorded)
        note = ""
        if seen is not None and seen.vanished:
            have, action, note = None, Action.CREATE, "  (it had vanished from the emulator)"
        else:
            have = _as_seen(recorded, seen)
            action, _ = diff(provider, have, new.inputs)
            if seen is not None and seen.drift:
                note = f"  (repaired drift: {', '.join(sorted(seen.drift))})"
        started = time.perf_counter()
        try:
            if action is Action.SAME and have is not None:
                if have.protect != reg.protect:
                    self._record_protect(state, reg, have)
                return have.id, {**new.inputs, **have.outputs}
            if have is None or action is Action.CREATE:
                created = self._create(state, provider, reg, new)
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
                created = self._create(state, provider, reg, new)
                resource_id, outputs = created.id, created.outputs
                if reason is None and resource_id != have.id:
                    state.retire(reg.urn, have)  # deleted at the end of the run
        except (ClientError, BotoCoreError) as error:
            raise ApplyError(
                f"Could not {action.value} {reg.type} {reg.name!r}: {error}. "
                "Everything applied before it is recorded; fix the cause and deploy again."
            ) from None
        record = ResourceRecord(
            reg.type,
            reg.name,
            resource_id,
            plain(new.inputs),
            plain(outputs),
            sorted(reg.dependencies),
            list(new.defaults),
            protect=reg.protect,
        )
        state.put(reg.urn, record)
        if action in (Action.CREATE, Action.REPLACE):
            run.created.setdefault(reg.type, []).append(record)
        elapsed = time.perf_counter() - started
        self.out(
            f"  {SYMBOLS[action]:>2} {action.value + 'd':<9} {reg.type}  {reg.name}"
            f"  {elapsed * 1000:.0f} ms{note}"
        )
        return resource_id, {**new.inputs, **outputs}

    def _record_protect(
        self, state: StateStore, reg: program.Registration, have: ResourceRecord
    ) -> None:
        """Protect turned on or off with no input changed: the record says so, the emulator
        is not asked (protect is Pulumi's, AWS never sees it)."""
        state.put(reg.urn, replace(have, protect=reg.protect))
        self.out(
            f"  {SYMBOLS[Action.UPDATE]:>2} {'updated':<9} {reg.type}  {reg.name}  "
            f"(protect {'on' if reg.protect else 'off'}: the record only)"
        )

    def _create(
        self, state: StateStore, provider: Provider, reg: program.Registration, new: Checked
    ) -> Any:
        """Create, journaled as pending first: a run killed inside the call leaves the next
        one what it needs to find the resource (its physical name among the inputs)."""
        state.begin_create(reg.urn, PendingCreate(reg.type, reg.name, plain(new.inputs)))
        try:
            return provider.create(self.ctx, Desired(reg.urn, reg.name, new.inputs))
        except (ClientError, BotoCoreError):
            state.end_create(reg.urn)  # the emulator refused; the create undid its own calls
            raise
        # Anything else (a provider's bug, Ctrl-C) may come after the emulator made it: the
        # create stays pending, for the next run to find and remove.

    def _recover(self, state: StateStore) -> None:
        """Pending creates of a run that was killed: remove what they made, so the create
        can run again without "already exists" and nothing is left unrecorded."""
        recorded_ids = {
            (r.type, r.id) for r in [*state.resources.values(), *state.retired.values()]
        }
        for key, pending in list(state.pending.items()):
            provider = REGISTRY.get(pending.type)
            if provider is None:
                state.end_create(key)
                continue
            try:
                found = provider.find(self.ctx, Desired(key, pending.name, pending.inputs))
                if found is not None and (pending.type, found) not in recorded_ids:
                    orphan = ResourceRecord(pending.type, pending.name, found, pending.inputs, {})
                    provider.delete_if_present(self.ctx, orphan)
                    self.out(
                        f"   - removed   {pending.type}  {pending.name}  (made by a run that was "
                        "interrupted before recording it)"
                    )
            except (ClientError, BotoCoreError) as error:
                raise ApplyError(
                    f"Could not clean up {pending.type} {pending.name!r}, left by an interrupted "
                    f"run: {error}. Nothing else was changed; run the command again."
                ) from None
            state.end_create(key)

    def _settle(self, run: _Run) -> None:
        """Wait for what was created to be usable, each provider's resources together."""
        for type_token, records in run.created.items():
            try:
                REGISTRY[type_token].settle(self.ctx, records)
            except (ClientError, BotoCoreError) as error:
                raise ApplyError(f"{type_token} did not become ready: {error}.") from None

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

    # -- refresh ------------------------------------------------------------------------------

    def refresh(self) -> tuple[int, int]:
        """Read every recorded resource back from the emulator at hand and make the state say
        what it holds: vanished ones are forgotten, drifted inputs take their live values (the
        next deploy puts back what the program declares). Returns (forgotten, drifted)."""
        self._here = None
        with exclusive(self._lock_path(), self.what):
            state = StateStore(self.state_path)
            if not state.exists:
                raise UserError(
                    f"{self.what} has no local state ({self.state_path}): there is nothing to "
                    "refresh. Nothing was changed."
                )
            try:
                self._recover(state)
                gone = drifted = 0
                self.out(f"Refreshing {self.what}: {_count(len(state.resources), 'resource')}")
                if state.emulator is not None and state.emulator != self._emulator():
                    self.out(
                        f"  It was deployed to the emulator at {state.emulator.url} (another "
                        "one, or since wiped): what is not on this one is forgotten here, and "
                        "any copy left there stays there."
                    )
                for key, seen in self._read_live(state).items():
                    record = state.resources[key]
                    if seen.vanished:
                        state.remove(key)
                        gone += 1
                        self.out(f"   - gone      {record.type}  {record.name}")
                    else:
                        state.put(key, replace(record, inputs={**record.inputs, **seen.drift}))
                        drifted += 1
                        self.out(
                            f"   ~ drifted   {record.type}  {record.name}  "
                            f"({', '.join(sorted(seen.drift))})"
                        )
                for key, record in list(state.retired.items()):
                    if not _provider_of(record).exists(self.ctx, record):
                        state.forget_retired(key)
                state.set_emulator(self._emulator())
                return gone, drifted
            except (ClientError, BotoCoreError) as error:
                raise ApplyError(f"Could not refresh {self.what}: {error}.") from None
            finally:
                state.close()

    # -- destroy ------------------------------------------------------------------------------

    def destroy(self) -> int:
        """Delete everything this stack recorded; returns how many resources were deleted."""
        self._here = None
        with exclusive(self._lock_path(), self.what):
            state = StateStore(self.state_path)
            try:
                self._refuse_protected_destroy(state)
                if state.resources or state.retired:
                    self._check_emulator(state)
                self._recover(state)
                count = len(state.resources) + len(state.retired)
                self.out(f"Destroying {self.what}: {count} resources")
                self._delete(state, list(state.resources), retired=True)
                state.set_outputs({})
                return count
            finally:
                state.close()

    def check_destroy(self) -> None:
        """Refuse, as `destroy` would, a stack that records protected resources (a
        multi-stack destroy checks each stack before it destroys any)."""
        self._refuse_protected_destroy(StateStore(self.state_path))

    def _refuse_protected_destroy(self, state: StateStore) -> None:
        """Pulumi's "refusing to delete protected resource": nothing is deleted while any
        recorded resource is protected (replaced copies awaiting deletion never are)."""
        protected = [_described(r) for r in state.resources.values() if r.protect]
        if protected:
            raise ProtectedResources(
                f"{self.what} protects {_listed(protected)}, so destroy deletes nothing: "
                "deploy once with protect turned off in the program or its config"
                f"{self._unprotect_hint()}, then destroy (locally, `invoke reset` wipes the "
                "emulator and every local state). Nothing was changed."
            )

    def _delete(self, state: StateStore, keys: list[str], *, retired: bool) -> None:
        """Delete records, each before anything it depends on. A protected record is never
        deleted: plans and `destroy` refuse first, and this holds even if a program declared
        less when applied than when planned (Pulumi's delete step checks again too)."""
        doomed: dict[str, ResourceRecord] = {k: state.resources[k] for k in keys}
        if protected := [_described(r) for r in doomed.values() if r.protect]:
            raise ProtectedResources(
                f"Refusing to delete {_listed(protected)} of {self.what}, protected, which the "
                f"program stopped declaring while it was applied: declare {_it(protected)} again "
                f"with protect turned off, deploy, then remove {_it(protected)}. What was applied "
                "before is recorded."
            )
        if retired:
            doomed.update(state.retired)
        for key in _dependents_first(doomed):
            record = doomed[key]
            started = time.perf_counter()
            try:
                _provider_of(record).delete_if_present(self.ctx, record)
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

    def has_state(self) -> bool:
        return StateStore(self.state_path).exists

    def is_deployed(self) -> bool:
        return StateStore(self.state_path).holds_a_deployment

    def _run(
        self,
        resolver: program.Resolver,
        *,
        preview: bool,
        stack_outputs: program.StackOutputs | None = None,
        providers: dict[str, dict[str, Any]] | None = None,
    ) -> dict[str, program.ProgramOutput]:
        return program.run(
            self.program_dir,
            self.project,
            self.stack,
            self.config,
            resolver,
            preview=preview,
            region=self.ctx.region,
            account=self.ctx.account_id,
            stack_outputs=stack_outputs or self._stack_outputs,
            produces=_produces,
            providers=providers,
        )

    def _stack_outputs(self, project: str, stack: str) -> dict[str, tuple[Any, bool]] | None:
        """Another project's outputs in its local state (a `pulumi.StackReference`), or None
        when it has no deployment in `stack`. States sit side by side, one folder per project:
        <dir>/<project>/<stack>.json."""
        state = StateStore(self.state_path.parent.parent / project / f"{stack}.json")
        if not state.resources:
            return None
        return {name: (o["value"], bool(o.get("secret"))) for name, o in state.outputs.items()}

    def _lock_path(self) -> Path:
        return self.state_path.with_suffix(".lock")


def _produces(type_token: str) -> frozenset[str] | None:
    """Every output the engine yields for a type: its inputs echoed back and what its provider
    computes (None for a type the engine does not know, or whose inputs are not declared)."""
    provider = REGISTRY.get(type_token)
    if provider is None or provider.inputs is None:
        return None
    return provider.inputs | provider.outputs


def _provider_of(record: ResourceRecord) -> Provider:
    """The provider of a recorded resource; a state written by an engine that knew a type
    this one does not is reported, not a KeyError."""
    provider = REGISTRY.get(record.type)
    if provider is None:
        raise ApplyError(
            f"The state records {record.type} {record.name!r}, a type this engine has no "
            "provider for (the state was written by another version). Nothing more was "
            "changed; run `invoke reset` to start over."
        )
    return provider


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _described(record: ResourceRecord) -> str:
    return f"{record.type} {record.name!r}"


def _listed(items: list[str]) -> str:
    return ", ".join(sorted(items))


def _are(items: list[str]) -> str:
    return "is" if len(items) == 1 else "are"


def _it(items: list[str]) -> str:
    return "it" if len(items) == 1 else "them"


class _Run:
    """One apply pass: which resources arrived and were applied, what was created, and the
    waiting of resources for their prerequisites."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.registered: dict[str, program.Registration] = {}
        self.applied: set[str] = set()
        self.created: dict[str, list[ResourceRecord]] = {}
        self._changed = threading.Condition()
        self._by_type: dict[str, list[tuple[str, program.Registration]]] = {}
        for key, reg in plan.registrations.items():
            self._by_type.setdefault(reg.type, []).append((key, reg))

    def planned_of_type(self, type_token: str) -> list[tuple[str, program.Registration]]:
        """The run's planned resources of one type (what `Provider.after` looks among)."""
        return self._by_type.get(type_token, [])

    @property
    def seen(self) -> set[str]:
        return set(self.registered)

    def arrived(self, reg: program.Registration) -> None:
        with self._changed:
            self.registered[reg.urn] = reg
            self._changed.notify_all()

    def done(self, key: str) -> None:
        with self._changed:
            self.applied.add(key)
            self._changed.notify_all()

    def wait_for_prerequisites(
        self, reg: program.Registration, keys: Iterable[str], failure: list[BaseException]
    ) -> None:
        """Block until each of `keys` is applied. Waiting stops early if the run failed, or if
        nothing got applied for PREREQUISITE_PATIENCE_S (a prerequisite the program never
        registers in this pass: AWS's answer then says what is missing)."""
        waiting = set(keys)
        with self._changed:
            progress = len(self.applied)
            deadline = time.monotonic() + PREREQUISITE_PATIENCE_S
            while waiting - self.applied and not failure:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._changed.wait(remaining)
                if len(self.applied) != progress:
                    progress = len(self.applied)
                    deadline = time.monotonic() + PREREQUISITE_PATIENCE_S


def _as_seen(record: ResourceRecord | None, seen: Live | None) -> ResourceRecord | None:
    """The record as the emulator holds it: drifted inputs take their live values."""
    if record is None or seen is None or not seen.drift:
        return record
    return replace(record, inputs={**record.inputs, **seen.drift})


def _drift(provider: Provider, record: ResourceRecord, live: object) -> dict[str, Any]:
    """The applied inputs whose live value differs from the recorded one. A provider that
    does not declare its inputs, or whose read returns no mapping, compares nothing."""
    if provider.inputs is None or not isinstance(live, dict):
        return {}
    drift = {}
    for key, value in live.items():
        if key not in provider.inputs:
            continue
        value, recorded = plain(value), record.inputs.get(key)
        if value != recorded and not (_empty(value) and _empty(recorded)):
            drift[key] = value
    return drift


def _empty(value: Any) -> bool:
    return value is None or value == {} or value == [] or value == ""


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
