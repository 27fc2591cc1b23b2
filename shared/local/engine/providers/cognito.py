"""Cognito user pools, app clients, hosted domains and resource servers on the emulator: enough
for machine-to-machine auth (a client-credentials client with resource-server scopes, its token
from the domain's `/oauth2/token`).

Where MiniStack 1.5.33 differs from AWS:
- The token endpoint is served by the emulator itself (`<emulator>/oauth2/token`), not on the
  domain's own host; tokens are RS256 JWTs whose issuer is the AWS one.
- A domain is ACTIVE at once (AWS: up to a minute for a prefix domain, longer for a custom one);
  custom domains (`certificateArn`) are left out.
- `UpdateUserPool` keeps the settings a call leaves out, where AWS resets them; the provider
  sends every setting it manages, so both end the same.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from shared.local.engine.live import live_inputs, same_set
from shared.local.engine.naming import AutoName
from shared.local.engine.providers.base import (
    Client,
    Context,
    Created,
    Desired,
    Immutable,
    Inputs,
    Outputs,
    Provider,
    as_int,
    drop_none,
    not_found,
    provides,
)
from shared.local.engine.secret_values import secret
from shared.local.engine.state import ResourceRecord
from shared.local.engine.tagging import COGNITO


def _pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


# -- user pools ---------------------------------------------------------------------------------

_PASSWORD_POLICY = (
    "minimumLength",
    "requireLowercase",
    "requireNumbers",
    "requireSymbols",
    "requireUppercase",
    "temporaryPasswordValidityDays",
    "passwordHistorySize",
)
_POOL_LISTS = ("autoVerifiedAttributes", "usernameAttributes", "aliasAttributes")


def _pool_settings(inputs: Inputs) -> dict[str, Any]:
    """The settings both CreateUserPool and UpdateUserPool take."""
    policy = inputs.get("passwordPolicy")
    admin = inputs.get("adminCreateUserConfig") or {}
    return drop_none(
        DeletionProtection=inputs.get("deletionProtection", "INACTIVE"),
        # Only the self sign-up switch; invitation templates are not applied (refused).
        AdminCreateUserConfig=(
            {"AllowAdminCreateUserOnly": bool(admin["allowAdminCreateUserOnly"])}
            if "allowAdminCreateUserOnly" in admin
            else None
        ),
        MfaConfiguration=inputs.get("mfaConfiguration", "OFF"),
        AutoVerifiedAttributes=inputs.get("autoVerifiedAttributes", []),
        Policies=(
            {
                "PasswordPolicy": {
                    _pascal(k): as_int(v) if isinstance(v, float) else v
                    for k, v in policy.items()
                    if k in _PASSWORD_POLICY
                }
            }
            if policy
            else None
        ),
    )


@provides
class UserPool(Provider):
    """A user pool; its id is the pool id AWS makes (`<region>_<random>`)."""

    type_token = "aws:cognito/userPool:UserPool"
    service = "cognito-idp"
    inputs = frozenset(
        {
            "name",
            "deletionProtection",
            "adminCreateUserConfig",
            "mfaConfiguration",
            "passwordPolicy",
            "autoVerifiedAttributes",
            "usernameAttributes",
            "aliasAttributes",
            "tags",
            "region",
        }
    )
    outputs = frozenset(
        {"arn", "endpoint", "creationDate", "lastModifiedDate", "estimatedNumberOfUsers", "tagsAll"}
    )
    updatable = frozenset(
        {
            "deletionProtection",
            "adminCreateUserConfig",
            "mfaConfiguration",
            "passwordPolicy",
            "autoVerifiedAttributes",
            "tags",
        }
    )
    auto_name = AutoName("name", max_length=128)

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        pool = self.client(ctx, i).create_user_pool(
            PoolName=i["name"],
            **_pool_settings(i),
            **drop_none(
                UsernameAttributes=i.get("usernameAttributes"),
                AliasAttributes=i.get("aliasAttributes"),
                UserPoolTags=i.get("tags") or None,
            ),
        )["UserPool"]
        return Created(pool["Id"], self._outputs(ctx, i, pool))

    @staticmethod
    def _outputs(ctx: Context, inputs: Inputs, pool: dict[str, Any]) -> Outputs:
        region = ctx.region_of(inputs)
        return {
            "arn": pool.get("Arn")
            or f"arn:aws:cognito-idp:{region}:{ctx.account_id}:userpool/{pool['Id']}",
            "endpoint": f"cognito-idp.{region}.amazonaws.com/{pool['Id']}",
            "creationDate": str(pool.get("CreationDate", "")),
            "lastModifiedDate": str(pool.get("LastModifiedDate", "")),
            "estimatedNumberOfUsers": pool.get("EstimatedNumberOfUsers", 0),
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        old, new = have.inputs, want.inputs
        client = self.client(ctx, new)
        if any(old.get(k) != new.get(k) for k in self.updatable - {"tags"}):
            client.update_user_pool(UserPoolId=have.id, **_pool_settings(new))
        pool = client.describe_user_pool(UserPoolId=have.id)["UserPool"]
        arn = self._outputs(ctx, new, pool)["arn"]
        COGNITO.retag(client, arn, old.get("tags"), new.get("tags"))
        return self._outputs(ctx, new, pool)

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_user_pool(UserPoolId=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        i = have.inputs
        pool = self.client(ctx, i).describe_user_pool(UserPoolId=have.id)["UserPool"]
        live: Inputs = {
            "name": pool["Name"],
            "deletionProtection": pool.get("DeletionProtection") or "INACTIVE",
            "mfaConfiguration": pool.get("MfaConfiguration") or "OFF",
            "tags": pool.get("UserPoolTags") or {},
        }
        for prop in _POOL_LISTS:
            live[prop] = same_set(i.get(prop), pool.get(_pascal(prop)) or [])
        if "allowAdminCreateUserOnly" in (i.get("adminCreateUserConfig") or {}):
            admin = pool.get("AdminCreateUserConfig") or {}
            live["adminCreateUserConfig"] = {
                "allowAdminCreateUserOnly": bool(admin.get("AllowAdminCreateUserOnly", False))
            }
        if i.get("passwordPolicy"):
            policy = (pool.get("Policies") or {}).get("PasswordPolicy") or {}
            live["passwordPolicy"] = {k: policy.get(_pascal(k)) for k in i["passwordPolicy"]}
        defaults: Inputs = {
            "deletionProtection": "INACTIVE",
            "mfaConfiguration": "OFF",
            "tags": {},
            **{prop: [] for prop in _POOL_LISTS},
        }
        return live_inputs(i, live, defaults)

    def refusals(self, inputs: Inputs) -> list[str]:
        unapplied = sorted(
            set(inputs.get("adminCreateUserConfig") or {}) - {"allowAdminCreateUserOnly"}
        )
        return [f"adminCreateUserConfig.{key} (not applied locally)" for key in unapplied]

    def find(self, ctx: Context, want: Desired) -> str | None:
        pages = self.client(ctx, want.inputs).get_paginator("list_user_pools")
        for page in pages.paginate(MaxResults=60):
            for pool in page["UserPools"]:
                if pool["Name"] == want.inputs["name"]:
                    return str(pool["Id"])
        return None


# -- app clients --------------------------------------------------------------------------------

# Client settings: Pulumi input -> API parameter (the API spells OAuth, URL and URI its way).
_CLIENT_SETTINGS = {
    "name": "ClientName",
    "allowedOauthFlows": "AllowedOAuthFlows",
    "allowedOauthScopes": "AllowedOAuthScopes",
    "allowedOauthFlowsUserPoolClient": "AllowedOAuthFlowsUserPoolClient",
    "explicitAuthFlows": "ExplicitAuthFlows",
    "supportedIdentityProviders": "SupportedIdentityProviders",
    "callbackUrls": "CallbackURLs",
    "logoutUrls": "LogoutURLs",
    "defaultRedirectUri": "DefaultRedirectURI",
    "readAttributes": "ReadAttributes",
    "writeAttributes": "WriteAttributes",
    "preventUserExistenceErrors": "PreventUserExistenceErrors",
    "enableTokenRevocation": "EnableTokenRevocation",
    "accessTokenValidity": "AccessTokenValidity",
    "idTokenValidity": "IdTokenValidity",
    "refreshTokenValidity": "RefreshTokenValidity",
    "authSessionValidity": "AuthSessionValidity",
}
_NUMBERS = {"accessTokenValidity", "idTokenValidity", "refreshTokenValidity", "authSessionValidity"}
_UNITS = {"accessToken": "AccessToken", "idToken": "IdToken", "refreshToken": "RefreshToken"}


def _client_settings(inputs: Inputs) -> dict[str, Any]:
    settings = {
        api: as_int(inputs[prop]) if prop in _NUMBERS else inputs[prop]
        for prop, api in _CLIENT_SETTINGS.items()
        if inputs.get(prop) is not None
    }
    if units := inputs.get("tokenValidityUnits"):
        settings["TokenValidityUnits"] = {_UNITS[k]: v for k, v in units.items() if k in _UNITS}
    return settings


@provides
class UserPoolClient(Provider):
    """An app client; its id is the client id AWS makes. With `generateSecret` it has a client
    secret (`clientSecret`, a secret): what a client-credentials caller needs with the client
    id."""

    type_token = "aws:cognito/userPoolClient:UserPoolClient"
    service = "cognito-idp"
    inputs = frozenset({"userPoolId", "generateSecret", "tokenValidityUnits", "region"}) | set(
        _CLIENT_SETTINGS
    )
    outputs = frozenset({"clientSecret"})
    updatable = frozenset(set(_CLIENT_SETTINGS) | {"tokenValidityUnits"})
    auto_name = AutoName("name", max_length=128)

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        client = self.client(ctx, i).create_user_pool_client(
            UserPoolId=i["userPoolId"],
            GenerateSecret=bool(i.get("generateSecret")),
            **_client_settings(i),
        )["UserPoolClient"]
        return Created(client["ClientId"], self._outputs(client.get("ClientSecret", "")))

    @staticmethod
    def _outputs(client_secret: str) -> Outputs:
        """The secret marked as one (`pulumi.runtime.rpc`'s marker), so the program gets a
        secret Output, as pulumi-aws declares it, and the record says it is one."""
        return {"clientSecret": secret(client_secret)}

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        # Every setting is sent: AWS resets the ones an update leaves out.
        client = self.client(ctx, want.inputs).update_user_pool_client(
            UserPoolId=want.inputs["userPoolId"], ClientId=have.id, **_client_settings(want.inputs)
        )["UserPoolClient"]
        if "ClientSecret" in client:
            return self._outputs(client["ClientSecret"])
        return {"clientSecret": have.outputs.get("clientSecret")}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_user_pool_client(
            UserPoolId=have.inputs["userPoolId"], ClientId=have.id
        )

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        """The settings the record holds (AWS fills the others with defaults that vary by
        setting and console; comparing them would report drift that is not there)."""
        i = have.inputs
        client = self.client(ctx, i).describe_user_pool_client(
            UserPoolId=i["userPoolId"], ClientId=have.id
        )["UserPoolClient"]
        live: Inputs = {}
        for prop, api in _CLIENT_SETTINGS.items():
            if prop in i:
                value = client.get(api)
                live[prop] = same_set(i[prop], value) if isinstance(value, list) else value
        if "generateSecret" in i:
            live["generateSecret"] = bool(client.get("ClientSecret"))
        if "tokenValidityUnits" in i:
            units = client.get("TokenValidityUnits") or {}
            live["tokenValidityUnits"] = {k: units.get(_UNITS[k]) for k in i["tokenValidityUnits"]}
        return live

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        pages = self.client(ctx, i).get_paginator("list_user_pool_clients")
        try:
            for page in pages.paginate(UserPoolId=i["userPoolId"], MaxResults=60):
                for client in page["UserPoolClients"]:
                    if client["ClientName"] == i["name"]:
                        return str(client["ClientId"])
        except ClientError as error:
            if self.is_not_found(error):
                return None
            raise
        return None


# -- domains ------------------------------------------------------------------------------------


@provides
class UserPoolDomain(Immutable):
    """A prefix domain for a pool's hosted endpoints (`/oauth2/token`); its id is the domain."""

    type_token = "aws:cognito/userPoolDomain:UserPoolDomain"
    service = "cognito-idp"
    inputs = frozenset({"domain", "userPoolId", "region"})
    outputs = frozenset(
        {
            "awsAccountId",
            "cloudfrontDistribution",
            "cloudfrontDistributionArn",
            "cloudfrontDistributionZoneId",
            "s3Bucket",
            "version",
        }
    )
    identity = ("domain",)

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        client = self.client(ctx, i)
        client.create_user_pool_domain(Domain=i["domain"], UserPoolId=i["userPoolId"])
        try:
            described = self._describe(client, i["domain"])
        except Exception:
            client.delete_user_pool_domain(Domain=i["domain"], UserPoolId=i["userPoolId"])
            raise
        distribution = described.get("CloudFrontDistribution") or ""
        return Created(
            i["domain"],
            {
                "awsAccountId": described.get("AWSAccountId", ctx.account_id),
                "cloudfrontDistribution": distribution,
                "cloudfrontDistributionArn": distribution,
                # CloudFront's one hosted zone, which every distribution's alias targets.
                "cloudfrontDistributionZoneId": "Z2FDTNDATAQYW2",
                "s3Bucket": described.get("S3Bucket") or "",
                "version": described.get("Version") or "",
            },
        )

    @staticmethod
    def _describe(client: Client, domain: str) -> dict[str, Any]:
        """The domain's description; AWS answers an empty one for a domain that is not there."""
        described = client.describe_user_pool_domain(Domain=domain)["DomainDescription"]
        if not described:
            raise not_found(f"user pool domain {domain}")
        return dict(described)

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_user_pool_domain(
            Domain=have.id, UserPoolId=have.inputs["userPoolId"]
        )

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        described = self._describe(self.client(ctx, have.inputs), have.id)
        return {"domain": described["Domain"], "userPoolId": described["UserPoolId"]}

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        try:
            described = self._describe(self.client(ctx, i), i["domain"])
        except ClientError:
            return None
        return str(i["domain"]) if described.get("UserPoolId") == i["userPoolId"] else None


# -- resource servers ---------------------------------------------------------------------------


def _scopes(scopes: list[dict[str, Any]] | None) -> list[dict[str, str]]:
    return [
        {"ScopeName": s["scopeName"], "ScopeDescription": s.get("scopeDescription", "")}
        for s in scopes or []
    ]


@provides
class ResourceServer(Provider):
    """An API the pool issues scoped tokens for; its id is `<pool id>|<identifier>`, as in the
    AWS provider. `scopeIdentifiers` are the `<identifier>/<scope>` strings a client's
    `allowedOauthScopes` and an authorizer name."""

    type_token = "aws:cognito/resourceServer:ResourceServer"
    service = "cognito-idp"
    inputs = frozenset({"identifier", "name", "scopes", "userPoolId", "region"})
    outputs = frozenset({"scopeIdentifiers"})
    updatable = frozenset({"name", "scopes"})
    auto_name = AutoName("name", max_length=256)
    identity = ("userPoolId", "identifier")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        self.client(ctx, i).create_resource_server(
            UserPoolId=i["userPoolId"],
            Identifier=i["identifier"],
            Name=i["name"],
            **drop_none(Scopes=_scopes(i.get("scopes")) or None),
        )
        return Created(f"{i['userPoolId']}|{i['identifier']}", self._outputs(i))

    @staticmethod
    def _outputs(inputs: Inputs) -> Outputs:
        identifier = inputs["identifier"]
        names = [s["scopeName"] for s in inputs.get("scopes") or []]
        return {"scopeIdentifiers": [f"{identifier}/{name}" for name in names]}

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        i = want.inputs
        self.client(ctx, i).update_resource_server(
            UserPoolId=i["userPoolId"],
            Identifier=i["identifier"],
            Name=i["name"],
            Scopes=_scopes(i.get("scopes")),
        )
        return self._outputs(i)

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        i = have.inputs
        self.client(ctx, i).delete_resource_server(
            UserPoolId=i["userPoolId"], Identifier=i["identifier"]
        )

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        i = have.inputs
        server = self.client(ctx, i).describe_resource_server(
            UserPoolId=i["userPoolId"], Identifier=i["identifier"]
        )["ResourceServer"]
        scopes = [
            {"scopeName": s["ScopeName"], "scopeDescription": s.get("ScopeDescription", "")}
            for s in server.get("Scopes") or []
        ]
        live: Inputs = {"name": server["Name"], "scopes": same_set(i.get("scopes"), scopes)}
        return live_inputs(i, live, {"scopes": []})

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        found = self.lookup(
            self.client(ctx, i).describe_resource_server,
            UserPoolId=i["userPoolId"],
            Identifier=i["identifier"],
        )
        return None if found is None else f"{i['userPoolId']}|{i['identifier']}"
