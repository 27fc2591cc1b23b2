"""What each access mode and each model backend adds to a call, locally: one route called
sequentially over one keep-alive connection with the stack's own credentials, per mode (and,
for proxy, per backend), as p50/p99 latency. Figures, not assertions.

The credentials are made once per deployment (a token fetched once, as `invoke call` keeps it),
so the figures are what the gateway's check costs per request: an API key lookup, a JWT's
signature and claims, a SigV4 header; and for proxy's SageMaker and Bedrock models, the
engine's bridge in front of the model (README: where local differs).
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared.local import emulator
from shared.ops import credentials, local

Out = Callable[[str], None]
TIERS = {
    "standard": {"rateLimit": 10_000, "burstLimit": 5_000, "quota": 1_000_000, "period": "DAY"}
}
PROMPT = {"inputs": "I love this, it is wonderful"}
# The stage's own throttle would answer most sequential calls 429 (proxy's is 50 req/s).
UNTHROTTLED = {"proxy:stageRateLimit": 10_000, "proxy:stageBurstLimit": 5_000}


@dataclass(frozen=True)
class Case:
    stack: str
    label: str
    overrides: dict[str, Any]  # `<stack>:<key>` -> value (JSON-encoded when deployed)
    path: str | None = None  # appended to baseUrl; None: the url output


def _token_clients(scope: str) -> list[dict[str, Any]]:
    return [{"name": "app", "scopes": [scope]}]


CASES = [
    *[
        Case("proxy", f"access {mode}", {"proxy:access": access})
        for mode, access in [
            ("none", {"mode": "none"}),
            (
                "api_key",
                {
                    "mode": "api_key",
                    "tiers": TIERS,
                    "clients": [{"name": "web", "tier": "standard"}],
                },
            ),
            ("cognito", {"mode": "cognito", "clients": _token_clients("predict")}),
            ("iam", {"mode": "iam"}),
        ]
    ],
    *[
        Case("versions", f"access {mode}", {"versions:access": access}, "/v1/predict")
        for mode, access in [
            ("none", {"mode": "none"}),
            ("jwt", {"mode": "jwt", "clients": _token_clients("predict")}),
            ("iam", {"mode": "iam"}),
        ]
    ],
    *[
        Case(
            "proxy",
            f"model {model['type']}",
            {"proxy:access": {"mode": "none"}, "proxy:model": model},
        )
        for model in [
            {"type": "sagemaker", "endpoint": "sentiment-local"},
            {"type": "bedrock", "modelId": "anthropic.claude-3-haiku-20240307-v1:0"},
        ]
    ],
]


def access_latency(calls: int, out: Out = print) -> dict[str, list[float]]:
    """Deploy each case, call its route `calls` times, print p50/p99; the stacks are destroyed
    after (a stack deployed before is deployed again with its own config)."""
    results: dict[str, list[float]] = {}
    was_deployed = {c.stack for c in CASES if local.is_deployed(c.stack)}
    out(f"POST one route, {calls} sequential calls on one keep-alive connection")
    out(f"  {'stack':<10}{'case':<20}{'p50 ms':>9}{'p99 ms':>9}{'non-200':>9}")
    try:
        for case in CASES:
            wanted = {**(UNTHROTTLED if case.stack == "proxy" else {}), **case.overrides}
            overrides = {key: json.dumps(value) for key, value in wanted.items()}
            if case.stack == "versions":  # the session's model endpoint answers both versions
                model = emulator.model_url(emulator.server())
                overrides["versions:modelVersions"] = json.dumps(
                    {"v1": f"{model}/v1/invocations", "v2": f"{model}/v2/invocations"}
                )
            outputs = local.deploy(case.stack, out=_quiet, overrides=overrides)
            url = str(outputs["url"].value if case.path is None else outputs["baseUrl"].value)
            url += case.path or ""
            caller = credentials.for_stack(case.stack, "local", outputs=outputs)
            latencies, failed, first_failure = _timed_calls(url, caller, calls)
            results[f"{case.stack} {case.label}"] = latencies
            ordered = sorted(latencies)
            out(
                f"  {case.stack:<10}{case.label:<20}"
                f"{1000 * ordered[len(ordered) // 2]:>9.1f}"
                f"{1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]:>9.1f}"
                f"{failed:>9}" + (f"  (first: {first_failure})" if failed else "")
            )
    finally:
        for stack in sorted({c.stack for c in CASES}):
            local.destroy(stack, out=_quiet)
            if stack in was_deployed:
                local.deploy(stack, out=_quiet)
    return results


def _timed_calls(
    url: str, caller: credentials.Credentials, calls: int
) -> tuple[list[float], int, str]:
    parts = urllib.parse.urlsplit(url)
    body = json.dumps(PROMPT).encode()
    connection = http.client.HTTPConnection(parts.netloc, timeout=60)
    latencies, failed, first_failure = [], 0, ""
    try:
        for attempt in range(calls + 1):
            # A SigV4 signature is made per request, as a client makes it: part of the figure.
            began = time.perf_counter()
            headers = caller.headers("POST", url, {"Content-Type": "application/json"}, body)
            connection.request("POST", parts.path, body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            took = time.perf_counter() - began
            if attempt:  # the first call warms the route (a Lambda worker, a JWKS fetch)
                latencies.append(took)
                if response.status != 200:
                    failed += 1
                    first_failure = first_failure or f"{response.status} {answer[:80]!r}"
    finally:
        connection.close()
    return latencies, failed, first_failure


def _quiet(line: str) -> None:
    pass
