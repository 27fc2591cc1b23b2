"""Who may call an API: one access mode per stack and environment, declared in config as data
and applied by the API components to every route.

    <stack>:access:
      mode: api_key                      # REST: api_key, cognito, iam; HTTP API: jwt, iam
      tiers: {standard: {rateLimit: 10, burstLimit: 20, quota: 10000, period: DAY}}
      clients: [{name: web, tier: standard}, {name: old-app, tier: standard, enabled: false}]

    <stack>:access: {mode: cognito, clients: [{name: app, scopes: [predict]}]}   # REST
    <stack>:access: {mode: jwt, clients: [{name: app, scopes: [classify]}]}      # HTTP API
    <stack>:access: {mode: jwt, issuer: https://login.example.org/, audience: [my-api]}
    <stack>:access: {mode: iam}

- `api_key`: one API key per client, each on its tier's usage plan (throttle and quota).
- `cognito` (REST) / `jwt` (HTTP API): the stack's own Cognito user pool, with a resource server
  `aigw-<stack>` whose scopes are the ones the routes need and one app client per client
  (OAuth client credentials); a route accepts a token carrying its scope. `jwt` may trust an
  external OIDC `issuer` and `audience` instead (no pool is made).
- `iam`: SigV4-signed calls; the caller's IAM policy must allow `execute-api:Invoke`.
- `none`: anyone may call. Only for `local`: anywhere else it is a configuration error.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi

from shared.components.api import Quota, Throttle
from shared.components.config import setting

ApiKind = Literal["rest", "http"]
MODES: dict[str, tuple[str, ...]] = {
    "rest": ("api_key", "cognito", "iam", "none"),
    "http": ("jwt", "iam", "none"),
}
# The one environment where `none` is accepted: it never leaves the laptop.
OPEN_ENVIRONMENTS = ("local",)
SCOPE_PREFIX = "aigw-"  # the resource server of stack `x` is `aigw-x`

_NAME = {"type": "string", "pattern": "^[a-z][a-z0-9-]{0,31}$"}
_SCOPE = {"type": "string", "pattern": "^[a-z][a-z0-9_-]{0,63}$"}
_TIER = {
    "type": "object",
    "additionalProperties": False,
    "required": ["rateLimit", "burstLimit", "quota", "period"],
    "properties": {
        "rateLimit": {"type": "number", "minimum": 0.1, "maximum": 10_000},
        "burstLimit": {"type": "integer", "minimum": 1, "maximum": 5_000},
        "quota": {"type": "integer", "minimum": 1, "maximum": 1_000_000_000},
        "period": {"enum": ["DAY", "WEEK", "MONTH"]},
    },
}


def schema(kind: ApiKind) -> dict[str, Any]:
    """The JSON Schema of `<stack>:access` for a REST or an HTTP API stack."""
    key_client = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "tier"],
        "properties": {"name": _NAME, "tier": _NAME, "enabled": {"type": "boolean"}},
    }
    token_client = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "scopes"],
        "properties": {
            "name": _NAME,
            "scopes": {"type": "array", "items": _SCOPE, "minItems": 1, "uniqueItems": True},
        },
    }
    clients = {"type": "array", "minItems": 1, "maxItems": 50}

    def mode(name: str, **properties: Any) -> dict[str, Any]:
        required = [key for key, value in properties.items() if value.pop("required", False)]
        return {
            "if": {"required": ["mode"], "properties": {"mode": {"const": name}}},
            "then": {
                "additionalProperties": False,
                "required": required,
                "properties": {"mode": {"const": name}, **properties},
            },
        }

    by_mode = {
        "api_key": mode(
            "api_key",
            tiers={
                "type": "object",
                "minProperties": 1,
                "propertyNames": _NAME,
                "additionalProperties": _TIER,
                "required": True,
            },
            clients={**clients, "items": key_client, "required": True},
        ),
        "cognito": mode("cognito", clients={**clients, "items": token_client, "required": True}),
        "jwt": {
            "if": {"required": ["mode"], "properties": {"mode": {"const": "jwt"}}},
            "then": {
                "additionalProperties": False,
                "properties": {
                    "mode": {"const": "jwt"},
                    "clients": {**clients, "items": token_client},
                    "issuer": {"type": "string", "pattern": "^https://[^/]+"},
                    "audience": {
                        "type": "array",
                        "items": {"type": "string", "minLength": 1},
                        "minItems": 1,
                    },
                },
                # An external issuer comes with its audience (checked in `problems`: either
                # clients for the stack's own pool, or an issuer, not both).
                "dependentRequired": {"issuer": ["audience"], "audience": ["issuer"]},
            },
        },
        "iam": mode("iam"),
        "none": mode("none"),
    }
    return {
        "type": "object",
        "required": ["mode"],
        "properties": {"mode": {"enum": list(MODES[kind])}},
        "allOf": [by_mode[m] for m in MODES[kind]],
    }


@dataclass(frozen=True)
class Tier:
    """A usage plan: how fast and how much each key on it may call."""

    name: str
    throttle: Throttle
    quota: Quota


@dataclass(frozen=True)
class Client:
    """One caller: an API key on a tier (`api_key`) or an app client with scopes (`cognito`,
    `jwt`)."""

    name: str
    tier: str | None = None
    scopes: tuple[str, ...] = ()
    enabled: bool = True


@dataclass(frozen=True)
class Access:
    """A stack's access mode, parsed from `<stack>:access` (see the module docstring)."""

    mode: str
    clients: tuple[Client, ...] = ()
    tiers: dict[str, Tier] = field(default_factory=dict)
    issuer: str | None = None  # jwt: an external OIDC issuer instead of the stack's own pool
    audience: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, value: dict[str, Any]) -> Access:
        """From a value already checked against `schema(kind)`."""
        tiers = {
            name: Tier(
                name,
                Throttle(float(t["rateLimit"]), int(t["burstLimit"])),
                Quota(int(t["quota"]), t["period"]),
            )
            for name, t in (value.get("tiers") or {}).items()
        }
        clients = tuple(
            Client(
                c["name"],
                tier=c.get("tier"),
                scopes=tuple(c.get("scopes") or ()),
                enabled=c.get("enabled", True),
            )
            for c in value.get("clients") or ()
        )
        return cls(
            value["mode"],
            clients,
            tiers,
            issuer=value.get("issuer"),
            audience=tuple(value.get("audience") or ()),
        )

    @property
    def uses_own_pool(self) -> bool:
        """True when the stack makes its own Cognito user pool to issue tokens."""
        return self.mode == "cognito" or (self.mode == "jwt" and self.issuer is None)

    def problems(
        self, environment: str, kind: ApiKind, route_scopes: Sequence[str] = ()
    ) -> Iterator[str]:
        """What the schema cannot say: `none` outside local, tiers and scopes that do not exist,
        clients named twice. `route_scopes` are the scopes the stack's routes require."""
        if self.mode == "none" and environment not in OPEN_ENVIRONMENTS:
            yield (
                f"access.mode: 'none' is accepted only for {', '.join(OPEN_ENVIRONMENTS)}; "
                f"environment {environment!r} must use one of "
                f"{', '.join(m for m in MODES[kind] if m != 'none')}."
            )
        if self.mode == "jwt" and self.issuer is None and not self.clients:
            yield (
                "access: jwt needs clients (tokens from the stack's own Cognito pool) or issuer "
                "and audience (an external OIDC issuer)."
            )
        if self.mode == "jwt" and self.issuer is not None and self.clients:
            yield (
                "access: jwt takes clients (the stack's own Cognito pool) or an external issuer, "
                "not both."
            )
        names = [c.name for c in self.clients]
        for name in sorted({n for n in names if names.count(n) > 1}):
            yield f"access.clients: {name!r} is listed twice."
        for client in self.clients:
            if client.tier is not None and client.tier not in self.tiers:
                yield (
                    f"access.clients.{client.name}.tier: {client.tier!r} is not one of "
                    f"{', '.join(sorted(self.tiers))}."
                )
            unknown = sorted(set(client.scopes) - set(route_scopes))
            if route_scopes and unknown:
                yield (
                    f"access.clients.{client.name}.scopes: {', '.join(unknown)} not used by any "
                    f"route; the routes use {', '.join(sorted(set(route_scopes)))}."
                )
        if self.mode == "api_key" and not any(c.enabled for c in self.clients):
            yield "access.clients: at least one client must be enabled."


