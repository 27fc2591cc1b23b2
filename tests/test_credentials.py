"""shared.ops.credentials: what each access mode adds to a request, built from a stack's
`access` and `credentials` outputs (the shapes the stacks export), against a token endpoint of
the test's own that answers as Cognito's `/oauth2/token` does. No emulator: the end-to-end
calls through the gateway are in tests/test_call.py."""

from __future__ import annotations

import base64
import json
import re
import shutil
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from shared import catalog
from shared.errors import UserError
from shared.local import emulator
from shared.ops import credentials
from shared.ops.outputs import StackOutput

SECRET = "s3cr3t-of-the-app-client"
SCOPE = "aigw-demo/predict"


def outputs(access: dict[str, Any], secrets: dict[str, Any] | None = None) -> dict:
    found = {
        "url": StackOutput("https://api.invalid/predict"),
        "access": StackOutput(access),
    }
    if secrets is not None:
        found["credentials"] = StackOutput(secrets, secret=True)
    return found


KEYED = {
    "mode": "api_key",
    "region": "eu-west-1",
    "clients": {
        "web": {"tier": "standard", "enabled": True},
        "retired": {"tier": "standard", "enabled": False},
        "partner": {"tier": "partner", "enabled": True},
    },
}
KEYS = {"apiKeys": {"web": "key-web", "retired": "key-retired", "partner": "key-partner"}}


class _TokenEndpoint(BaseHTTPRequestHandler):
    """Cognito's client-credentials grant: HTTP Basic client_id:client_secret, a form with
    grant_type and an optional scope; `invalid_client` for a wrong secret."""

    protocol_version = "HTTP/1.1"
    grants: list[dict[str, Any]] = []
    lifetime = 3600

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        form = dict(urllib.parse.parse_qsl(body))
        scheme, _, encoded = (self.headers.get("Authorization") or "").partition(" ")
        client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
        type(self).grants.append({"client": client_id, "form": form, "scheme": scheme})
        if scheme != "Basic" or secret != SECRET:
            self._reply(400, {"error": "invalid_client", "error_description": "Bad secret"})
        elif form.get("grant_type") != "client_credentials":
            self._reply(400, {"error": "unsupported_grant_type"})
        else:
            token = f"token-{len(type(self).grants)}-{client_id}"
            self._reply(
                200,
                {"access_token": token, "token_type": "Bearer", "expires_in": self.lifetime},
            )

    def _reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def token_endpoint(serve_in_thread):
    _TokenEndpoint.grants = []
    _TokenEndpoint.lifetime = 3600
    credentials._TOKENS.clear()  # each test starts with a process that fetched nothing
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TokenEndpoint)
    with serve_in_thread(server) as url:
        yield f"{url}/oauth2/token"
    credentials._TOKENS.clear()


def tokened(token_url: str, **more: Any) -> dict:
    return {
        "mode": "cognito",
        "region": "eu-west-1",
        "tokenUrl": token_url,
        "issuer": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc",
        "clients": {
            "app": {"clientId": "app-id", "scopes": ["predict"]},
            "reporting": {"clientId": "reporting-id", "scopes": []},
        },
        "scopes": [SCOPE, "aigw-demo/report"],
        **more,
    }


def headers_of(caller: credentials.Credentials, given: dict | None = None) -> dict[str, str]:
    return caller.headers("POST", "https://api.invalid/predict", given or {}, b"{}")


# --- api_key ---------------------------------------------------------------------------------


def test_an_api_key_stack_sends_the_first_enabled_clients_key_in_x_api_key():
    caller = credentials.for_access(
        credentials.read_access("demo", outputs(KEYED, KEYS)), "dev", outputs(KEYED, KEYS)
    )

    assert headers_of(caller) == {"x-api-key": "key-web"}
    assert caller.secrets() == ("key-web",)


def test_client_picks_another_key_and_an_unknown_one_is_a_usage_error_naming_the_valid():
    found = outputs(KEYED, KEYS)
    access = credentials.read_access("demo", found)
    assert access is not None

    partner = credentials.for_access(access, "dev", found, client="partner")
    with pytest.raises(UserError) as wrong:
        credentials.for_access(access, "dev", found, client="nope")

    assert headers_of(partner) == {"x-api-key": "key-partner"}
    assert wrong.value.exit_code == 2
    assert str(wrong.value) == "demo has no client 'nope'; its clients: web, retired, partner."


def test_a_disabled_client_is_never_the_default_but_can_be_chosen():
    # A disabled key is refused by the gateway (403): choosing it shows that refusal.
    only_retired_first = {**KEYED, "clients": {"retired": KEYED["clients"]["retired"]}}
    found = outputs(only_retired_first, KEYS)
    access = credentials.read_access("demo", found)
    assert access is not None

    with pytest.raises(UserError, match=r"demo has no enabled client, so it cannot be called"):
        credentials.for_access(access, "dev", found)
    chosen = credentials.for_access(access, "dev", found, client="retired")
    assert headers_of(chosen) == {"x-api-key": "key-retired"}


