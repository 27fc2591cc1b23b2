"""The `local` environment: the engine applies a stack to the emulator, next to the local model
endpoints its config points at. Nothing here needs a cloud account, the Pulumi CLI or internet."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from shared import catalog
from shared.local import emulator, model_endpoint
from shared.local.engine.state import StateStore
from shared.ops.outputs import StackOutput
from shared.ops.stack_files import project_name, stack_config

if TYPE_CHECKING:
    from shared.local.engine.engine import Engine, Plan
    from shared.local.engine.program import ProgramOutput

# The engine (the Pulumi SDK, botocore) is imported by what applies or plans, not by the
# module: reading what a stack recorded (its outputs, whether it is deployed) needs a state
# file only.

Out = Callable[[str], None]


def engine(stack: str, *, out: Out = print, overrides: dict[str, str] | None = None) -> Engine:
    from shared.local.engine.engine import Engine
    from shared.local.engine.providers import Context

    program_dir = catalog.stack_dir(stack)
    config = {**stack_config(program_dir, catalog.LOCAL), **(overrides or {})}
    return Engine(
        program_dir=program_dir,
        project=project_name(program_dir),
        stack=catalog.LOCAL,
        config=config,
        context=Context(
            emulator.server().url, emulator.REGION, model_url=emulator.model_url(emulator.server())
        ),
        state_path=state_path(stack),
        out=out,
        command_name=stack,
        policy_pack=catalog.POLICY_PACK_DIR,
    )


def start_dependencies(config: dict[str, str], out: Out = print) -> None:
    """The emulator, then every local model endpoint the stack's config points at."""
    server, started = emulator.start()
    if started:
        out(f"Started the emulator at {server.url} (state in {server.run_dir}).")
    aws_models_port = urlparse(emulator.model_url(server)).port or model_endpoint.DEFAULT_PORT
    needed = model_endpoint.ports_needed(config, [server.port], aws_models_port)
    for port in sorted(needed):
        endpoint, started = model_endpoint.start(port)
        if started:
            out(f"Started the local model endpoint at {endpoint.url}.")


def deploy(
    stack: str,
    *,
    out: Out = print,
    overrides: dict[str, str] | None = None,
    plan: Plan | None = None,
) -> dict[str, StackOutput]:
    """Plan and apply; `plan` is one `plan(stack)` made just before (a multi-stack run checks
    every stack first), reused when the stack has no state to read back."""
    eng = engine(stack, out=out, overrides=overrides)
    return _reported(eng.up(before_apply=lambda: start_dependencies(eng.config, out), plan=plan))


def plan(stack: str) -> Plan:
    """The stack's plan against its recorded state, without printing: what validates its
    configuration and everything the engine would refuse. A deployed stack's state must
    also describe the emulator at hand (checked, the emulator started if need be)."""
    eng = engine(stack, out=lambda line: None)
    if eng.is_deployed():
        start_dependencies({}, lambda line: None)
        eng.check_emulator()
    return eng.plan()


def preview(stack: str, *, out: Out = print, overrides: dict[str, str] | None = None) -> Plan:
    """The plan only, nothing changes. A deployed stack is read back from the emulator
    (started if need be), so what vanished or drifted behind the engine's back shows."""
    eng = engine(stack, out=out, overrides=overrides)
    deployed = eng.is_deployed()
    if deployed:
        start_dependencies({}, out)  # the emulator only: reading needs no model
    plan = eng.plan(live=deployed)
    eng.show(plan)
    return plan


def refresh(stack: str, *, out: Out = print) -> tuple[int, int]:
    """Read every recorded resource back from the emulator and make the state say what it
    holds; returns (forgotten, drifted)."""
    eng = engine(stack, out=out)
    if eng.is_deployed():  # reads the state first: an unreadable one starts nothing
        start_dependencies({}, out)
    gone, drifted = eng.refresh()
    out(
        f"Refreshed {stack}: {gone} gone from the emulator and forgotten, {drifted} drifted "
        "(the next deploy puts back what the program declares)."
    )
    return gone, drifted


def destroy(stack: str, *, out: Out = print) -> int:
    eng = engine(stack, out=out)
    if eng.is_deployed():
        start_dependencies({}, out)  # the emulator only: deletes need no model
    return eng.destroy()


def check_destroy(stack: str) -> None:
    """Refuse, as `destroy` would, a stack holding protected resources (deletes nothing)."""
    engine(stack, out=lambda line: None).check_destroy()


def outputs(stack: str) -> dict[str, StackOutput]:
    """What the stack's last deploy recorded, read from its state alone (so while a saved
    config does not parse too). The emulator's address is checked all the same: the outputs'
    URLs point at it, and a port that is not one is a usage error for every local task."""
    emulator.server()
    state = StateStore(state_path(stack))
    return {
        name: StackOutput(o["value"], bool(o.get("secret", False)))
        for name, o in state.outputs.items()
    }


def _reported(outputs: dict[str, ProgramOutput]) -> dict[str, StackOutput]:
    return {name: StackOutput(o.value, o.secret) for name, o in outputs.items()}


def has_state(stack: str) -> bool:
    """Whether the stack has any local state (a deploy ran, even if it later destroyed)."""
    return StateStore(state_path(stack)).exists


def state_path(name: str) -> Path:
    """The engine's record of a stack (or of the bootstrap) in local. It is read without the
    stack's config: what is deployed is known while a saved config does not parse."""
    project = project_name(catalog.project_dir(name))
    return catalog.state_dir() / "engine" / project / f"{catalog.LOCAL}.json"


def is_deployed(stack: str) -> bool:
    return StateStore(state_path(stack)).holds_a_deployment
