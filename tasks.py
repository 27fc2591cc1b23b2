"""Tasks: `invoke --list`. Each one parses its arguments and calls `shared.ops`; nothing more."""

from __future__ import annotations

import atexit
import functools
import gc
import sys
from types import FrameType
from typing import Any

from invoke import Argument, Collection, Exit, Task
from invoke import task as invoke_task
from invoke.parser.parser import ParseMachine

from shared import catalog, errors
from shared.errors import UserError

# A task is a short-lived process that builds large object graphs (the Pulumi SDK, pulumi-aws,
# the program's resources) and drops them at exit. The cyclic collector only costs it time:
# its collections during imports and the program run, and the walk over everything at exit,
# were 0.3-0.5 s of a 1.2 s local deploy. So it is off, and at exit (this handler, registered
# first, runs last) what is left is frozen, so the interpreter's final collection skips it.
gc.disable()
atexit.register(gc.freeze)
# `invoke outputs | head -1`: the reader going away ends the command quietly (shared/errors.py).
errors.end_quietly_when_output_closes()


def _user_errors(body):
    """Turn a UserError into its message and exit code: no traceback for a user's mistake.
    Also one line, exit 1, for a file the task cannot use (AIGW_STATE_DIR naming a file...),
    and a quiet end when the output's reader has gone (`| head -1`). Every `task` has it."""
    if getattr(body, "ends_without_traceback", False):
        return body

    @functools.wraps(body)
    def run(*args, **kwargs):
        try:
            return body(*args, **kwargs)
        except UserError as error:
            raise Exit(f"Error: {error}", code=error.exit_code) from None
        except KeyboardInterrupt:
            raise Exit(
                "Interrupted. What was applied is recorded; run the command again.", code=130
            ) from None
        except OSError as error:
            if isinstance(error, BrokenPipeError) and errors.stdout_closed():
                errors.silence_stdout()
                raise Exit(code=errors.CLOSED_PIPE_EXIT) from None
            if not error.filename:
                raise  # a connection's, not a file's: a failure to see whole
            message = errors.os_error_message(error, catalog.state_dir())
            raise Exit(f"Error: {message}", code=1) from None

    run.ends_without_traceback = True
    return run


def task(*args, **kwargs):
    """Invoke's @task for every task here, with `_user_errors`, and without invoke's automatic
    short flags: they are each flag's first free letter, `-h` included, so `--show-secrets`
    was `-h` and `invoke deploy --stack=proxy -h` deployed and printed the API key instead of
    the help. A one-letter parameter is still its own short flag (`invoke test -k expr`)."""
    kwargs.setdefault("auto_shortflags", False)
    if len(args) == 1 and callable(args[0]) and not isinstance(args[0], Task):
        return invoke_task(**kwargs)(_user_errors(args[0]))  # bare `@task`
    return lambda body: invoke_task(*args, **kwargs)(_user_errors(body))


STACK_HELP = {
    "stack": "proxy, versions, orchestration, global, workflows or all",
    "env": "local (default), dev, staging or prod",
}
ONE_STACK_HELP = {**STACK_HELP, "stack": "proxy, versions, orchestration, global or workflows"}


@task(help={**STACK_HELP, "show_secrets": "print secret outputs such as API keys"})
def deploy(c, stack=None, env="local", show_secrets=False):
    """Deploy a stack (plan, then apply). `local` needs no cloud account."""
    from shared.ops import commands

    commands.deploy(stack, env, show_secrets=show_secrets)


@task(help=STACK_HELP)
def preview(c, stack=None, env="local"):
    """Show what a deploy would change, changing nothing."""
    from shared.ops import commands

    commands.preview(stack, env)


@task(help=STACK_HELP)
def destroy(c, stack=None, env="local"):
    """Delete everything a stack deployed, and nothing else."""
    from shared.ops import commands

    commands.destroy(stack, env)


