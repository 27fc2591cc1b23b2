"""Smoke checks: the requests that prove a deployed stack works, declared as data per stack.

Each stack lists its checks in `stacks/<name>/smoke.yaml`; `invoke smoke --stack=<name>
--env=<env>` sends them to the deployed stack, using its outputs (URL, API key), prints one
line per check (`PASS|FAIL <name> <status> <ms>ms`) and fails if any check fails. The same
runner gates promotion (`shared.ops.promote`). The file format is documented in
`docs/delivery.md`; in short:

    defaults:                      # optional; every key can be overridden per check
      base: url                    # output holding the URL that `path` is appended to
      timeout: 10                  # seconds per request
      retries: 0                   # extra attempts for a failing check...
      retryDelay: 2                # ...this many seconds apart
      headers: {}                  # sent with every check
    checks:
      - name: keyed-prediction     # letters, digits, `-`, `_`, `.`; unique in the file
        method: POST               # default GET
        path: ""                   # appended to the base URL; may use {output} placeholders
        headers: {x-api-key: "{apiKey}"}
        json: {inputs: "I love it"}  # or `body: "raw text"`
        expect:
          status: 200              # or a list: [404, 405]
          json:                    # JSONPath-lite -> rule
            model: {type: string}
            predictions[0].label: {in: [positive, negative, neutral]}
          headers:
            content-type: {contains: application/json}
          text: {contains: "ok"}   # a rule on the raw answer

Nothing here hangs: every request has a deadline enforced outside the socket, redirects are
not followed (a check can expect a 301), and secret outputs never appear in what is printed.
"""

from __future__ import annotations

import json
import queue
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from shared import catalog
from shared.errors import UserError
from shared.ops.outputs import StackOutput

Out = Callable[[str], None]

FILE_NAME = "smoke.yaml"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
TYPES = ("string", "number", "integer", "boolean", "array", "object", "null")
RULE_KEYS = ("type", "equals", "in", "contains", "matches", "min", "max", "minLength")
RULE_KEYS += ("maxLength", "exists")
DEFAULTS = {"base": "url", "timeout": 10.0, "retries": 0, "retryDelay": 2.0, "headers": {}}
CHECK_KEYS = ("name", "method", "base", "path", "headers", "json", "body", "timeout")
CHECK_KEYS += ("retries", "retryDelay", "expect")
EXPECT_KEYS = ("status", "json", "headers", "text")
MAX_ANSWER_BYTES = 1 << 20
USER_AGENT = "aigw-smoke/1"

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SEGMENT = re.compile(r'\.?([A-Za-z0-9_@:$-]+)|\[(-?\d+|\*)\]|\["([^"]*)"\]')
_MISSING = object()


