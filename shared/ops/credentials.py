"""The credentials a caller sends to a deployed stack, built from the stack's own outputs.

Every stack exports how it is called (`access`, plain) and what its callers hold
(`credentials`, secret):

    access:      {"mode": "api_key" | "cognito" | "jwt" | "iam" | "none", "region": "eu-west-1",
                  "tokenUrl": "https://<domain>.auth.<region>.amazoncognito.com/oauth2/token",
                  "issuer": "...", "clients": {"<name>": {"clientId": "..."} | {"tier": "..."}},
                  "scopes": ["aigw-<stack>/predict", ...]}
    credentials: {"apiKeys": {"<client>": "<key>"}, "clientSecrets": {"<client>": "<secret>"}}

and each mode asks for one thing:

- `api_key`: the client's key in `x-api-key` (the first enabled client unless one is named);
- `cognito` / `jwt`: `Authorization: Bearer <access token>` from the OAuth client-credentials
  grant (HTTP Basic client_id:client_secret, the client's scopes, or all it is allowed when the
  stack does not list them). On AWS the token endpoint is `tokenUrl`; locally it is the
  emulator's own `/oauth2/token`, whatever `tokenUrl` says, because MiniStack serves the
  Cognito domain on its own address. A token is kept for its lifetime, in this process only:
  nothing is written to disk. With an external OIDC issuer (no `tokenUrl`) no token can be
  fetched here;
- `iam`: SigV4 (botocore's `SigV4Auth`, service `execute-api`, the stack's region) with the
  caller's credentials from botocore's default chain; locally the emulator's `test`/`test`;
- `none` (local only): nothing.

A mistake is a `UserError` of one sentence: the stack is not deployed (and how to deploy it), a
client that does not exist (and the ones that do), a token endpoint that refused (its status
and reason). No message holds a secret.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from shared import catalog
from shared.errors import UserError
from shared.ops import request
from shared.ops.outputs import StackOutput
from shared.ops.stack_files import project_name, stack_config

MODES = ("api_key", "cognito", "jwt", "iam", "none")
TOKEN_MODES = ("cognito", "jwt")
API_KEY_HEADER = "x-api-key"
SIGV4_SERVICE = "execute-api"
TOKEN_TIMEOUT_S = 10.0
# A token is not reused in its last seconds: a request sent with it must still arrive in time.
TOKEN_MARGIN_S = 30.0
LOCAL_AWS_CREDENTIALS = ("test", "test")  # what MiniStack accepts, as every local client sends


@dataclass(frozen=True)
class Access:
    """A stack's `access` output: how its callers are told apart."""

    stack: str
    mode: str
    region: str = ""
    token_url: str = ""
    issuer: str = ""
    audience: tuple[str, ...] = ()
    clients: dict[str, dict[str, Any]] = field(default_factory=dict)
    scopes: tuple[str, ...] = ()

    @property
    def external_issuer(self) -> bool:
        """Tokens come from an identity provider this stack does not own (no pool, no token
        endpoint of its own)."""
        return self.mode in TOKEN_MODES and not self.token_url