class _OptionalWord(Argument):
    """A positional argument that may be left out. Invoke fills a positional argument with the
    next word no flag takes, `--help` included, and refuses to run a task without it
    (pyinvoke/invoke#159, #1084). This one takes only a word the parser reads that is not a
    flag (`invoke outputs --stack=proxy url`), and when none came it is its default, or ""."""

    @property
    def value(self) -> Any:
        if self._value is None and _parser_reads_a_word():
            return None  # the parser hands it this word
        return self._value if self._value is not None else (self.default or "")

    @value.setter
    def value(self, arg: str) -> None:
        self.set_value(arg, cast=True)


def _parser_reads_a_word() -> bool:
    """Whether invoke's parser is deciding what to do with a token that is not a flag."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_code is ParseMachine.handle.__code__:
            return not str(frame.f_locals.get("token", "-")).startswith("-")
        frame = frame.f_back
    return False


class _OptionalWordsTask(Task):
    """A task whose positional arguments are `_OptionalWord`s."""

    def get_arguments(self, ignore_unknown_help: bool | None = None) -> list[Argument]:
        arguments = super().get_arguments(ignore_unknown_help)
        return [_as_optional_word(a) if a.positional else a for a in arguments]


def _as_optional_word(argument: Argument) -> Argument:
    word = _OptionalWord(names=argument.names, kind=argument.kind, default=argument.default)
    word.help, word.positional, word.attr_name = argument.help, True, argument.attr_name
    return word


@task(
    klass=_OptionalWordsTask,
    positional=["key"],
    help={
        **STACK_HELP,
        "key": "print only this output's value, raw, for $(...) (e.g. url)",
        "json": "machine-readable output",
        "show_secrets": "unmask secrets",
    },
)
def outputs(c, key=None, stack=None, env="local", json=False, show_secrets=False):
    """Print a deployed stack's outputs (URL, API key id...), or one value: `outputs url`."""
    from shared.ops import commands

    commands.show_outputs(stack, env, key=key or None, as_json=json, show_secrets=show_secrets)


@task(help={**ONE_STACK_HELP, "env": "local only (the default): dev mode deploys to the emulator"})
def dev(c, stack=None, env="local"):
    """Deploy a stack locally, then redeploy it and run its smoke checks on each saved change."""
    from shared.ops import dev as watcher

    watcher.run(stack, env)


@task(help=STACK_HELP)
def smoke(c, stack=None, env="local"):
    """Run a deployed stack's smoke checks (stacks/<name>/smoke.yaml); fails if any fails."""
    from shared.ops import smoke as checks

    checks.command(stack, env)


@task(help={**ONE_STACK_HELP, "client": "the client whose token it is (default: the first)"})
def token(c, stack=None, env="local", client=None):
    """Print a bearer token for a cognito/jwt stack (client credentials), for `$(...)`."""
    from shared.ops import commands, credentials

    [name], env = commands.one_stack(stack, env)
    print(credentials.token(name, env, client=client))


@task(
    help={
        **ONE_STACK_HELP,
        "path": "appended to the baseUrl output (default: call the url output)",
        "method": "HTTP method (default POST with --data, else GET)",
        "data": "JSON body, or @file to read it from a file",
        "client": "the client whose key or token is sent (default: the first enabled one)",
        "no_credentials": "send no credentials (to see the stack refuse the request)",
    }
)
def call(
    c, stack=None, env="local", path=None, method=None, data=None, client=None, no_credentials=False
):
    """Call a deployed stack with the credentials it asks for; print the status and answer."""
    from shared.ops import call as calls
    from shared.ops import commands

    [name], env = commands.one_stack(stack, env)
    answered = calls.call(
        name,
        env,
        path=path,
        method=method,
        data=data,
        client=client,
        send_credentials=not no_credentials,
    )
    if not answered:
        raise Exit(code=1)


@task(
    help={
        **ONE_STACK_HELP,
        "function": "only this Lambda function's logs (its name in the stack)",
        "since": "how far back: 30s, 10m (default), 2h, 1d",
        "follow": "keep printing new events until Ctrl-C",
    }
)
def logs(c, stack=None, env="local", function=None, since="10m", follow=False):
    """Print a deployed stack's function and access logs, one line per event, oldest first."""
    from shared.ops import commands
    from shared.ops import logs as reader

    [name], env = commands.one_stack(stack, env)
    reader.command(name, env, function=function, since=since, follow=follow)