# --- the file ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """What one value of the answer must be. Every key given must hold."""

    path: str
    spec: dict[str, Any]

    def problems(self) -> list[str]:
        out: list[str] = []
        unknown = sorted(str(key) for key in set(self.spec) - set(RULE_KEYS))
        if unknown:
            out.append(f"unknown rule key(s) {', '.join(unknown)} (known: {', '.join(RULE_KEYS)})")
        if "type" in self.spec and self.spec["type"] not in TYPES:
            out.append(f"type must be one of {', '.join(TYPES)}, not {self.spec['type']!r}")
        if "in" in self.spec and not isinstance(self.spec["in"], list):
            out.append("`in` must be a list")
        if "exists" in self.spec and not isinstance(self.spec["exists"], bool):
            out.append("`exists` must be true or false")
        if "matches" in self.spec:
            try:
                re.compile(str(self.spec["matches"]))
            except re.error as error:
                out.append(f"`matches` is not a regular expression: {error}")
        for key in ("min", "max", "minLength", "maxLength"):
            value = self.spec.get(key)
            if key in self.spec and (isinstance(value, bool) or not isinstance(value, int | float)):
                out.append(f"`{key}` must be a number")
        return out

    def failure(self, value: Any) -> str | None:
        """Why `value` (or `_MISSING`) breaks this rule, or None."""
        spec = self.spec
        if value is _MISSING:
            return None if spec.get("exists") is False else "is missing"
        if spec.get("exists") is False:
            return f"should be absent, is {_show(value)}"
        if "type" in spec and not _is_type(value, spec["type"]):
            return f"should be {_article(spec['type'])}, is {_show(value)}"
        if "equals" in spec and value != spec["equals"]:
            return f"should equal {_show(spec['equals'])}, is {_show(value)}"
        if "in" in spec and value not in spec["in"]:
            choices = ", ".join(_show(v) for v in spec["in"])
            return f"should be one of {choices}, is {_show(value)}"
        if "contains" in spec and not _contains(value, spec["contains"]):
            return f"should contain {_show(spec['contains'])}, is {_show(value)}"
        if "matches" in spec and not (
            isinstance(value, str) and re.search(str(spec["matches"]), value)
        ):
            return f"should match /{spec['matches']}/, is {_show(value)}"
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if "min" in spec and not (number and value >= spec["min"]):
            return f"should be >= {spec['min']}, is {_show(value)}"
        if "max" in spec and not (number and value <= spec["max"]):
            return f"should be <= {spec['max']}, is {_show(value)}"
        sized = isinstance(value, str | list | dict)
        if "minLength" in spec and not (sized and len(value) >= spec["minLength"]):
            return f"should have length >= {spec['minLength']}, is {_show(value)}"
        if "maxLength" in spec and not (sized and len(value) <= spec["maxLength"]):
            return f"should have length <= {spec['maxLength']}, is {_show(value)}"
        return None


@dataclass(frozen=True)
class Expect:
    status: tuple[int, ...]
    json: tuple[Rule, ...] = ()
    headers: tuple[Rule, ...] = ()
    text: Rule | None = None


@dataclass(frozen=True)
class Check:
    name: str
    method: str
    base: str
    path: str
    headers: dict[str, str]
    expect: Expect
    json: Any = None
    has_json: bool = False
    body: str | None = None
    timeout: float = 10.0
    retries: int = 0
    retry_delay: float = 2.0


def smoke_file(stack: str) -> Path:
    return catalog.stack_dir(stack) / FILE_NAME


def load(stack: str) -> list[Check]:
    """The checks of `stack`, or a UserError naming every problem of its smoke.yaml."""
    path = smoke_file(stack)
    if not path.is_file():
        raise UserError(
            f"{stack} has no smoke checks: write {_label(path)} (see docs/delivery.md).",
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise UserError(f"{_label(path)} is not valid YAML: {error}", exit_code=2) from None
    checks, problems = parse(data)
    if problems:
        listed = "\n".join(f"  - {p}" for p in problems)
        raise UserError(f"Invalid smoke checks in {_label(path)}:\n{listed}", exit_code=2)
    return checks


def parse(data: Any) -> tuple[list[Check], list[str]]:
    """(checks, problems) from the parsed YAML of a smoke file."""
    if not isinstance(data, dict):
        return [], ["the file must be a mapping with a `checks:` list"]
    problems = [f"unknown top-level key {k!r}" for k in data if k not in ("defaults", "checks")]
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        return [], [*problems, "`defaults` must be a mapping"]
    problems += [f"defaults: unknown key {k!r}" for k in defaults if k not in DEFAULTS]
    raw_checks = data.get("checks")
    if not isinstance(raw_checks, list) or not raw_checks:
        return [], [*problems, "`checks` must be a non-empty list"]
    checks: list[Check] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_checks):
        label = f"checks[{index}]"
        if not isinstance(raw, dict):
            problems.append(f"{label}: must be a mapping")
            continue
        name = raw.get("name")
        if isinstance(name, str):
            label = f"check {name!r}"
            if name in seen:
                problems.append(f"{label}: the name is used twice")
            seen.add(name)
        check, found = _parse_check(raw, {**DEFAULTS, **defaults}, label)
        problems += found
        if check is not None:
            checks.append(check)
    return checks, problems