def test_the_first_client_is_the_first_declared_in_the_stack_file(tmp_path, monkeypatch):
    # The engine's state and `pulumi stack output` sort a map's keys; the declared order wins.
    project = tmp_path / "stacks" / "demo"
    project.mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    (project / "Pulumi.dev.yaml").write_text(
        "config:\n  demo:access:\n    mode: api_key\n    clients:\n"
        "      - {name: partner, tier: partner}\n      - {name: web, tier: standard}\n"
    )
    monkeypatch.setattr(catalog, "STACKS_DIR", tmp_path / "stacks")
    sorted_like_the_state = {**KEYED, "clients": dict(sorted(KEYED["clients"].items()))}
    found = outputs(sorted_like_the_state, KEYS)

    caller = credentials.for_stack("demo", "dev", outputs=found)

    assert headers_of(caller) == {"x-api-key": "key-partner"}


def test_a_header_the_request_sets_itself_is_kept():
    found = outputs(KEYED, KEYS)
    caller = credentials.for_stack("demo", "dev", outputs=found)

    assert headers_of(caller, {"X-Api-Key": "wrong"}) == {"X-Api-Key": "wrong"}


# --- cognito / jwt -----------------------------------------------------------------------------


def test_a_token_stack_sends_a_bearer_token_of_the_client_credentials_grant(token_endpoint):
    found = outputs(tokened(token_endpoint), {"clientSecrets": {"app": SECRET}})

    caller = credentials.for_stack("demo", "dev", outputs=found)
    sent = headers_of(caller)

    assert sent == {"Authorization": "Bearer token-1-app-id"}
    [grant] = _TokenEndpoint.grants
    # Cognito's client-credentials grant: Basic auth, the full scope names of the client.
    assert grant == {
        "client": "app-id",
        "scheme": "Basic",
        "form": {"grant_type": "client_credentials", "scope": SCOPE},
    }
    assert caller.secrets() == ("token-1-app-id",)


def test_a_client_without_listed_scopes_asks_for_none_and_gets_all_it_is_allowed(token_endpoint):
    found = outputs(tokened(token_endpoint), {"clientSecrets": {"reporting": SECRET}})

    credentials.for_stack("demo", "dev", outputs=found, client="reporting").headers(
        "GET", "https://api.invalid/", {}, None
    )

    assert _TokenEndpoint.grants[0]["form"] == {"grant_type": "client_credentials"}


def test_a_token_is_reused_for_its_lifetime_in_one_process(token_endpoint):
    found = outputs(tokened(token_endpoint), {"clientSecrets": {"app": SECRET}})

    first = credentials.for_stack("demo", "dev", outputs=found)
    again = credentials.for_stack("demo", "dev", outputs=found)

    assert headers_of(first) == headers_of(again) == headers_of(first)
    assert len(_TokenEndpoint.grants) == 1


def test_a_token_about_to_expire_is_fetched_again(token_endpoint):
    _TokenEndpoint.lifetime = 5  # shorter than the margin a request needs
    found = outputs(tokened(token_endpoint), {"clientSecrets": {"app": SECRET}})
    caller = credentials.for_stack("demo", "dev", outputs=found)

    assert headers_of(caller) != headers_of(caller)
    assert len(_TokenEndpoint.grants) == 2


def test_a_refused_grant_says_the_status_and_reason_and_never_the_secret(token_endpoint):
    found = outputs(tokened(token_endpoint), {"clientSecrets": {"app": "not-the-secret"}})
    caller = credentials.for_stack("demo", "dev", outputs=found)

    with pytest.raises(UserError) as refused:
        headers_of(caller)

    assert str(refused.value) == (
        f"The token endpoint of demo ({token_endpoint}) refused client 'app': "
        "HTTP 400 invalid_client (Bad secret)."
    )
    assert "not-the-secret" not in str(refused.value)


def test_a_token_endpoint_that_does_not_answer_is_one_sentence(closed_url):
    found = outputs(tokened(f"{closed_url}/oauth2/token"), {"clientSecrets": {"app": SECRET}})
    caller = credentials.for_stack("demo", "dev", outputs=found)

    with pytest.raises(UserError, match=r"^The token endpoint of demo .* gave no token for"):
        headers_of(caller)