class Credentials:
    """What a caller adds to each request; the base class adds nothing (mode `none`, a
    request sent on purpose without credentials, or a stack that declares no access)."""

    mode = "none"

    def __init__(self, access: Access | None = None) -> None:
        self.access = access

    def headers(
        self, method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> dict[str, str]:
        """The headers to send: `headers` plus this caller's proof of identity. A header the
        request already sets (a check sending a wrong key on purpose) is left as it is."""
        return dict(headers)

    def secrets(self) -> tuple[str, ...]:
        """Values that must never be printed (a fetched token)."""
        return ()


class ApiKey(Credentials):
    mode = "api_key"

    def __init__(self, access: Access, client: str, key: str) -> None:
        super().__init__(access)
        self.client, self._key = client, key

    def headers(
        self, method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> dict[str, str]:
        return _with(headers, API_KEY_HEADER, self._key)

    def secrets(self) -> tuple[str, ...]:
        return (self._key,)


class BearerToken(Credentials):
    """An OAuth access token from the client-credentials grant, fetched at the first request."""

    def __init__(self, access: Access, client: str, grant: TokenGrant) -> None:
        super().__init__(access)
        self.mode, self.client, self.grant = access.mode, client, grant

    def token(self) -> str:
        return self.grant.token()

    def headers(
        self, method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> dict[str, str]:
        if _has(headers, "authorization"):
            return dict(headers)
        return {**headers, "Authorization": f"Bearer {self.token()}"}

    def secrets(self) -> tuple[str, ...]:
        return self.grant.issued()


class SigV4(Credentials):
    """Each request signed for API Gateway (`execute-api`) in the stack's region."""

    mode = "iam"

    def __init__(self, access: Access, aws_credentials: Any) -> None:
        super().__init__(access)
        self._aws = aws_credentials

    def headers(
        self, method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> dict[str, str]:
        if _has(headers, "authorization"):
            return dict(headers)
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        assert self.access is not None
        signed = AWSRequest(method=method, url=url, data=body or b"", headers=dict(headers))
        SigV4Auth(self._aws, SIGV4_SERVICE, self.access.region).add_auth(signed)
        return dict(signed.headers.items())

    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self._aws.secret_key, self._aws.token) if s)


@dataclass
class TokenGrant:
    """The client-credentials grant of one client at one token endpoint."""

    stack: str
    client: str
    token_url: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...] = ()

    def token(self) -> str:
        key = (self.token_url, self.client_id, self.scopes)
        with _TOKENS_LOCK:
            cached = _TOKENS.get(key)
            if cached and cached[1] > time.monotonic():
                return cached[0]
            token, lifetime = self._fetch()
            _TOKENS[key] = (token, time.monotonic() + max(lifetime - TOKEN_MARGIN_S, 0.0))
            return token

    def issued(self) -> tuple[str, ...]:
        cached = _TOKENS.get((self.token_url, self.client_id, self.scopes))
        return (cached[0],) if cached else ()

    def _fetch(self) -> tuple[str, float]:
        form = {"grant_type": "client_credentials"}
        if self.scopes:
            form["scope"] = " ".join(self.scopes)
        basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        answer = request.send(
            "POST",
            self.token_url,
            {
                "Authorization": f"Basic {basic}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
            urllib.parse.urlencode(form).encode(),
            TOKEN_TIMEOUT_S,
        )
        where = f"The token endpoint of {self.stack} ({request.origin(self.token_url)})"
        if answer.status is None:
            raise UserError(f"{where} gave no token for client {self.client!r}: {answer.error}.")
        document = _json(answer.body)
        if not 200 <= answer.status < 300:
            raise UserError(
                f"{where} refused client {self.client!r}: HTTP {answer.status} "
                f"{_oauth_reason(document, answer.body)}."
            )
        token = document.get("access_token") if isinstance(document, dict) else None
        if not isinstance(token, str) or not token:
            raise UserError(f"{where} answered HTTP {answer.status} without an access_token.")
        lifetime = document.get("expires_in", 3600) if isinstance(document, dict) else 3600
        return token, float(lifetime) if isinstance(lifetime, int | float) else 3600.0


# Tokens by (endpoint, client id, scopes): kept in memory for one process, never on disk.
_TOKENS: dict[tuple[str, str, tuple[str, ...]], tuple[str, float]] = {}
_TOKENS_LOCK = threading.Lock()


# --- from a stack's outputs ------------------------------------------------------------------


def stack_outputs(stack: str, env: str) -> dict[str, StackOutput]:
    """The deployed stack's outputs (secrets in clear, flagged), or a UserError saying how to
    deploy it."""
    if env == catalog.LOCAL:
        from shared.ops import local

        found = local.outputs(stack)
    else:
        from shared.ops import cloud

        found = cloud.outputs(stack, env)
    if not found:
        raise UserError(
            f"{stack} is not deployed to {env}: it has no outputs; deploy it with "
            f"`{deploy_command(stack, env)}`."
        )
    return found


def deploy_command(stack: str, env: str) -> str:
    flag = "" if env == catalog.LOCAL else f" --env={env}"
    return f"invoke deploy --stack={stack}{flag}"


def read_access(stack: str, outputs: dict[str, StackOutput]) -> Access | None:
    """The stack's `access` output, or None when it exports none (a stack deployed before
    access control, a project of its own)."""
    if "access" not in outputs:
        return None
    raw = outputs["access"].value
    if isinstance(raw, str):  # a CLI that handed the object over as JSON text
        raw = _json(raw.encode())
    if not isinstance(raw, dict) or raw.get("mode") not in MODES:
        mode = raw.get("mode") if isinstance(raw, dict) else raw
        raise UserError(
            f"The `access` output of {stack} names no access mode ({mode!r}); it should be one "
            f"of {', '.join(MODES)}: deploy it again with this code."
        )
    clients = raw.get("clients") or {}
    audience = raw.get("audience") or ()
    return Access(
        stack=stack,
        mode=raw["mode"],
        region=str(raw.get("region") or ""),
        token_url=str(raw.get("tokenUrl") or ""),
        issuer=str(raw.get("issuer") or ""),
        audience=tuple(audience) if isinstance(audience, list) else (str(audience),),
        clients={str(k): v if isinstance(v, dict) else {} for k, v in clients.items()},
        scopes=tuple(raw.get("scopes") or ()),
    )


def require_access(stack: str, env: str, outputs: dict[str, StackOutput]) -> Access:
    access = read_access(stack, outputs)
    if access is None:
        raise UserError(
            f"{stack} in {env} exports no `access` output, so how to call it is unknown: "
            f"deploy it again with this code (`{deploy_command(stack, env)}`)."
        )
    return access


def for_stack(
    stack: str,
    env: str,
    *,
    client: str | None = None,
    outputs: dict[str, StackOutput] | None = None,
) -> Credentials:
    """The credentials of `client` (default: the first enabled one) for `stack` in `env`."""
    outputs = stack_outputs(stack, env) if outputs is None else outputs
    return for_access(require_access(stack, env, outputs), env, outputs, client=client)


def for_access(
    access: Access, env: str, outputs: dict[str, StackOutput], *, client: str | None = None
) -> Credentials:
    stack = access.stack
    if access.mode in ("iam", "none") and client:
        raise UserError(
            f"{stack} has no clients to choose with --client: its access mode is "
            f"{access.mode} ({_uses(access)}).",
            exit_code=2,
        )
    if access.mode == "none":
        return Credentials(access)
    if access.mode == "iam":
        return SigV4(access, _aws_credentials(stack, env))
    secrets = _secret_values(outputs)
    order = declared_clients(stack, env)
    if access.mode == "api_key":
        keys = secrets.get("apiKeys") or {}
        name = _client(access, client, keys, order)
        return ApiKey(access, name, str(keys[name]))
    if access.external_issuer:
        audience = f" (audience {', '.join(access.audience)})" if access.audience else ""
        issuer = access.issuer or "an external OIDC issuer"
        raise UserError(
            f"{stack} accepts tokens of {issuer}{audience}, which it does not own, so no token "
            "can be fetched here: get one from the issuer and send it as "
            "`Authorization: Bearer <token>`."
        )
    client_secrets = secrets.get("clientSecrets") or {}
    name = _client(access, client, client_secrets, order)
    entry = access.clients.get(name, {})
    if not entry.get("clientId"):
        raise UserError(f"The `access` output of {stack} gives client {name!r} no clientId.")
    return BearerToken(
        access,
        name,
        TokenGrant(
            stack=stack,
            client=name,
            token_url=token_url(access, env),
            client_id=str(entry["clientId"]),
            client_secret=str(client_secrets[name]),
            scopes=full_scopes(access, entry.get("scopes") or ()),
        ),
    )


def full_scopes(access: Access, scopes: Any) -> tuple[str, ...]:
    """A client's scopes as the token endpoint names them (`<resource server>/<scope>`): a
    route's short scope (`predict`) is looked up among the stack's full ones."""
    by_short = {scope.rsplit("/", 1)[-1]: scope for scope in access.scopes}
    return tuple(by_short.get(scope, scope) for scope in scopes if isinstance(scope, str))


def token_url(access: Access, env: str) -> str:
    """Where tokens are issued: the emulator's own endpoint locally, `tokenUrl` on AWS."""
    if env == catalog.LOCAL:
        from shared.local import emulator

        return f"{emulator.server().url}/oauth2/token"
    return access.token_url


def token(stack: str, env: str, *, client: str | None = None) -> str:
    """`invoke token`: a bearer token for a cognito/jwt stack; any other mode is a UserError
    saying what it uses instead."""
    outputs = stack_outputs(stack, env)
    access = require_access(stack, env, outputs)
    if access.mode not in TOKEN_MODES:
        raise UserError(f"{stack} does not use tokens: {_uses(access)}.")
    found = for_access(access, env, outputs, client=client)
    assert isinstance(found, BearerToken)
    return found.token()


def declared_clients(stack: str, env: str) -> list[str]:
    """The client names of the stack's `access` setting for `env`, in the order the team wrote
    them. Outputs lose that order (the engine's state and `pulumi stack output` sort a map's
    keys), and "the first client" means the first one declared."""
    program_dir = catalog.stack_dir(stack)
    if not (program_dir / "Pulumi.yaml").is_file():
        return []
    try:
        config = stack_config(program_dir, env)
        setting = config.get(f"{project_name(program_dir)}:access")
    except UserError:
        return []  # an unreadable file is the deploy's business; outputs' order then
    declared = _json(setting.encode()) if setting else None
    clients = declared.get("clients") if isinstance(declared, dict) else None
    return [c["name"] for c in clients or () if isinstance(c, dict) and "name" in c]


def _client(access: Access, chosen: str | None, held: dict[str, Any], order: list[str]) -> str:
    """The client named on the command line, or the first enabled one (in the order they are
    declared) the stack holds a secret for; a usage error naming the valid ones otherwise."""
    known = [name for name in access.clients if name in held] or list(held)
    known.sort(key=lambda name: order.index(name) if name in order else len(order))
    if chosen is not None:
        if chosen not in known:
            valid = ", ".join(known) or "none"
            raise UserError(
                f"{access.stack} has no client {chosen!r}; its clients: {valid}.", exit_code=2
            )
        return chosen
    enabled = [name for name in known if access.clients.get(name, {}).get("enabled", True)]
    if not enabled:
        what = "enabled client" if known else "client credentials in its `credentials` output"
        raise UserError(
            f"{access.stack} has no {what}, so it cannot be called with {_what(access)}."
        )
    return enabled[0]


def _uses(access: Access) -> str:
    return {
        "api_key": "its callers send an API key in the x-api-key header, which `invoke call` adds",
        "iam": "its callers sign requests with AWS SigV4, which `invoke call` does",
        "none": "it takes no credentials (access mode none, local only)",
    }.get(access.mode, f"access mode {access.mode}")


def _what(access: Access) -> str:
    return "an API key" if access.mode == "api_key" else "a token"


def _aws_credentials(stack: str, env: str) -> Any:
    """Locally the emulator's test keys; on AWS the caller's own, from botocore's default
    chain (environment, profile, SSO, instance role...)."""
    from botocore.credentials import Credentials as AwsCredentials

    if env == catalog.LOCAL:
        return AwsCredentials(*LOCAL_AWS_CREDENTIALS)
    import botocore.session

    found = botocore.session.get_session().get_credentials()
    if found is None:
        raise UserError(
            f"{stack} in {env} takes requests signed with AWS credentials and none were found: "
            "set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or log in with "
            "`aws sso login`."
        )
    return found.get_frozen_credentials()


def _secret_values(outputs: dict[str, StackOutput]) -> dict[str, Any]:
    raw = outputs["credentials"].value if "credentials" in outputs else {}
    if isinstance(raw, str):
        raw = _json(raw.encode())
    return raw if isinstance(raw, dict) else {}


def _with(headers: dict[str, str], name: str, value: str) -> dict[str, str]:
    return dict(headers) if _has(headers, name) else {**headers, name: value}


def _has(headers: dict[str, str], name: str) -> bool:
    return any(key.lower() == name for key in headers)


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _oauth_reason(document: Any, body: bytes) -> str:
    """The OAuth error of a refusal (`invalid_client: ...`), else the start of its text."""
    if isinstance(document, dict) and document.get("error"):
        described = document.get("error_description")
        return f"{document['error']}" + (f" ({described})" if described else "")
    text = " ".join(body.decode("utf-8", errors="replace").split())[:120]
    return text or "(no reason given)"
