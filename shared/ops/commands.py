"""What the tasks do, for any stack and environment: `local` goes through the engine, every
other environment through the Pulumi CLI. `tasks.py` only parses arguments and calls these."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from shared import catalog
from shared.errors import UserError
from shared.ops import local, outputs, placeholders, release
from shared.ops.stack_files import has_encrypted_values, project_name, stack_config

if TYPE_CHECKING:
    from shared.local.engine import program
    from shared.local.engine.engine import Plan

# The engine, the Pulumi SDK and botocore (a quarter of a second of imports) are imported by
# the commands that run a program, not by the module: `invoke outputs`, `call` and `token`
# read a state file and need none of them.

Out = Callable[[str], None]


def deploy(stack: str, env: str, *, show_secrets: bool = False, out: Out = print) -> None:
    names, env = _targets(stack, env)
    plans = _check_all(names, env, run_programs=True)
    run = _Progress(names, "deployed")
    for name in names:
        with run.stack(name), _config_errors():
            started = time.perf_counter()
            source = release.current()  # the code this deploy reads, recorded once it succeeded
            if env == catalog.LOCAL:
                result = local.deploy(name, out=out, plan=plans.get(name))
            else:
                result = _cloud().deploy(name, env, on_output=out)
            out(outputs.render_text(result, show_secrets))
            release.record(name, env, source, out=out)
            out(f"Deployed {name} to {env} in {time.perf_counter() - started:.2f} s.")


def preview(stack: str, env: str, *, out: Out = print) -> None:
    names, env = _targets(stack, env)
    _check_all(names, env, run_programs=True)
    run = _Progress(names, "previewed")
    for name in names:
        with run.stack(name), _config_errors():
            if env == catalog.LOCAL:
                local.preview(name, out=out)
            else:
                _cloud().preview(name, env, on_output=out)


def destroy(stack: str, env: str, *, out: Out = print) -> None:
    names, env = _targets(stack, env)
    # A destroy reads the stack files, not the settings: a wrong value never blocks it.
    _check_all(names, env, run_programs=False)
    run = _Progress(names, "destroyed")
    for name in names:
        with run.stack(name):
            started = time.perf_counter()
            if env == catalog.LOCAL:
                local.destroy(name, out=out)
            else:
                _cloud().destroy(name, env, on_output=out)
            out(f"Destroyed {name} in {env} in {time.perf_counter() - started:.2f} s.")


def refresh(stack: str | None, *, out: Out = print) -> None:
    """Refresh one stack's local state, or, with `all`, every stack that has one (refresh is
    the local engine's: no cloud stack is involved)."""
    names = stack_names(stack)
    if stack == catalog.ALL_STACKS:
        deployed = [name for name in names if local.has_state(name)]
        if not deployed:
            raise UserError("No stack has local state: there is nothing to refresh.")
        if skipped := [name for name in names if name not in deployed]:
            out(f"No local state, nothing to refresh: {', '.join(skipped)}.")
        names = deployed
    for name in names:
        local.refresh(name, out=out)


def stack_names(stack: str | None) -> list[str]:
    """The --stack argument as project names (`all` expanded), or a usage error."""
    return _targets(stack, catalog.LOCAL)[0]


def one_stack(stack: str | None, env: str) -> tuple[list[str], str]:
    """The --stack argument naming exactly one stack (a call goes to one), or a usage error."""
    return _targets(stack, env, one=True)


def show_outputs(
    stack: str,
    env: str,
    *,
    key: str | None = None,
    as_json: bool = False,
    show_secrets: bool = False,
    out: Out = print,
) -> None:
    """Every output of each named stack, or, with `key`, that one output of one stack, raw."""
    names, env = one_stack(stack, env) if key else _targets(stack, env)
    for name in names:
        result = local.outputs(name) if env == catalog.LOCAL else _cloud().outputs(name, env)
        if not result:
            raise UserError(f"{name} is not deployed to {env}: it has no outputs.")
        if key:
            out(
                outputs.render_one(
                    result, key, stack=name, show_secrets=show_secrets, as_json=as_json
                )
            )
            continue
        render = outputs.render_json if as_json else outputs.render_text
        out(render(result, show_secrets))


def check_config(stack: str, env: str) -> None:
    """Run the program on mocks with `env`'s config so a bad value is reported before the CLI
    (and before any resource) is involved."""

    def nothing_read(project: str, stack: str) -> dict[str, tuple[object, bool]]:
        return {}  # a stack reference (the bootstrap's, outside local) is the CLI's to read

    run_on_mocks(catalog.stack_dir(stack), env, stack_outputs=nothing_read)


def run_on_mocks(program_dir: Path, env: str, *, stack_outputs: program.StackOutputs) -> None:
    """Run a project's program as a preview with `env`'s config and nothing applied, stack
    references answered by `stack_outputs`: its settings check raises a bad value as the
    ConfigError it is. A stack file with encrypted values is left to the CLI, which alone can
    decrypt them (the program checks them under `pulumi up`)."""
    if has_encrypted_values(program_dir, env):
        return
    preview_on_mocks(program_dir, env, stack_config(program_dir, env), stack_outputs=stack_outputs)