def test_locally_tokens_come_from_the_emulator_whatever_token_url_says(monkeypatch):
    monkeypatch.setenv(emulator.PORT_VARIABLE, "4999")
    access = credentials.read_access("demo", outputs(tokened("https://x.auth.amazoncognito.com")))
    assert access is not None

    assert credentials.token_url(access, "local") == "http://127.0.0.1:4999/oauth2/token"
    assert credentials.token_url(access, "prod") == "https://x.auth.amazoncognito.com"


def test_an_external_issuer_gives_no_token_here():
    external = {
        "mode": "jwt",
        "region": "eu-west-1",
        "issuer": "https://login.acme.test/",
        "audience": ["ai-gateway"],
        "clients": {},
    }
    found = outputs(external, {})

    with pytest.raises(UserError) as raised:
        credentials.for_stack("demo", "prod", outputs=found)

    assert str(raised.value) == (
        "demo accepts tokens of https://login.acme.test/ (audience ai-gateway), which it does "
        "not own, so no token can be fetched here: get one from the issuer and send it as "
        "`Authorization: Bearer <token>`."
    )


# --- iam ---------------------------------------------------------------------------------------

SIGNATURE = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[a-z0-9-]+)/"
    r"(?P<service>[a-z-]+)/aws4_request, SignedHeaders=(?P<signed>[a-z0-9;-]+), "
    r"Signature=[0-9a-f]{64}$"
)


def test_an_iam_stack_signs_each_request_for_execute_api_in_its_region(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDCALLER")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "caller-secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "caller-session")
    found = outputs({"mode": "iam", "region": "eu-west-1", "clients": {}}, {})

    caller = credentials.for_stack("demo", "dev", outputs=found)
    sent = headers_of(caller, {"Content-Type": "application/json"})

    # SigV4: the credential scope is <date>/<region>/<service>/aws4_request; the host and the
    # date are signed; a session token travels in X-Amz-Security-Token.
    signed = SIGNATURE.match(sent["Authorization"])
    assert signed, sent["Authorization"]
    assert (signed["key"], signed["region"], signed["service"]) == (
        "AKIDCALLER",
        "eu-west-1",
        "execute-api",
    )
    assert {"host", "x-amz-date", "content-type"} <= set(signed["signed"].split(";"))
    assert sent["X-Amz-Security-Token"] == "caller-session"
    assert set(caller.secrets()) == {"caller-secret", "caller-session"}


def test_locally_requests_are_signed_with_the_emulators_test_keys(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDCALLER")
    found = outputs({"mode": "iam", "region": "us-east-1", "clients": {}}, {})

    sent = headers_of(credentials.for_stack("demo", "local", outputs=found))

    signed = SIGNATURE.match(sent["Authorization"])
    assert signed and signed["key"] == "test" and signed["region"] == "us-east-1"


def test_without_aws_credentials_an_iam_stack_says_how_to_get_them(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    found = outputs({"mode": "iam", "region": "eu-west-1", "clients": {}}, {})

    with pytest.raises(UserError, match=r"^demo in dev takes requests signed with AWS credentials"):
        credentials.for_stack("demo", "dev", outputs=found)


def test_iam_and_none_have_no_clients_to_choose():
    found = outputs({"mode": "iam", "region": "eu-west-1", "clients": {}}, {})

    with pytest.raises(UserError) as raised:
        credentials.for_stack("demo", "local", outputs=found, client="app")

    assert raised.value.exit_code == 2
    assert "its access mode is iam" in str(raised.value)


# --- none and the outputs themselves -----------------------------------------------------------


def test_an_open_stack_sends_nothing():
    found = outputs({"mode": "none", "region": "us-east-1", "clients": {}})

    caller = credentials.for_stack("demo", "local", outputs=found)

    assert headers_of(caller, {"Accept": "*/*"}) == {"Accept": "*/*"}
    assert caller.mode == "none"


def test_a_stack_without_an_access_output_is_named_with_how_to_fix_it():
    with pytest.raises(UserError) as raised:
        credentials.for_stack("demo", "dev", outputs={"url": StackOutput("https://x.invalid")})

    assert str(raised.value) == (
        "demo in dev exports no `access` output, so how to call it is unknown: deploy it "
        "again with this code (`invoke deploy --stack=demo --env=dev`)."
    )


def test_an_undeployed_stack_says_how_to_deploy_it(tmp_path, monkeypatch):
    stacks = tmp_path / "stacks"
    shutil.copytree(catalog.STACKS_DIR / "proxy", stacks / "proxy")
    monkeypatch.setattr(catalog, "STACKS_DIR", stacks)
    monkeypatch.setenv("AIGW_STATE_DIR", str(tmp_path / "state"))

    with pytest.raises(UserError) as raised:
        credentials.token("proxy", "local")

    assert str(raised.value) == (
        "proxy is not deployed to local: it has no outputs; deploy it with "
        "`invoke deploy --stack=proxy`."
    )