@task(help={"env": "local (default: the emulator), dev, staging or prod"})
def bootstrap(c, env="local"):
    """One-time set-up of an environment's account (CloudWatch role, deploy role, state bucket,
    secrets key); prints the GitHub settings to make."""
    from shared.ops import bootstrap as setup

    setup.run(env)


@task(help={"stack": "a stack deployed to local"})
def refresh(c, stack=None):
    """Read every recorded resource back from the emulator, show drift, and fix the state."""
    from shared.ops import commands

    commands.refresh(stack)


@task(help={"yes": "do not ask for confirmation"})
def reset(c, yes=False):
    """Delete every resource on the emulator and the local state of every stack."""
    from shared.ops import reset as wipe

    wipe.command(confirmed=yes)


@task(
    help={
        "stack": STACK_HELP["stack"],
        "from_": "environment whose deployed commit is promoted (local, dev or staging)",
        "to": "the environment right after it (dev, staging or prod)",
    }
)
def promote(c, stack=None, from_=None, to=None):
    """Deploy to --to exactly the commit live in --from, once its smoke checks pass."""
    from shared.ops import promote as promotion

    promotion.promote(stack, from_, to)


@task(help={"since": "a commit: list the stacks changed since it (empty: every stack)"})
def changed(c, since=""):
    """Print, as a JSON list, the stacks whose files or shared code changed since a commit."""
    import json

    from shared.ops import release

    print(json.dumps(release.changed_stacks(since)))


@task(
    help={
        **ONE_STACK_HELP,
        "format": "mermaid (default), dot or svg",
        "write_readme": "rewrite the README's picture of every stack (local) instead",
    }
)
def graph(c, stack=None, env="local", format="mermaid", write_readme=False):
    """Print a stack's resources and dependencies by component, from its program alone.

    Nothing is deployed: a Mermaid flowchart, Graphviz DOT or a standalone SVG."""
    from shared.ops import graph as pictures

    if write_readme:
        if stack or env != "local" or format != "mermaid":
            # It rewrites every stack's local picture: a narrower ask must not rewrite them all.
            raise UserError(
                "--write-readme rewrites every stack's picture (local, mermaid): leave out "
                "--stack, --env and --format.",
                exit_code=2,
            )
        pictures.write_readme()
    else:
        pictures.command(stack, env, format)


@task(
    name="config-schema",
    help={
        "stack": "a stack or all (default all)",
        "check": "change nothing; fail if a Pulumi.yaml differs from its settings.py",
    },
)
def config_schema(c, stack="all", check=False):
    """Write each Pulumi.yaml `config:` block from the stack's settings (type, default, ...)."""
    from shared import catalog
    from shared.ops import config_schema as schema

    stale = {}
    for name in catalog.resolve_stacks(stack):
        if check:
            if keys := schema.out_of_date(name):
                stale[name] = keys
        elif schema.write(name):
            print(f"Wrote stacks/{name}/Pulumi.yaml")
    if stale:
        listed = "; ".join(f"{name}: {', '.join(keys)}" for name, keys in stale.items())
        raise UserError(f"Pulumi.yaml out of date ({listed}); run `invoke config-schema`.")


@task(
    help={
        "k": "only tests matching this expression",
        "quick": "skip end-to-end tests",
        "workers": "worker processes (default: two per core; 0: run in this process)",
    }
)
def test(c, k=None, quick=False, workers=None):
    """Run the test suite (offline; each worker process starts its own emulator)."""
    from shared.ops import suite

    if code := suite.run(k, quick, workers):
        raise Exit(code=code)