def _parse_check(raw: dict, defaults: dict, label: str) -> tuple[Check | None, list[str]]:
    problems = [f"{label}: unknown key {k!r}" for k in raw if k not in CHECK_KEYS]
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        problems.append(f"{label}: `name` is required (letters, digits, '-', '_', '.')")
    method = str(raw.get("method", "GET")).upper()
    if method not in METHODS:
        problems.append(f"{label}: method must be one of {', '.join(METHODS)}")
    base = raw.get("base", defaults["base"])
    if not isinstance(base, str) or not base:
        problems.append(f"{label}: `base` must be the name of a stack output")
    path = raw.get("path", "")
    if not isinstance(path, str):
        problems.append(f"{label}: `path` must be a string")
    common, own = defaults.get("headers") or {}, raw.get("headers") or {}
    headers = {**common, **own} if isinstance(common, dict) and isinstance(own, dict) else None
    if headers is None or not all(isinstance(v, str | int | float) for v in headers.values()):
        problems.append(f"{label}: `headers` must map header names to strings")
    if "json" in raw and "body" in raw:
        problems.append(f"{label}: give `json` or `body`, not both")
    if "body" in raw and not isinstance(raw["body"], str):
        problems.append(f"{label}: `body` must be a string (use `json` for structured data)")
    numbers = {}
    for key, cast in (("timeout", float), ("retries", int), ("retryDelay", float)):
        value = raw.get(key, defaults[key])
        try:
            numbers[key] = cast(value)
            if numbers[key] < 0 or (key == "timeout" and numbers[key] == 0):
                raise ValueError
        except (TypeError, ValueError):
            problems.append(f"{label}: `{key}` must be a positive number")
            numbers[key] = cast(DEFAULTS[key])
    expect, found = _parse_expect(raw.get("expect"), label)
    problems += found
    if problems:
        return None, problems
    return (
        Check(
            name=name,
            method=method,
            base=base,
            path=path,
            headers={str(k): str(v) for k, v in headers.items()},
            expect=expect,
            json=raw.get("json"),
            has_json="json" in raw,
            body=raw.get("body"),
            timeout=numbers["timeout"],
            retries=numbers["retries"],
            retry_delay=numbers["retryDelay"],
        ),
        [],
    )


def _parse_expect(raw: Any, label: str) -> tuple[Expect, list[str]]:
    if not isinstance(raw, dict) or "status" not in raw:
        return Expect(()), [f"{label}: `expect.status` is required"]
    problems = [f"{label}: expect: unknown key {k!r}" for k in raw if k not in EXPECT_KEYS]
    statuses = raw["status"] if isinstance(raw["status"], list) else [raw["status"]]
    if not statuses or not all(
        isinstance(s, int) and not isinstance(s, bool) and 100 <= s <= 599 for s in statuses
    ):
        problems.append(f"{label}: `expect.status` must be an HTTP status or a list of them")
    rules: dict[str, list[Rule]] = {"json": [], "headers": []}
    for part in ("json", "headers"):
        given = raw.get(part) or {}
        if not isinstance(given, dict):
            problems.append(f"{label}: `expect.{part}` must map paths to rules")
            continue
        for path, spec in given.items():
            rule = Rule(str(path), _as_rule(spec))
            if part == "json":
                try:
                    parse_path(rule.path)
                except ValueError as error:
                    problems.append(f"{label}: expect.json: {error}")
            problems += [f"{label}: expect.{part}.{path}: {p}" for p in rule.problems()]
            rules[part].append(rule)
    text = None
    if "text" in raw:
        text = Rule("text", _as_rule(raw["text"]))
        problems += [f"{label}: expect.text: {p}" for p in text.problems()]
    expect = Expect(
        tuple(s for s in statuses if isinstance(s, int)),
        tuple(rules["json"]),
        tuple(rules["headers"]),
        text,
    )
    return expect, problems


