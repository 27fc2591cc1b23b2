"""`invoke call`: one request to a deployed stack, with the credentials its access mode asks for.

    invoke call --stack=proxy --data='{"inputs": "I love it"}'
    HTTP 200
    {
      "model": "sentiment-nb",
      ...
    }

Without `--path` the request goes to the stack's `url` output; `--path=/x` goes to `baseUrl`
followed by `/x`. `--data` is JSON text, or `@file` for a file holding it; with data the method
defaults to POST, else GET. The answer is printed after `HTTP <status>`, indented when it is
JSON; any secret (an API key, a token, a secret output) that it echoes is masked. The request
has a deadline, as API Gateway's own: no command waits longer than `TIMEOUT_S` (+1 s).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shared import catalog
from shared.errors import UserError
from shared.ops import credentials, request
from shared.ops.outputs import StackOutput, mask, secret_forms

Out = Callable[[str], None]

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
# API Gateway ends an integration after 29 s (REST) or 30 s (HTTP API): an answer that has not
# come by then will not come.
TIMEOUT_S = 35.0
MAX_ANSWER_BYTES = 8 << 20
USER_AGENT = "aigw-call/1"


@dataclass(frozen=True)
class Request:
    method: str
    body: bytes | None


def prepare(method: str | None, data: str | None) -> Request:
    """The method and body from the command line, or a usage error (exit 2)."""
    body = None
    if data is not None:
        text = data
        if data.startswith("@"):
            path = Path(data[1:]).expanduser()
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as error:
                raise UserError(
                    f"--data={data}: cannot read {path} ({error.strerror}).", exit_code=2
                ) from None
        try:
            json.loads(text)
        except ValueError as error:
            raise UserError(f"--data is not JSON: {error}.", exit_code=2) from None
        body = text.encode()
    chosen = (method or ("POST" if body is not None else "GET")).upper()
    if chosen not in METHODS:
        raise UserError(
            f"Unknown method {method!r}. Valid methods: {', '.join(METHODS)}.", exit_code=2
        )
    return Request(chosen, body)


def target(stack: str, outputs: dict[str, StackOutput], path: str | None) -> str:
    """`url`, or `baseUrl` + `path`."""
    name = "url" if not path else "baseUrl"
    if name not in outputs:
        raise UserError(f"{stack} has no `{name}` output to call; deploy it again with this code.")
    base = str(outputs[name].value)
    if not path:
        return base
    return base.rstrip("/") + "/" + path.lstrip("/")


def call(
    stack: str,
    env: str,
    *,
    path: str | None = None,
    method: str | None = None,
    data: str | None = None,
    client: str | None = None,
    send_credentials: bool = True,
    out: Out = print,
) -> bool:
    """Send the request, print `HTTP <status>` and the answer; True for a 2xx answer."""
    wanted = prepare(method, data)
    if client and not send_credentials:
        raise UserError("Give --client or --no-credentials, not both.", exit_code=2)
    outputs = credentials.stack_outputs(stack, env)
    url = target(stack, outputs, path)
    caller: credentials.Credentials = credentials.Credentials()
    if send_credentials:
        caller = credentials.for_stack(stack, env, client=client, outputs=outputs)
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json, */*"}
    if wanted.body is not None:
        headers["Content-Type"] = "application/json"
    headers = caller.headers(wanted.method, url, headers, wanted.body)
    answer = request.send(
        wanted.method, url, headers, wanted.body, TIMEOUT_S, max_bytes=MAX_ANSWER_BYTES
    )
    secrets = secret_forms(outputs, caller.secrets())
    if answer.status is None:
        hint = ""
        if env == catalog.LOCAL:
            hint = " (is the emulator running? `invoke emulator.status` tells)"
        raise UserError(f"{mask(answer.error, secrets)}{hint}.")
    out(f"HTTP {answer.status}")
    if shown := render(answer.body):
        out(mask(shown, secrets))
    return 200 <= answer.status < 300


def render(body: bytes) -> str:
    """The answer as text: indented when it is JSON."""
    text = body.decode("utf-8", errors="replace")
    try:
        document = json.loads(text)
    except ValueError:
        return text.rstrip("\n")
    return json.dumps(document, indent=2, ensure_ascii=False)