def _nothing_applied(reg: program.Registration) -> program.Resolution:
    return "", {}  # unknown until applied, as in a preview


def preview_on_mocks(
    program_dir: Path,
    env: str,
    config: dict[str, str],
    *,
    stack_outputs: program.StackOutputs,
    on_register: program.Resolver = _nothing_applied,
    components: dict[str, str] | None = None,
) -> None:
    """Run a project's program once as a preview with `config`: each registration goes to
    `on_register` and is applied by nobody (`program.run` documents `components`)."""
    from shared.local.engine import program

    program.run(
        program_dir,
        project_name(program_dir),
        env,
        config,
        on_register,
        preview=True,
        region=config.get("aws:region", program.DEFAULT_REGION),
        stack_outputs=stack_outputs,
        components=components,
    )


def _check_all(names: list[str], env: str, *, run_programs: bool) -> dict[str, Plan]:
    """Check every stack's configuration before any stack is applied, and report every problem
    of every stack at once.

    The stack files' keys always (`stack_config`); with `run_programs`, the values too, by
    running each program on mocks (its settings schema), and, for an AWS environment, no
    documentation placeholder left (`placeholders`: nothing deploys that would only fail at
    run time). Locally that run is the engine's own
    plan, which also refuses what the engine cannot apply; the plans are returned for the
    deploy to reuse. One local stack is not run twice: its deploy's plan is the check."""
    from shared.components.config import ConfigError

    plans: dict[str, Plan] = {}
    if env == catalog.LOCAL and len(names) == 1:
        return plans
    problems = []
    usage_errors_only = True  # exit 2; a file the tasks cannot use (a corrupt state) exits 1
    for name in names:
        try:
            if run_programs and env == catalog.LOCAL:
                plans[name] = local.plan(name)
            elif run_programs:
                if hits := placeholders.found(catalog.stack_dir(name), env):
                    problems.append(placeholders.refusal(name, env, hits))
                check_config(name, env)
            else:
                stack_config(catalog.stack_dir(name), env)
                if env == catalog.LOCAL:
                    local.check_destroy(name)  # a protected resource stops every stack
        except ConfigError as error:
            problems.append(str(error))
        except UserError as error:
            problems.append(_NOTHING_CHANGED.sub("", str(error)).strip())
            usage_errors_only = usage_errors_only and error.exit_code == 2
    if problems:
        text = "\n".join([*problems, "Nothing was changed."])
        raise UserError(text, exit_code=2 if usage_errors_only else 1)
    return plans


_NOTHING_CHANGED = re.compile(r"\s*Nothing was changed\.")


class _Progress:
    """Which stacks of a multi-stack run are done, so a failure says what was applied."""

    def __init__(self, names: list[str], done: str) -> None:
        self.names = names
        self.done_word = done  # "deployed", "destroyed", "previewed"
        self.done: list[str] = []

    @contextmanager
    def stack(self, name: str) -> Iterator[None]:
        try:
            yield
        except UserError as error:
            raise UserError(self._report(name, str(error)), error.exit_code) from None
        except KeyboardInterrupt:
            message = "Interrupted. What was applied is recorded; run the command again."
            raise UserError(self._report(name, message), exit_code=130) from None
        except Exception as error:
            if len(self.names) == 1 or isinstance(error, BrokenPipeError):
                raise  # a closed output (`| head`) ends the run quietly (tasks.py)
            raise UserError(self._report(name, f"{type(error).__name__}: {error}")) from error
        self.done.append(name)

    def _report(self, failed: str, message: str) -> str:
        if len(self.names) == 1:
            return message
        if self.done:
            # True of the stack that failed, not of the run: say which stack it is about.
            message = _NOTHING_CHANGED.sub(f" Nothing of {failed} was changed.", message)
        rest = self.names[self.names.index(failed) + 1 :]
        done = ", ".join(self.done) or "none"
        not_done = ", ".join([f"{failed} (failed)", *rest])
        summary = f"{self.done_word.capitalize()}: {done}. Not {self.done_word}: {not_done}."
        return f"{message}\n{summary}"


def _targets(stack: str | None, env: str, *, one: bool = False) -> tuple[list[str], str]:
    """Validated stack names (\"all\" expanded unless `one`) and environment, or a usage
    error listing the valid choices."""
    if not stack:
        choices = catalog.stack_choices(one=one)
        raise UserError(f"Choose a stack with --stack. Valid stacks: {choices}.", exit_code=2)
    return catalog.resolve_stacks(stack, one=one), catalog.resolve_env(env)


@contextmanager
def _config_errors() -> Iterator[None]:
    """Report an invalid stack config as a usage error (exit 2) instead of a traceback."""
    from shared.components.config import ConfigError

    try:
        yield
    except ConfigError as error:
        raise UserError(f"{error}\nNothing was changed.", exit_code=2) from None


def _cloud():
    # Imported on demand: the local path must not depend on the Automation API's setup.
    from shared.ops import cloud

    return cloud