def _as_rule(spec: Any) -> dict[str, Any]:
    """`{}`/null: must exist; a mapping: rule keys; anything else: must equal it."""
    if spec is None:
        return {}
    if isinstance(spec, dict):
        return dict(spec)
    return {"equals": spec}


# --- JSONPath-lite -------------------------------------------------------------------------


def parse_path(path: str) -> list[str | int]:
    """`a.b[0].c`, `items[*].id`, `$`, `$[0]`, `["odd key"]` -> segments (`"*"` = every item)."""
    text = path.strip()
    if text.startswith("$"):
        text = text[1:]
    segments: list[str | int] = []
    position = 0
    while position < len(text):
        match = _SEGMENT.match(text, position)
        if not match or (match.group(1) is not None and position and text[position] != "."):
            raise ValueError(f"cannot read the path {path!r} at {text[position:]!r}")
        name, index, quoted = match.groups()
        if name is not None:
            segments.append(name)
        elif quoted is not None:
            segments.append(quoted)
        else:
            segments.append("*" if index == "*" else int(index))
        position = match.end()
    return segments


def find(document: Any, path: str) -> list[Any]:
    """Every value `path` selects in `document` (a missing key or index selects nothing)."""
    found = [document]
    for segment in parse_path(path):
        found = [value for item in found for value in _step(item, segment)]
    return found


def _step(item: Any, segment: str | int) -> list[Any]:
    if segment == "*":
        return list(item) if isinstance(item, list) else []
    if isinstance(segment, int):
        if isinstance(item, list) and -len(item) <= segment < len(item):
            return [item[segment]]
        return []
    if isinstance(item, dict) and segment in item:
        return [item[segment]]
    return []


# --- running -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    status: int | None  # None: no HTTP answer at all
    ms: float
    reason: str = ""
    attempts: int = 1

    def line(self) -> str:
        status = "-" if self.status is None else str(self.status)
        text = f"{'PASS' if self.passed else 'FAIL'} {self.name} {status} {self.ms:.0f}ms"
        if self.reason:
            text += f": {self.reason}"
        if self.attempts > 1:
            text += f" (attempt {self.attempts})"
        return text


@dataclass
class SmokeResult:
    stack: str
    env: str
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def failures(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.passed]

    def summary(self) -> str:
        failed = len(self.failures)
        return (
            f"Smoke {self.stack}/{self.env}: {len(self.checks) - failed} passed, {failed} failed."
        )


@dataclass(frozen=True)
class _Answer:
    status: int | None
    headers: dict[str, str]
    body: bytes
    error: str = ""


def run_checks(
    checks: list[Check],
    outputs: dict[str, StackOutput],
    *,
    stack: str = "",
    env: str = "",
    out: Out = print,
) -> SmokeResult:
    """Send every check in order, print one line each, return the results."""
    result = SmokeResult(stack, env)
    secrets = [str(o.value) for o in outputs.values() if o.secret and str(o.value)]
    for check in checks:
        attempts = 0
        while True:
            attempts += 1
            outcome = _run_one(check, outputs)
            if outcome.passed or attempts > check.retries:
                break
            time.sleep(check.retry_delay)
        outcome = CheckResult(
            outcome.name,
            outcome.passed,
            outcome.status,
            outcome.ms,
            _mask(outcome.reason, secrets),
            attempts,
        )
        result.checks.append(outcome)
        out(outcome.line())
    return result


