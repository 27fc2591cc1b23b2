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

from collections.abc import Callable
from typing import Any

from shared import catalog
from shared.components.config import ConfigError
from shared.errors import UserError
from shared.local import emulator
from shared.local.engine import program
from shared.local.engine.engine import Engine
from shared.local.engine.providers import Context
from shared.ops import placeholders
from shared.ops.outputs import StackOutput
from shared.ops.stack_files import has_encrypted_values, project_name, stack_config

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
    return result


def check_config(env: str) -> None:
    """Refuse, before the Pulumi CLI runs, a stack file still holding the documentation
    placeholders (the repository to trust) or settings the program refuses (run on mocks)."""
    program_dir = catalog.BOOTSTRAP_DIR
    if hits := placeholders.found(program_dir, env):
        raise UserError(placeholders.refusal(catalog.BOOTSTRAP, env, hits), exit_code=2)
    config = stack_config(program_dir, env)
    if has_encrypted_values(program_dir, env) or config.get(f"{PROJECT}:accountSharedWith"):
        # Only the CLI can decrypt secrets, or read the other environment's bootstrap stack;
        # the program checks its settings under `pulumi up` then.
        return

    def nothing_applied(reg: program.Registration) -> program.Resolution:
        return "", {}

    try:
        program.run(
            program_dir,
            project_name(program_dir),
            env,
            config,
            nothing_applied,
            preview=True,
            region=config.get("aws:region", program.DEFAULT_REGION),
        )
    except ConfigError as error:
        raise UserError(f"{error}\nNothing was changed.", exit_code=2) from None


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
        state_path=catalog.state_dir() / "engine" / project / f"{catalog.LOCAL}.json",
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
    """What to set in the repository's GitHub settings, one line each, from `githubSettings`."""
    found = outputs.get("githubSettings")
    if found is None:
        raise UserError(
            "The bootstrap stack has no githubSettings output; deploy it again with "
            "`invoke bootstrap --env=<env>`."
        )
    settings: dict[str, Any] = found.value
    environment = settings["environment"]
    lines = ["GitHub settings to make (Settings > Environments):"]
    lines += [
        f"Environment {environment}: variable {name} = {value}"
        for name, value in sorted(settings["variables"].items())
    ]
    if settings.get("requiredReviewers"):
        lines.append(f"Environment {environment}: add required reviewers")
    return lines
