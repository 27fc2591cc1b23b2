"""The one-time set-up of one environment's AWS account (stack name = environment), so that the
pattern stacks deploy to it from GitHub Actions and their first `pulumi up` succeeds:
- API Gateway's CloudWatch role in every region the environment's stacks use (a REST stage with
  logging fails without it);
- the GitHub OIDC provider and the environment's deploy role, trusted by this repository's jobs
  in that GitHub environment only, which makes roles only under the account's workload boundary
  (a managed policy made with the account's settings);
- made once, by the environment that owns the state (dev; `stateOwner` elsewhere): the state
  bucket and the KMS key of Pulumi secrets every environment uses (one backend: promotion reads
  the previous environment's state), and the role pull-request previews run with.
Another environment's outputs are read with a stack reference (`stateOwner`,
`accountSharedWith`). Every resource is protected (`protect`). The outputs are what the
workflows need, down to the GitHub variables to set (`githubSettings`); `invoke bootstrap
--env=<env>` prints them.
"""

import pulumi
from settings import Settings

from shared.components import config
from shared.components.account_logging import AccountLogging
from shared.components.deploy_access import (
    DeployAccess,
    DeployAccessArgs,
    PreviewAccess,
    WorkloadBoundary,
)
from shared.components.state_backend import StateBackend
from shared.ops import stack_usage

env = pulumi.get_stack()
settings = config.load(Settings)
region = pulumi.Config("aws").require("region")
protected = pulumi.ResourceOptions(protect=settings.protect)
_references: dict[str, pulumi.StackReference] = {}


def bootstrap_of(environment: str) -> pulumi.StackReference:
    """The bootstrap stack of another environment (one reference each)."""
    if environment not in _references:
        _references[environment] = pulumi.StackReference(
            f"{pulumi.get_organization()}/{pulumi.get_project()}/{environment}"
        )
    return _references[environment]


# -- the account: API Gateway's CloudWatch role, the OIDC provider -------------------------------

oidc_provider_arn: pulumi.Input[str] | None
if settings.account_shared_with:
    # Another environment's bootstrap owns this account's provider and API Gateway settings.
    owner = bootstrap_of(settings.account_shared_with)
    oidc_provider_arn = owner.require_output("oidcProviderArn")
    needed = stack_usage.regions(env)

    def covered(regions: list[str]) -> list[str]:
        if missing := sorted(set(needed) - set(regions)):
            raise ValueError(
                f"The {settings.account_shared_with} bootstrap does not set API Gateway's "
                f"CloudWatch role in {', '.join(missing)}, where the {env} stacks deploy: run "
                f"`invoke bootstrap --env={settings.account_shared_with}` first (it reads this "
                "stack's accountSharedWith)."
            )
        return sorted(regions)

    logging_regions = owner.require_output("apiGatewayLoggingRegions").apply(covered)
else:
    logging = AccountLogging(
        "api-gateway-logging", stack_usage.logging_regions(env), opts=protected
    )
    logging_regions = pulumi.Output.from_input(logging.regions)
    oidc_provider_arn = settings.oidc_provider_arn or None

# -- the state: made here, or the owner's ------------------------------------------------------

if settings.state_owner:
    state = bootstrap_of(settings.state_owner)
    state_bucket = state.require_output("stateBucket")
    state_bucket_arn = state.require_output("stateBucketArn")
    secrets_key_arn = state.require_output("secretsKeyArn")
    backend_url = state.require_output("backendUrl")
    secrets_provider: pulumi.Input[str] = state.require_output("secretsProvider")
else:
    backend = StateBackend(
        "pulumi",
        environment=env,
        region=region,
        other_accounts=settings.state_accounts,
        opts=protected,
    )
    state_bucket, state_bucket_arn = backend.bucket_name, backend.bucket_arn
    secrets_key_arn, backend_url = backend.key_arn, backend.backend_url
    secrets_provider = backend.secrets_provider

# -- the ceiling of the stacks' roles: made with the account's settings, or the owner's ----------

workload_boundary_arn: pulumi.Input[str]
if settings.account_shared_with:
    workload_boundary_arn = bootstrap_of(settings.account_shared_with).require_output(
        "workloadBoundaryArn"
    )
else:
    workload_boundary = WorkloadBoundary(
        "workload-boundary",
        # The regions of every environment's stacks in this account, as for the logging role.
        stack_usage.logging_regions(env),
        state_bucket_arn=state_bucket_arn,
        opts=protected,
    )
    workload_boundary_arn = workload_boundary.arn

access = DeployAccess(
    "deploy",
    DeployAccessArgs(
        repository=settings.repository,
        environment=settings.environment,
        regions=stack_usage.regions(env),
        hosted_zones=stack_usage.hosted_zones(env),
        edge_domains=stack_usage.edge_domains(env),
        state_bucket_arn=state_bucket_arn,
        key_arn=secrets_key_arn,
        oidc_provider_arn=oidc_provider_arn,
    ),
    opts=protected,
)

# GitHub: every job that deploys runs in its environment, whose variable names its own role;
# the state, its secrets and pull-request previews are the repository's, set by the owner.
environment_settings = {
    "name": settings.environment,
    "variables": {"AWS_ROLE_ARN": access.role_arn},
    "requiredReviewers": env == "prod",
}
repository_settings: dict[str, object] = {}
if not settings.state_owner:
    preview = PreviewAccess(
        "preview",
        repository=settings.repository,
        oidc_provider_arn=access.oidc_provider_arn,
        state_bucket_arn=state_bucket_arn,
        key_arn=secrets_key_arn,
        opts=protected,
    )
    pulumi.export("previewRoleArn", preview.role_arn)
    repository_settings = {
        "AWS_REGION": region,
        "AWS_ROLE_ARN": preview.role_arn,
        "PULUMI_BACKEND_URL": backend_url,
        "PULUMI_SECRETS_PROVIDER": secrets_provider,
    }

pulumi.export("apiGatewayLoggingRegions", logging_regions)
pulumi.export("stateBucket", state_bucket)
pulumi.export("stateBucketArn", state_bucket_arn)
pulumi.export("secretsKeyArn", secrets_key_arn)
pulumi.export("backendUrl", backend_url)
pulumi.export("secretsProvider", secrets_provider)
pulumi.export("deployRoleArn", access.role_arn)
pulumi.export("oidcProviderArn", access.oidc_provider_arn)
pulumi.export("workloadBoundaryArn", workload_boundary_arn)
pulumi.export(
    "githubSettings",
    {"repository": {"variables": repository_settings}, "environment": environment_settings},
)
