"""The AWS path: dev/staging/prod applied by the real Pulumi CLI through the Automation API.

Environment name = Pulumi stack name; the work dir is `stacks/<name>`, so the CLI uses the
project's own `Pulumi.yaml` and `Pulumi.<env>.yaml` as they are (this module writes neither,
except what `extra_config` sets through `pulumi config set-all`).

Environment the CLI sees:
- `PULUMI_BACKEND_URL` (`file://...`, `s3://...`) is passed through explicitly when set;
  unset means the CLI's own login (Pulumi Cloud by default). The CLI gives this variable
  precedence over a `backend:` entry in Pulumi.yaml, so the project file is left alone.
- `PULUMI_CONFIG_PASSPHRASE` / `PULUMI_CONFIG_PASSPHRASE_FILE` reach the CLI by inheritance
  from this process (the Automation API starts the CLI with `os.environ`). They are kept out
  of the workspace's `env_vars` on purpose: `LocalWorkspace.__repr__` prints those.
- `PULUMI_SKIP_UPDATE_CHECK=true` unless the user set it.
- `PULUMI_HOME` is NOT redirected: it holds the user's login (credentials.json) and plugin
  cache, and `pulumi cancel` run by hand (as error messages suggest) must see the same home.

Every CLI failure becomes one sentence in a `UserError` (see `cloud_errors`).
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from shared import catalog
from shared.errors import UserError
from shared.ops.cloud_errors import cli_errors, project_label
from shared.ops.outputs import StackOutput

OnOutput = Callable[[str], None]

# Non-secret variables handed to every CLI command when the user set them.
PASSTHROUGH_ENV = ("PULUMI_BACKEND_URL",)
DEFAULT_ENV = {"PULUMI_SKIP_UPDATE_CHECK": "true"}
# Where new stacks keep their secrets, e.g. `awskms://alias/aigw-pulumi-dev?region=eu-west-1`.
SECRETS_PROVIDER_ENV = "PULUMI_SECRETS_PROVIDER"


@dataclass(frozen=True)
class PreviewSummary:
    """What `pulumi preview --diff` would do: counts per operation and the CLI's diff text."""

    create: int = 0
    update: int = 0
    replace: int = 0
    delete: int = 0
    same: int = 0
    diff: str = ""
    changes: dict[str, int] = field(default_factory=dict)  # every operation the CLI reported

    @property
    def has_changes(self) -> bool:
        return any(count for op, count in self.changes.items() if op != "same")


def workspace_env() -> dict[str, str]:
    """The variables set on the LocalWorkspace, read from the environment at call time."""
    env = {key: value for key, value in DEFAULT_ENV.items() if key not in os.environ}
    for key in PASSTHROUGH_ENV:
        value = os.environ.get(key)
        if value:
            env[key] = value
    return env


def _project_dir(stack: str, env: str) -> Path:
    """Check the arguments and return `stacks/<stack>` (looked up now, so tests can move it)."""
    catalog.resolve_env(env)
    if env == catalog.LOCAL:
        raise UserError(
            "The local environment is applied by the local engine, not the Pulumi CLI; "
            "use one of dev, staging, prod here.",
            exit_code=2,
        )
    work_dir = Path(catalog.project_dir(stack))
    if not (work_dir / "Pulumi.yaml").is_file():
        raise UserError(
            f"No Pulumi project at {project_label(stack)}: Pulumi.yaml is missing.", exit_code=2
        )
    return work_dir


def _options() -> auto.LocalWorkspaceOptions:
    # A new stack's secrets go to the provider the bootstrap made (`awskms://...`) when the
    # repository variable names one; unset keeps the passphrase provider.
    return auto.LocalWorkspaceOptions(
        env_vars=workspace_env(),
        secrets_provider=os.environ.get(SECRETS_PROVIDER_ENV) or None,
        pulumi_command=_cli(shutil.which("pulumi")),
    )


@functools.cache
def _cli(found: str | None) -> auto.PulumiCommand:
    """The CLI on PATH (`found`, so another one on PATH is checked anew), its version checked
    once per process: each workspace otherwise runs `pulumi version` first, and one command
    opens several (a deploy: the stack, its tags, its outputs). Without a CLI this raises the
    error `cli_errors` explains, and nothing is cached."""
    return auto.PulumiCommand()


def policy_packs() -> list[str]:
    """The `--policy-pack` folders every preview and update runs: the project's one pack."""
    return [str(catalog.POLICY_PACK_DIR)]


