"""The bootstrap's settings: `aigw-bootstrap:<key>` in Pulumi.<env>.yaml (declared in
Pulumi.yaml)."""

from collections.abc import Iterator
from dataclasses import dataclass

import pulumi

from shared import catalog
from shared.components import config
from shared.components.config import setting
from shared.components.deploy_access import ENVIRONMENT, REPOSITORY
from shared.components.state_backend import ACCOUNT_ID

# What the local stack trusts when no repository is set: the emulator checks no token, so any
# well-formed name serves; outside local the repository must be the team's own.
LOCAL_REPOSITORY = "local/ai-gateway-patterns"


@dataclass(frozen=True, kw_only=True)
class Settings:
    github_repository: str = setting(
        "",
        description=(
            "The GitHub repository whose workflows deploy, owner/name; required outside local"
        ),
    )
    github_environment: str = setting(
        "",
        description="The GitHub environment of the deploy jobs; empty: the stack's name",
    )
    oidc_provider_arn: str = setting(
        "",
        description=(
            "The account's GitHub OIDC provider when it exists already (made by hand or by "
            "another tool); empty: this stack makes it"
        ),
    )
    account_shared_with: str = setting(
        "",
        description=(
            "The environment (dev, staging or prod) whose bootstrap sets this account's API "
            "Gateway CloudWatch role and OIDC provider; empty: this stack sets them"
        ),
    )
    state_owner: str = setting(
        "",
        description=(
            "The environment (dev) whose bootstrap makes the one state bucket and secrets key "
            "of every environment (promotion reads the previous environment's state); empty: "
            "this stack makes them"
        ),
    )
    state_accounts: list = setting(
        [],
        kind=config.JSON,
        description=(
            "The AWS account ids of environments that keep their state here from another "
            "account (the owner's setting): those accounts may use the state and its key"
        ),
    )
    protect: bool = setting(
        True, description="Protect every resource from deletion (the state, the key, the roles)"
    )

    @property
    def repository(self) -> str:
        return self.github_repository or LOCAL_REPOSITORY

    @property
    def environment(self) -> str:
        return self.github_environment or pulumi.get_stack()

    def problems(self) -> Iterator[str]:
        stack = pulumi.get_stack()
        if not self.github_repository and stack != catalog.LOCAL:
            yield "githubRepository: required outside local (owner/name of this repository)."
        elif not REPOSITORY.match(self.repository):
            yield f"githubRepository: {self.repository!r} is not a GitHub owner/name."
        if not ENVIRONMENT.match(self.environment):
            yield (
                f"githubEnvironment: {self.environment!r} is not a GitHub environment name "
                "(letters, digits, '.', '_' and '-')."
            )
        for key, other in (
            ("stateOwner", self.state_owner),
            ("accountSharedWith", self.account_shared_with),
        ):
            if other and other not in catalog.ENVIRONMENTS:
                choices = ", ".join(catalog.ENVIRONMENTS)
                yield f"{key}: {other!r} is no environment; one of {choices}."
            elif other and other == stack:
                yield f"{key}: names this environment itself."
        if not isinstance(self.state_accounts, list) or not all(
            isinstance(a, str) and ACCOUNT_ID.match(a) for a in self.state_accounts
        ):
            yield "stateAccounts: a list of 12-digit AWS account ids, as strings."
        elif self.state_accounts and self.state_owner:
            yield (
                "stateAccounts: set with stateOwner; set it in the owner's stack file "
                f"(Pulumi.{self.state_owner}.yaml)."
            )
        if self.account_shared_with and self.oidc_provider_arn:
            yield (
                "oidcProviderArn: set with accountSharedWith, which already gives the provider "
                "of that environment; set one of them."
            )