def _run_one(check: Check, outputs: dict[str, StackOutput]) -> CheckResult:
    def failed(reason: str, status: int | None = None, ms: float = 0.0) -> CheckResult:
        return CheckResult(check.name, False, status, ms, reason)

    try:
        url = _url(check, outputs)
        headers = {key: _fill(value, outputs) for key, value in check.headers.items()}
        data = None
        if check.has_json:
            data = json.dumps(_fill_all(check.json, outputs)).encode()
            if not any(k.lower() == "content-type" for k in headers):
                headers["Content-Type"] = "application/json"
        elif check.body is not None:
            data = _fill(check.body, outputs).encode()
    except _TemplateError as error:
        return failed(str(error))
    headers.setdefault("User-Agent", USER_AGENT)
    started = time.perf_counter()
    answer = _send(check.method, url, headers, data, check.timeout)
    ms = (time.perf_counter() - started) * 1000
    if answer.status is None:
        return failed(answer.error, None, ms)
    reason = _verdict(check.expect, answer)
    if reason:
        return failed(reason, answer.status, ms)
    return CheckResult(check.name, True, answer.status, ms)


def _verdict(expect: Expect, answer: _Answer) -> str:
    """Why the answer does not meet `expect`, or ""."""
    if answer.status not in expect.status:
        wanted = " or ".join(str(s) for s in expect.status)
        return f"expected status {wanted}, got {answer.status}{_excerpt(answer.body)}"
    for rule in expect.headers:
        value = answer.headers.get(rule.path.lower(), _MISSING)
        why = rule.failure(value)
        if why:
            return f"header {rule.path} {why}"
    text = answer.body.decode("utf-8", errors="replace")
    if expect.text is not None:
        why = expect.text.failure(text)
        if why:
            return f"the answer {why}"
    if not expect.json:
        return ""
    try:
        document = json.loads(text)
    except ValueError:
        return f"the answer is not JSON{_excerpt(answer.body)}"
    for rule in expect.json:
        values = find(document, rule.path)
        if not values:
            why = rule.failure(_MISSING)
            if why:
                return f"{rule.path} {why}"
            continue
        for value in values:
            why = rule.failure(value)
            if why:
                return f"{rule.path} {why}"
    return ""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx comes back as an HTTPError, so a check can expect it


_OPENER = urllib.request.build_opener(_NoRedirects)


def _send(
    method: str, url: str, headers: dict[str, str], data: bytes | None, timeout: float
) -> _Answer:
    """One request with a hard deadline: the socket timeout bounds each read, and the request
    runs in a daemon thread the caller stops waiting for after `timeout` (+1 s) in total."""
    answers: queue.Queue[_Answer] = queue.Queue(maxsize=1)

    def attempt() -> None:
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with _OPENER.open(request, timeout=timeout) as response:
                answers.put(_answer(response.status, response.headers, response))
        except urllib.error.HTTPError as error:
            answers.put(_answer(error.code, error.headers, error))
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            answers.put(_Answer(None, {}, b"", f"no answer from {_origin(url)}: {reason}"))
        except Exception as error:  # anything http.client raises on a broken answer
            answers.put(_Answer(None, {}, b"", f"broken answer from {_origin(url)}: {error!r}"))

    threading.Thread(target=attempt, daemon=True, name="smoke-request").start()
    try:
        return answers.get(timeout=timeout + 1)
    except queue.Empty:
        return _Answer(None, {}, b"", f"no answer from {_origin(url)} within {timeout:g}s")


def _answer(status: int, headers: Any, stream: Any) -> _Answer:
    try:
        body = stream.read(MAX_ANSWER_BYTES) if stream is not None else b""
    except (OSError, ValueError):
        body = b""
    lowered = {k.lower(): v for k, v in (headers.items() if headers else [])}
    return _Answer(status, lowered, body or b"")


class _TemplateError(Exception):
    pass


