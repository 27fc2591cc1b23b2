"""`invoke bootstrap --env=<env>`: the one-time set-up of an environment's AWS account, the
bootstrap project (bootstrap/, Pulumi project `aigw-bootstrap`, stack = environment).

`local` is applied by the local engine to the emulator, like a pattern stack (tests, and to see
what it makes); dev, staging and prod by the Pulumi CLI through the Automation API
(`shared.ops.cloud`, which runs the policy pack on it as on every stack). Then the GitHub
settings the workflows need are printed, one per line, from the stack's outputs.

Nothing else touches the bootstrap: it is not under stacks/, so `--stack=all` never names it,
and no task destroys it (every resource is protected besides).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from shared import catalog
from shared.components.config import ConfigError
from shared.errors import UserError
from shared.local import emulator
from shared.local.engine.engine import Engine
from shared.local.engine.providers import Context
from shared.ops import commands, local, placeholders
from shared.ops.outputs import StackOutput
from shared.ops.stack_files import project_name, stack_config

Out = Callable[[str], None]
PROJECT = "aigw-bootstrap"


def run(env: str, *, out: Out = print) -> dict[str, StackOutput]:
    """Deploy the bootstrap stack of `env`, print the GitHub settings; returns the outputs."""
    env = catalog.resolve_env(env)
    if env == catalog.LOCAL:
        result = deploy_local(out=out)
    else:
        check_config(env)
        from shared.ops import cloud  # the local path must not need the Automation API

        result = cloud.deploy(catalog.BOOTSTRAP, env, on_output=out)
    for line in github_settings_lines(result):
        out(line)
    if env != catalog.LOCAL and (move := state_move_hint(env, result)):
        out(move)
    return result


def state_move_hint(env: str, outputs: dict[str, StackOutput]) -> str | None:
    """What to do when this bootstrap stack's own state is not in the backend it made: the
    pattern stacks (and the other environments' bootstraps) read it from there."""
    backend = os.environ.get("PULUMI_BACKEND_URL", "")
    state = outputs.get("backendUrl")
    if state is None or backend.split("?", 1)[0].rstrip("/") == str(state.value):
        return None
    where = backend or "the Pulumi CLI's own login"
    return (
        f"This bootstrap stack's state is in {where}, but the stacks read it from {state.value}: "
        f"move it there once (README, One-time set-up), then run the other environments' "
        f"bootstraps with PULUMI_BACKEND_URL={state.value}."
    )


def check_config(env: str) -> None:
    """Refuse, before the Pulumi CLI runs, a stack file still holding the documentation
    placeholders (the repository to trust), settings the program refuses (run on mocks), or a
    stack whose owner environment (`stateOwner`, `accountSharedWith`) has no bootstrap yet."""
    program_dir = catalog.BOOTSTRAP_DIR
    if hits := placeholders.found(program_dir, env):
        raise UserError(placeholders.refusal(catalog.BOOTSTRAP, env, hits), exit_code=2)
    config = stack_config(program_dir, env)
    references = {
        other: _owner_outputs(env, key, other)
        for key in ("stateOwner", "accountSharedWith")
        if (other := config.get(f"{PROJECT}:{key}"))
    }

    def stack_outputs(project: str, stack: str) -> dict[str, tuple[Any, bool]] | None:
        found = references.get(stack) if project == PROJECT else None
        return None if found is None else {k: (o.value, o.secret) for k, o in found.items()}

    try:
        commands.run_on_mocks(program_dir, env, stack_outputs=stack_outputs)
    except ConfigError as error:
        raise UserError(f"{error}\nNothing was changed.", exit_code=2) from None


def _owner_outputs(env: str, key: str, owner: str) -> dict[str, StackOutput]:
    """The outputs of the bootstrap stack `env` reads as its `key`, or why it cannot run yet."""
    from shared.ops import cloud

    if owner not in catalog.ENVIRONMENTS or owner in (env, catalog.LOCAL):
        return {}  # the program's settings check says what is wrong with the name
    try:
        return cloud.outputs(catalog.BOOTSTRAP, owner)
    except UserError as error:
        raise UserError(
            f"The {env} bootstrap reads the {owner} bootstrap ({PROJECT}:{key}: {owner}), "
            f"which it cannot: {error} Run `invoke bootstrap --env={owner}` first.",
            exit_code=2,
        ) from None


def engine(*, out: Out = print) -> Engine:
    program_dir = catalog.BOOTSTRAP_DIR
    project = project_name(program_dir)
    server = emulator.server()
    return Engine(
        program_dir=program_dir,
        project=project,
        stack=catalog.LOCAL,
        config=stack_config(program_dir, catalog.LOCAL),
        context=Context(server.url, emulator.REGION, model_url=emulator.model_url(server)),
        state_path=local.state_path(catalog.BOOTSTRAP),
        out=out,
        command_name=catalog.BOOTSTRAP,
        policy_pack=catalog.POLICY_PACK_DIR,
    )


def deploy_local(*, out: Out = print) -> dict[str, StackOutput]:
    eng = engine(out=out)

    def start_emulator() -> None:
        server, started = emulator.start()
        if started:
            out(f"Started the emulator at {server.url} (state in {server.run_dir}).")

    outputs = eng.up(before_apply=start_emulator)
    return {name: StackOutput(o.value, o.secret) for name, o in outputs.items()}


def github_settings_lines(outputs: dict[str, StackOutput]) -> list[str]:
    """What to set in the repository's GitHub settings, one line each, from `githubSettings`:
    repository variables (Settings > Secrets and variables > Actions) and the environment's
    (Settings > Environments)."""
    found = outputs.get("githubSettings")
    if found is None:
        raise UserError(
            "The bootstrap stack has no githubSettings output; deploy it again with "
            "`invoke bootstrap --env=<env>`."
        )
    settings: dict[str, Any] = found.value
    environment = settings["environment"]
    lines = ["GitHub settings to make:"]
    lines += [
        f"Repository variable {name} = {value}"
        for name, value in sorted(settings["repository"]["variables"].items())
    ]
    lines += [
        f"Environment {environment['name']}: variable {name} = {value}"
        for name, value in sorted(environment["variables"].items())
    ]
    if environment.get("requiredReviewers"):
        lines.append(f"Environment {environment['name']}: add required reviewers")
    return lines