def _open(stack: str, env: str, *, create: bool) -> auto.Stack:
    """Select the `env` stack of project `stack`, creating it first if `create`."""
    work_dir = str(_project_dir(stack, env))
    if create:
        return auto.create_or_select_stack(stack_name=env, work_dir=work_dir, opts=_options())
    return auto.select_stack(stack_name=env, work_dir=work_dir, opts=_options())


def _open_existing(stack: str, env: str) -> auto.Stack | None:
    """The stack if it exists, else None (nothing is created)."""
    try:
        return _open(stack, env, create=False)
    except auto.StackNotFoundError:
        return None


def _converted(outputs: auto.OutputMap) -> dict[str, StackOutput]:
    return {name: StackOutput(out.value, bool(out.secret)) for name, out in outputs.items()}


def _forward(stderr: str, on_output: OnOutput) -> None:
    """Warnings the CLI wrote to stderr during a successful run."""
    for line in stderr.splitlines():
        if line.strip():
            on_output(line)


def deploy(
    stack: str,
    env: str,
    *,
    on_output: OnOutput = print,
    extra_config: dict[str, str] | None = None,
) -> dict[str, StackOutput]:
    """`pulumi up` of project `stack` as stack `env`; returns the outputs, secrets flagged.

    `extra_config` is plain (non-secret) config set with `pulumi config set-all` before the
    update, e.g. `{"<project>:deployedCommit": "<sha>"}`.
    """
    with cli_errors(stack, env, "deploy"):
        target = _open(stack, env, create=True)
        if extra_config:
            target.set_all_config(
                {key: auto.ConfigValue(value=str(value)) for key, value in extra_config.items()}
            )
        # The Automation API's `up` skips the preview, and without one the CLI runs the pack's
        # stack-wide rules only after every step: a preview first stops a violation before
        # anything changes.
        target.preview(policy_packs=policy_packs())
        result = target.up(on_output=on_output, policy_packs=policy_packs())
    _forward(result.stderr, on_output)
    return _converted(result.outputs)


def preview(stack: str, env: str, *, on_output: OnOutput = print) -> PreviewSummary:
    """`pulumi preview --diff`: streamed to `on_output`, summarised as counts per operation."""
    with cli_errors(stack, env, "preview"):
        target = _open(stack, env, create=True)
        try:
            result = target.preview(on_output=on_output, diff=True, policy_packs=policy_packs())
        except RuntimeError as exc:  # the SDK's "summary event never found" (a builtin error)
            raise UserError(
                f"pulumi preview of {stack}/{env} finished without a summary of changes; "
                "run it again, or run `pulumi preview` in the project to see why."
            ) from exc
    _forward(result.stderr, on_output)
    changes = {str(getattr(op, "value", op)): int(n) for op, n in result.change_summary.items()}
    return PreviewSummary(
        create=changes.get("create", 0),
        update=changes.get("update", 0),
        replace=changes.get("replace", 0),
        delete=changes.get("delete", 0),
        same=changes.get("same", 0),
        diff=result.stdout,
        changes=changes,
    )


def destroy(stack: str, env: str, *, on_output: OnOutput = print) -> None:
    """`pulumi destroy` of stack `env`; the stack and its config stay. A stack that was never
    created has nothing to destroy (and is not created)."""
    with cli_errors(stack, env, "destroy"):
        target = _open_existing(stack, env)
        if target is None:
            on_output(f"Nothing to destroy: {stack}/{env} has never been deployed.")
            return
        result = target.destroy(on_output=on_output)
    _forward(result.stderr, on_output)


def resources(stack: str, env: str) -> list[dict[str, Any]]:
    """The resources of stack `env` as `pulumi stack export` records them (each a mapping with
    `urn`, `type`, `id`, `inputs`, `outputs`...); empty when it was never created (nothing is
    created). What `invoke logs` finds a deployed stack's log groups in."""
    with cli_errors(stack, env, "read the resources of"):
        target = _open_existing(stack, env)
        if target is None:
            return []
        exported = target.export_stack().deployment or {}
    return list(exported.get("resources") or [])


def outputs(stack: str, env: str) -> dict[str, StackOutput]:
    """The outputs of the last update of stack `env`, secrets flagged (values in clear)."""
    with cli_errors(stack, env, "read the outputs of"):
        target = _open_existing(stack, env)
        if target is None:
            raise UserError(
                f"{stack}/{env} has never been deployed, so it has no outputs; deploy it with "
                f"`invoke deploy --stack={stack} --env={env}`."
            )
        return _converted(target.outputs())