def _url(check: Check, outputs: dict[str, StackOutput]) -> str:
    if check.base not in outputs:
        raise _TemplateError(f"the stack has no output {check.base!r} to use as base URL")
    base = str(outputs[check.base].value)
    if not base.startswith(("http://", "https://")):
        raise _TemplateError(f"output {check.base!r} is not an http(s) URL")
    path = _fill(check.path, outputs)
    if not path:
        return base
    if path.startswith("?"):
        return base + path
    return base.rstrip("/") + "/" + path.lstrip("/")


def _fill(text: str, outputs: dict[str, StackOutput]) -> str:
    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = match.group(1)
        if name not in outputs:
            known = ", ".join(sorted(outputs)) or "none"
            raise _TemplateError(f"{{{name}}} is not a stack output (outputs: {known})")
        value = outputs[name].value
        return value if isinstance(value, str) else json.dumps(value)

    return _PLACEHOLDER.sub(replace, text)


def _fill_all(value: Any, outputs: dict[str, StackOutput]) -> Any:
    if isinstance(value, str):
        return _fill(value, outputs)
    if isinstance(value, list):
        return [_fill_all(v, outputs) for v in value]
    if isinstance(value, dict):
        return {k: _fill_all(v, outputs) for k, v in value.items()}
    return value


# --- commands ------------------------------------------------------------------------------


def stack_outputs(stack: str, env: str) -> dict[str, StackOutput]:
    """The deployed stack's outputs (secrets in clear, flagged), or a UserError."""
    if env == catalog.LOCAL:
        from shared.ops import local

        found = local.outputs(stack)
    else:
        from shared.ops import cloud

        found = cloud.outputs(stack, env)
    if not found:
        raise UserError(f"{stack} is not deployed to {env}: it has no outputs.")
    return found


def run(stack: str, env: str, *, out: Out = print) -> SmokeResult:
    """Load `stack`'s checks and run them against its deployment in `env`."""
    checks = load(stack)
    outputs = stack_outputs(stack, env)
    out(f"Smoke checks of {stack} in {env} ({len(checks)}):")
    result = run_checks(checks, outputs, stack=stack, env=env, out=out)
    out(result.summary())
    if env == catalog.LOCAL and any(c.status is None for c in result.checks):
        out("Is the emulator running? `invoke emulator.status` tells; `invoke deploy` starts it.")
    return result


def command(stack: str | None, env: str, *, out: Out = print) -> list[SmokeResult]:
    """`invoke smoke`: every named stack is checked; a UserError afterwards if any failed."""
    from shared.ops.commands import _targets

    names, env = _targets(stack, env)
    results: list[SmokeResult] = []
    problems: list[str] = []
    for name in names:
        try:
            result = run(name, env, out=out)
        except UserError as error:
            if len(names) == 1:
                raise
            out(f"Error: {error}")
            problems.append(f"{name} ({error})")
            continue
        results.append(result)
        if not result.passed:
            problems.append(f"{name} ({len(result.failures)} of {len(result.checks)} failed)")
    if problems:
        raise UserError(f"Smoke checks failed in {env}: {'; '.join(problems)}.")
    return results


# --- helpers -------------------------------------------------------------------------------


def _is_type(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return value is None


def _contains(value: Any, part: Any) -> bool:
    if isinstance(value, str):
        return str(part) in value
    if isinstance(value, list | dict):
        return part in value
    return False


def _article(kind: str) -> str:
    return {"array": "an array", "object": "an object", "integer": "an integer"}.get(kind, kind)


def _show(value: Any, limit: int = 80) -> str:
    text = json.dumps(value) if not isinstance(value, bytes) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _excerpt(body: bytes, limit: int = 160) -> str:
    text = " ".join(body.decode("utf-8", errors="replace").split())
    if not text:
        return ""
    return f" ({text[:limit]}{'...' if len(text) > limit else ''})"


def _mask(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "[secret]")
    return text


def _origin(url: str) -> str:
    """Scheme, host and path of a URL, without its query string."""
    return url.split("?", 1)[0]


def _label(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(catalog.REPO_ROOT))
    except ValueError:
        return str(path)
