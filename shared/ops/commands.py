"""What the tasks do, for any stack and environment: `local` goes through the engine, every
other environment through the Pulumi CLI. `tasks.py` only parses arguments and calls these."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from shared import catalog
from shared.components.config import ConfigError
from shared.errors import UserError
from shared.local.engine import program
from shared.ops import local, outputs, release
from shared.ops.stack_files import has_encrypted_values, project_name, stack_config

Out = Callable[[str], None]


def deploy(stack: str, env: str, *, show_secrets: bool = False, out: Out = print) -> None:
    names, env = _targets(stack, env)
    for name in names:
        started = time.perf_counter()
        source = release.current()  # the code this deploy reads, recorded once it succeeded
        with _config_errors():
            if env == catalog.LOCAL:
                result = local.deploy(name, out=out)
            else:
                check_config(name, env)
                result = _cloud().deploy(name, env, on_output=out)
        out(outputs.render_text(result, show_secrets))
        release.record(name, env, source, out=out)
        out(f"Deployed {name} to {env} in {time.perf_counter() - started:.2f} s.")


def preview(stack: str, env: str, *, out: Out = print) -> None:
    names, env = _targets(stack, env)
    for name in names:
        with _config_errors():
            if env == catalog.LOCAL:
                local.preview(name, out=out)
            else:
                check_config(name, env)
                _cloud().preview(name, env, on_output=out)


def destroy(stack: str, env: str, *, out: Out = print) -> None:
    names, env = _targets(stack, env)
    for name in names:
        started = time.perf_counter()
        if env == catalog.LOCAL:
            local.destroy(name, out=out)
        else:
            _cloud().destroy(name, env, on_output=out)
        out(f"Destroyed {name} in {env} in {time.perf_counter() - started:.2f} s.")


def show_outputs(
    stack: str, env: str, *, as_json: bool = False, show_secrets: bool = False, out: Out = print
) -> None:
    names, env = _targets(stack, env)
    for name in names:
        result = local.outputs(name) if env == catalog.LOCAL else _cloud().outputs(name, env)
        if not result:
            raise UserError(f"{name} is not deployed to {env}: it has no outputs.")
        render = outputs.render_json if as_json else outputs.render_text
        out(render(result, show_secrets))


def check_config(stack: str, env: str) -> None:
    """Run the program on mocks with `env`'s config so a bad value is reported before the CLI
    (and before any resource) is involved."""
    program_dir = catalog.stack_dir(stack)
    config = stack_config(program_dir, env)
    if has_encrypted_values(program_dir, env):
        return  # only the CLI can decrypt them; the program checks them under `pulumi up`

    def nothing_applied(reg: program.Registration) -> program.Resolution:
        return "", {}

    program.run(program_dir, project_name(program_dir), env, config, nothing_applied, preview=True)


def _targets(stack: str | None, env: str) -> tuple[list[str], str]:
    """Validated stack names (\"all\" expanded) and environment, or a usage error."""
    if not stack:
        choices = ", ".join([*catalog.stack_names(), catalog.ALL_STACKS])
        raise UserError(f"Choose a stack with --stack. Valid stacks: {choices}.", exit_code=2)
    return catalog.resolve_stacks(stack), catalog.resolve_env(env)


@contextmanager
def _config_errors() -> Iterator[None]:
    """Report an invalid stack config as a usage error (exit 2) instead of a traceback."""
    try:
        yield
    except ConfigError as error:
        raise UserError(f"{error}\nNothing was changed.", exit_code=2) from None


def _cloud():
    # Imported on demand: the local path must not depend on the Automation API's setup.
    from shared.ops import cloud

    return cloud