def caller_outputs(
    access: Access,
    region: pulumi.Input[str],
    *,
    scopes: Sequence[str] = (),
    issuer: pulumi.Input[str] | None = None,
    token_url: pulumi.Input[str] | None = None,
    client_ids: Mapping[str, pulumi.Input[str]] | None = None,
    client_secrets: pulumi.Input[Mapping[str, str]] | None = None,
    api_keys: pulumi.Input[Mapping[str, str]] | None = None,
) -> tuple[pulumi.Output[dict[str, Any]], pulumi.Output[dict[str, Any]]]:
    """What a caller needs to call the API, as the stack's `access` output (plain) and its
    `credentials` output (secret): `invoke call`, `invoke token` and the smoke checks read them.
    """
    clients: dict[str, Any] = {}
    for client in access.clients:
        if client.tier is not None:
            clients[client.name] = {"tier": client.tier, "enabled": client.enabled}
        else:
            clients[client.name] = {
                "clientId": (client_ids or {})[client.name],
                "scopes": list(client.scopes),
            }
    described: dict[str, Any] = {"mode": access.mode, "region": region, "clients": clients}
    if scopes:
        described["scopes"] = sorted(set(scopes))
    if issuer is not None:
        described["issuer"] = issuer
    if access.audience:
        described["audience"] = list(access.audience)
    if token_url is not None:
        described["tokenUrl"] = token_url
    secrets: dict[str, Any] = {}
    if api_keys is not None:
        secrets["apiKeys"] = api_keys
    if client_secrets is not None:
        secrets["clientSecrets"] = client_secrets
    return pulumi.Output.from_input(described), pulumi.Output.secret(secrets)


def access_setting(kind: ApiKind) -> Any:
    """The `access` setting of a REST or an HTTP API stack (`<stack>:access`)."""
    modes = "|".join(MODES[kind])
    return setting(schema=schema(kind), description=f"Who may call: {{mode: {modes}, ...}}")


class _AccessControl:
    access: dict

    @property
    def access_control(self) -> Access:
        return Access.from_config(self.access)


@dataclass(frozen=True, kw_only=True)
class RestAccessSettings(_AccessControl):
    """The `access` setting of a REST API stack (extend it; see the module docstring)."""

    access: dict = access_setting("rest")


@dataclass(frozen=True, kw_only=True)
class HttpAccessSettings(_AccessControl):
    """The `access` setting of an HTTP API stack (extend it; see the module docstring)."""

    access: dict = access_setting("http")
