"""A stack's own OAuth 2.0 token issuer for machine callers (client credentials), as one
component: a Cognito user pool, its resource server and one app client per caller.

Default settings (fixed unless a caller's `pool_args` overrides the first kind):
- user pool: auto-named, no self sign-up (`admin_create_user_config`: it holds no users, every
  caller is an app client), deletion protection INACTIVE so `destroy` can remove it; tags merged
  over the caller's;
- resource server `aigw-<project>` (fixed) with the scopes the routes need, so an access token
  carries `aigw-<project>/<scope>` and an authorizer can require one per route;
- a hosted domain `aigw-<project>-<pool id suffix>` (fixed): the token endpoint
  `https://<domain>.auth.<region>.amazoncognito.com/oauth2/token`, unique per pool;
- one app client per caller (fixed): a generated secret, the client-credentials flow only,
  allowed exactly the caller's scopes; access tokens valid 60 minutes;
- every client waits for the resource server (Cognito refuses a scope that does not exist yet).

Outputs: `user_pool_id`, `user_pool_arn`, `issuer` (`https://cognito-idp.<region>.amazonaws.com/
<pool id>`, what the tokens carry in `iss`), `token_url`, `identifier`, `client_ids` (caller ->
id) and `client_secrets` (caller -> secret, a secret Output).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from shared.components import naming
from shared.components.access import SCOPE_PREFIX, Client
from shared.components.api import Route

TYPE = "aigw:cognito:ClientCredentialsIssuer"
ACCESS_TOKEN_MINUTES = 60


@dataclass(frozen=True, kw_only=True)
class ClientCredentialsIssuerArgs:
    scopes: Sequence[str]  # short names: "predict" -> "aigw-<project>/predict"
    clients: Sequence[Client]
    region: str | None = None
    pool_args: Mapping[str, Any] = field(default_factory=dict)  # extra aws.cognito.UserPool


class ClientCredentialsIssuer(pulumi.ComponentResource):
    user_pool_id: pulumi.Output[str]
    user_pool_arn: pulumi.Output[str]
    issuer: pulumi.Output[str]
    token_url: pulumi.Output[str]
    identifier: str
    client_ids: dict[str, pulumi.Output[str]]
    client_secrets: pulumi.Output[dict[str, str]]

    def __init__(
        self,
        name: str,
        args: ClientCredentialsIssuerArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        _check(args)
        super().__init__(TYPE, name, None, opts)
        region = args.region
        self.identifier = f"{SCOPE_PREFIX}{pulumi.get_project()}"
        pool = aws.cognito.UserPool(
            f"{name}-pool",
            **naming.merged(
                f"{TYPE} pool",
                defaults={
                    "admin_create_user_config": {"allow_admin_create_user_only": True},
                    "deletion_protection": "INACTIVE",
                    "region": region,
                },
                extra=args.pool_args,
                insisted={"tags": naming.tags()},
            ),
            opts=naming.child(self),
        )
        server = aws.cognito.ResourceServer(
            f"{name}-resource-server",
            user_pool_id=pool.id,
            identifier=self.identifier,
            name=self.identifier,
            scopes=[
                {"scope_name": scope, "scope_description": f"Call the routes that need {scope}"}
                for scope in sorted(set(args.scopes))
            ],
            region=region,
            opts=naming.child(self),
        )
        domain = aws.cognito.UserPoolDomain(
            f"{name}-domain",
            # Pool ids look like `us-east-1_AbC123xyZ`: the suffix makes the prefix unique.
            domain=pool.id.apply(
                lambda pool_id: f"aigw-{pulumi.get_project()}-{pool_id.split('_')[-1].lower()}"
            ),
            user_pool_id=pool.id,
            region=region,
            # A domain prefix is unique across AWS: a replacement must free it first.
            opts=naming.child(self, delete_before_replace=True),
        )
        clients = {
            client.name: aws.cognito.UserPoolClient(
                f"{name}-{client.name}",
                name=client.name,
                user_pool_id=pool.id,
                generate_secret=True,
                allowed_oauth_flows=["client_credentials"],
                allowed_oauth_flows_user_pool_client=True,
                allowed_oauth_scopes=[f"{self.identifier}/{scope}" for scope in client.scopes],
                supported_identity_providers=["COGNITO"],
                access_token_validity=ACCESS_TOKEN_MINUTES,
                token_validity_units={"access_token": "minutes"},
                region=region,
                opts=naming.child(self, depends_on=[server]),
            )
            for client in args.clients
        }
        self.user_pool_id = pool.id
        self.user_pool_arn = pool.arn
        self.issuer = pulumi.Output.concat("https://", pool.endpoint)
        home = region or aws.get_region_output().region
        self.token_url = pulumi.Output.concat(
            "https://", domain.domain, ".auth.", home, ".amazoncognito.com/oauth2/token"
        )
        self.client_ids = {name: c.id for name, c in clients.items()}
        self.client_secrets = pulumi.Output.secret(
            pulumi.Output.all(**{name: c.client_secret for name, c in clients.items()})
        )
        self.register_outputs(
            {
                "user_pool_id": self.user_pool_id,
                "user_pool_arn": self.user_pool_arn,
                "issuer": self.issuer,
                "token_url": self.token_url,
                "client_ids": self.client_ids,
                "client_secrets": self.client_secrets,
            }
        )


def for_routes(
    name: str,
    routes: Sequence[Route],
    clients: Sequence[Client],
    region: str | None,
    parent: pulumi.Resource,
) -> ClientCredentialsIssuer:
    """An API's own token issuer: the scopes its routes need, one app client per caller."""
    return ClientCredentialsIssuer(
        f"{name}-callers",
        ClientCredentialsIssuerArgs(
            scopes=sorted({s for r in routes for s in r.scopes}), clients=clients, region=region
        ),
        opts=naming.child(parent),
    )


def _check(args: ClientCredentialsIssuerArgs) -> None:
    if not args.clients:
        raise ValueError("a token issuer needs at least one client")
    missing = sorted({s for c in args.clients for s in c.scopes} - set(args.scopes))
    if missing:
        raise ValueError(f"clients ask for scopes no route uses: {', '.join(missing)}")