@task(
    help={
        "stack": "stack to time deploy / no-op / destroy of, or all (default proxy)",
        "runs": "repetitions (default 5)",
        "routes": "route counts of a generated REST API, e.g. 1,10,50,100 (deploy/no-op/destroy)",
        "clients": "concurrent clients calling one Lambda route, e.g. 1,8,100 (req/s, p50/p99)",
        "seconds": "how long each --clients level runs (default 10)",
        "access": "latency per access mode and per proxy model backend (--calls each)",
        "calls": "sequential calls per --access case (default 200)",
    }
)
def bench(
    c, stack=None, runs=None, routes=None, clients=None, seconds=None, access=False, calls=None
):
    """Print timings of local deploys, or throughput of one Lambda route (figures, no pass/fail)."""
    from shared.ops import bench as benchmarks

    # Every number is read before anything runs: a mistake in one starts nothing.
    repetitions = benchmarks.positive_count(5 if runs is None else runs, "--runs")
    route_counts = benchmarks.parse_counts(routes, "--routes") if routes else None
    client_counts = benchmarks.parse_counts(clients, "--clients") if clients else None
    duration = benchmarks.positive_seconds(10 if seconds is None else seconds, "--seconds")
    call_count = benchmarks.positive_count(200 if calls is None else calls, "--calls")

    gc.enable()  # it runs programs many times in one process: their garbage must go

    if route_counts:
        benchmarks.route_sweep(route_counts, repetitions)
    if client_counts:
        benchmarks.lambda_load(client_counts, duration)
    if access:
        from shared.ops import bench_access

        bench_access.access_latency(call_count)
    if stack or not (routes or clients or access):
        benchmarks.local_cycle(stack or "proxy", repetitions)


@task
def lint(c):
    """Ruff lint and format check, the type checker, and the workflows against GitHub's schema."""
    from shared.ops import typecheck

    c.run(f"{sys.executable} -m ruff check .", pty=False)
    c.run(f"{sys.executable} -m ruff format --check .", pty=False)
    if not typecheck.check():
        raise Exit("Type check failed (mypy, above).", code=1)
    c.run(
        "check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml",
        pty=False,
    )


@task(help={"port": "port on 127.0.0.1 (default 4566, or AIGW_EMULATOR_PORT)"})
def emulator_start(c, port=None):
    """Start the embedded AWS emulator (MiniStack) on 127.0.0.1."""
    from shared.local import emulator

    server, started = emulator.start(port)
    print(f"Emulator {'started' if started else 'already running'} at {server.url}.")


@task(help={"port": "port on 127.0.0.1 (default 4566, or AIGW_EMULATOR_PORT)"})
def emulator_stop(c, port=None):
    """Stop the emulator (it saves its state first) and the local model endpoints."""
    from shared.local import emulator, model_endpoint

    server = emulator.server(port)
    print(f"Emulator at {server.url} {'stopped' if server.stop() else 'was not running'}.")
    for endpoint in model_endpoint.running():
        endpoint.stop()
        print(f"Model endpoint at {endpoint.url} stopped.")


@task(help={"port": "port on 127.0.0.1 (default 4566, or AIGW_EMULATOR_PORT)"})
def emulator_status(c, port=None):
    """Say whether the emulator and model endpoints are running."""
    from shared.local import emulator, model_endpoint

    server = emulator.server(port)
    pid = server.pid()
    print(f"Emulator at {server.url}: " + (f"running (pid {pid})" if pid else "not running"))
    for endpoint in model_endpoint.running():
        print(f"Model endpoint at {endpoint.url}: running (pid {endpoint.pid()})")


emulator_tasks = Collection("emulator")
emulator_tasks.add_task(emulator_start, "start")
emulator_tasks.add_task(emulator_stop, "stop")
emulator_tasks.add_task(emulator_status, "status")

ns = Collection(
    bootstrap,
    deploy,
    preview,
    destroy,
    refresh,
    reset,
    outputs,
    token,
    call,
    logs,
    dev,
    smoke,
    promote,
    changed,
    test,
    lint,
    bench,
    config_schema,
    graph,
)
ns.add_collection(emulator_tasks)
