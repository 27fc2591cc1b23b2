"""The one-time set-up of one environment's AWS account (stack name = environment), so that the
pattern stacks deploy to it from GitHub Actions and their first `pulumi up` succeeds:
- API Gateway's CloudWatch role in every region the environment's stacks use (a REST stage with
  logging fails without it);
- the GitHub OIDC provider and the environment's deploy role, trusted by this repository's jobs
  in that GitHub environment only;
- the state bucket and the KMS key of Pulumi secrets.
Every resource is protected (`protect`). The outputs are what the workflows need, down to the
GitHub variables to set (`githubSettings`); `invoke bootstrap --env=<env>` prints them.
"""

import pulumi
import stack_usage
from settings import Settings

from shared.components import config
from shared.components.account_logging import AccountLogging
from shared.components.deploy_access import DeployAccess, DeployAccessArgs
from shared.components.state_backend import StateBackend

env = pulumi.get_stack()
settings = config.load(Settings)
region = pulumi.Config("aws").require("region")
protected = pulumi.ResourceOptions(protect=settings.protect)

if settings.account_shared_with:
    # Another environment's bootstrap owns this account's provider and API Gateway settings.
    owner = pulumi.StackReference(
        f"{pulumi.get_organization()}/{pulumi.get_project()}/{settings.account_shared_with}"
    )
    oidc_provider_arn: pulumi.Input[str] | None = owner.require_output("oidcProviderArn")
    logging_regions = owner.require_output("apiGatewayLoggingRegions")
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

    logging_regions = logging_regions.apply(covered)
else:
    logging = AccountLogging(
        "api-gateway-logging", stack_usage.logging_regions(env), opts=protected
    )
    logging_regions = pulumi.Output.from_input(logging.regions)
    oidc_provider_arn = settings.oidc_provider_arn or None

backend = StateBackend("pulumi", environment=env, region=region, opts=protected)
access = DeployAccess(
    "deploy",
    DeployAccessArgs(
        repository=settings.repository,
        environment=settings.environment,
        regions=stack_usage.regions(env),
        hosted_zones=stack_usage.hosted_zones(env),
        state_bucket_arn=backend.bucket_arn,
        key_arn=backend.key_arn,
        oidc_provider_arn=oidc_provider_arn,
    ),
    opts=protected,
)

pulumi.export("apiGatewayLoggingRegions", logging_regions)
pulumi.export("stateBucket", backend.bucket_name)
pulumi.export("backendUrl", backend.backend_url)
pulumi.export("secretsProvider", backend.secrets_provider)
pulumi.export("deployRoleArn", access.role_arn)
pulumi.export("oidcProviderArn", access.oidc_provider_arn)
# Every value is the environment's own (its bucket, key and role), so all four are variables
# of the GitHub environment, which the deploy jobs of that environment see as `vars.<name>`.
pulumi.export(
    "githubSettings",
    {
        "environment": settings.environment,
        "variables": {
            "AWS_REGION": region,
            "AWS_ROLE_ARN": access.role_arn,
            "PULUMI_BACKEND_URL": backend.backend_url,
            "PULUMI_SECRETS_PROVIDER": backend.secrets_provider,
        },
        "requiredReviewers": env == "prod",
    },
)
