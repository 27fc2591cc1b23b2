"""Promotion: deploy to the next environment exactly the code that is live in the previous one.

`invoke promote --stack=<name|all> --from=dev --to=staging` checks, for every stack, before
anything is deployed:

1. the order: `--to` is the environment right after `--from` in local → dev → staging → prod;
2. the target's stack file holds no documentation placeholder (`placeholders`; exit code 2);
3. the source is deployed (it has outputs);
4. the source recorded the commit it was deployed from, and that tree was clean;
5. this working tree is at that commit, with no uncommitted change;
6. the source's smoke checks pass (sent with the source's credentials);

then deploys each stack to the target through `commands.deploy` (which records the commit
again, for the next promotion). A refusal is a `UserError` of one sentence, exit code 1; a bad
name or order, or a placeholder, exits with 2.
"""

from __future__ import annotations

from collections.abc import Callable

from shared import catalog
from shared.errors import UserError
from shared.ops import commands, credentials, placeholders, release, smoke

Out = Callable[[str], None]


def check_order(source: str | None, target: str | None) -> tuple[str, str]:
    """Valid environment names, `target` right after `source`; else a usage error."""
    if not source or not target:
        raise UserError(
            "Choose the environments with --from and --to, e.g. --from=dev --to=staging.",
            exit_code=2,
        )
    source, target = catalog.resolve_env(source), catalog.resolve_env(target)
    order = catalog.ENVIRONMENTS
    position = order.index(source)
    if order.index(target) != position + 1:
        chain = " → ".join(order)
        step = (
            f"{source} is the last environment"
            if position + 1 == len(order)
            else f"{source} promotes to {order[position + 1]} only"
        )
        raise UserError(
            f"Cannot promote from {source} to {target}: promotion goes one step at a time "
            f"along {chain}, and {step}.",
            exit_code=2,
        )
    return source, target


def check_source(name: str, source: str, target: str, *, out: Out = print) -> release.Release:
    """Every gate for one stack; returns the release the target will get."""
    refuse = f"Cannot promote {name} from {source} to {target}"
    if hits := placeholders.found(catalog.stack_dir(name), target):
        raise UserError(f"{refuse}: {placeholders.refusal(name, target, hits)}", exit_code=2)
    try:
        credentials.stack_outputs(name, source)
    except UserError as error:
        raise UserError(f"{refuse}: {error}") from None

    deployed = release.recorded(name, source)
    if deployed is None:
        raise UserError(
            f"{refuse}: {source} has no recorded commit; deploy it again with "
            f"`invoke deploy --stack={name} --env={source}` so that it records one."
        )
    if deployed.commit is None:
        raise UserError(
            f"{refuse}: {source} was deployed from outside a git checkout, so its commit is "
            "unknown."
        )
    if deployed.dirty:
        raise UserError(
            f"{refuse}: {source} was deployed from {deployed.short} with uncommitted changes, "
            f"which cannot be reproduced; commit them and deploy {source} again."
        )

    here = release.current()
    if here.commit is None:
        raise UserError(f"{refuse}: {release.repo_dir()} is not a git checkout.")
    if here.commit != deployed.commit:
        raise UserError(
            f"{refuse}: {source} runs {deployed.short} but the working tree is at {here.short}; "
            f"run `git checkout {deployed.commit}` first."
        )
    if here.dirty:
        raise UserError(
            f"{refuse}: the working tree has uncommitted changes; commit or stash them so that "
            f"{target} gets exactly {deployed.short}."
        )

    try:
        result = smoke.run(name, source, out=out)
    except UserError as error:
        raise UserError(f"{refuse}: {error}") from None
    if not result.passed:
        failed = ", ".join(c.name for c in result.failures)
        raise UserError(
            f"{refuse}: its smoke checks fail in {source} "
            f"({len(result.failures)} of {len(result.checks)}: {failed})."
        )
    return deployed


def promote(stack: str | None, source: str | None, target: str | None, *, out: Out = print) -> None:
    """Check every stack, then deploy each one to `target`."""
    names, _ = commands._targets(stack, catalog.LOCAL)
    source, target = check_order(source, target)
    approved = {}
    for name in names:
        out(f"Checking {name} in {source} before promoting it to {target}...")
        approved[name] = check_source(name, source, target, out=out)
    for name, deployed in approved.items():
        out(f"Promoting {name} from {source} to {target} at {deployed.short}.")
        commands.deploy(name, target, out=out)
