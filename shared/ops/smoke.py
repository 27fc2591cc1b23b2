"""Smoke checks: the requests that prove a deployed stack works, declared as data per stack.

Each stack lists its checks in `stacks/<name>/smoke.yaml`; `invoke smoke --stack=<name>
--env=<env>` sends them to the deployed stack, using its outputs (URLs), prints one line per
check (`PASS|FAIL|SKIP <name> <status> <ms>ms[: reason]`) and fails if any check fails. Every
check is sent with the stack's credentials (`shared.ops.credentials`: its API key, a token or a
SigV4 signature, as its `access` output says) unless it says `credentials: none`; a stack open
to anyone (access mode `none`, local only) has nothing to refuse, so its checks without
credentials that expect a refusal are skipped, with the reason. The same runner gates
promotion (`shared.ops.promote`). What an answer must be is said with
standards: a JSON Schema (draft 2020-12) for the answer, its headers or its raw text, and
JMESPath to pick values out of the answer. The format is documented in `docs/delivery.md`; in
short:

    defaults:                      # optional; every key can be overridden per check
      base: url                    # output holding the URL that `path` is appended to
      timeout: 10                  # seconds per request
      retries: 0                   # extra attempts for a failing check...
      retryDelay: 2                # ...this many seconds apart
      headers: {}                  # sent with every check
      credentials: stack           # or none: send the check without the stack's credentials
    checks:
      - name: keyed-prediction     # letters, digits, `-`, `_`, `.`; unique in the file
        method: POST               # default GET
        path: ""                   # appended to the base URL; may use {output} placeholders
        json: {inputs: "I love it"}  # or `body: "raw text"`
        expect:
          status: 200              # or a list: [404, 405]
          headers:                 # JSON Schema of the answer's headers, names in lower case
            required: [content-type]
            properties: {content-type: {pattern: "^application/json"}}
          schema:                  # JSON Schema of the answer, read as JSON
            type: object
            required: [model]
            properties: {model: {type: string, minLength: 1}}
          values:                  # JMESPath expression -> JSON Schema of what it selects
            - path: predictions[0].label
              schema: {enum: [positive, negative, neutral]}
          text: {pattern: "ok"}    # JSON Schema of the raw answer, a string

A smoke file is checked against `FILE_SCHEMA` when it is loaded, and so is every schema (against
the draft 2020-12 meta-schema) and every JMESPath expression in it: a mistake is reported with
the name of its check before anything is sent. A failing check says, in one line, where and how
the answer breaks its schema (`predictions[0].label: 'maybe' is not one of [...]`). Nothing here
hangs: every request has a deadline enforced outside the socket, redirects are not followed (a
check can expect a 301), and secrets (secret outputs, a fetched token) never appear in what is
printed.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jmespath
import referencing
import referencing.exceptions
import yaml
from jmespath.exceptions import (
    IncompleteExpressionError,
    JMESPathError,
    LexerError,
    ParseError,
)
from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import best_match
from referencing.jsonschema import DRAFT202012

from shared import catalog
from shared.errors import UserError
from shared.ops import credentials, request, stack_files
from shared.ops.outputs import StackOutput, mask, secret_forms

Out = Callable[[str], None]

FILE_NAME = "smoke.yaml"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
DEFAULTS = {
    "base": "url",
    "timeout": 10.0,
    "retries": 0,
    "retryDelay": 2.0,
    "headers": {},
    "credentials": "stack",
}
MAX_ANSWER_BYTES = request.MAX_ANSWER_BYTES
# What a check without credentials expects when it proves that such a request is refused.
REFUSALS = frozenset({401, 403})
MAX_REASON = 400  # characters of a failure reason, after secrets are masked
USER_AGENT = "aigw-smoke/1"

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")
_PLAIN_KEY = re.compile(r"^[A-Za-z_$@][A-Za-z0-9_$@-]*$")
_SHOWN = 80  # characters of a value quoted in a failure message
_LIMITS = {"minItems": "at least", "maxItems": "at most", "minLength": "at least"}
_LIMITS |= {"maxLength": "at most", "minProperties": "at least", "maxProperties": "at most"}


# --- the file ------------------------------------------------------------------------------

_A_SCHEMA = {"type": ["object", "boolean"], "description": "a JSON Schema (draft 2020-12)"}
_SETTINGS: dict[str, Any] = {  # in `defaults`, or in a check
    "base": {"type": "string", "minLength": 1},
    "timeout": {"type": "number", "exclusiveMinimum": 0},
    "retries": {"type": "integer", "minimum": 0},
    "retryDelay": {"type": "number", "minimum": 0},
    "headers": {"type": "object", "additionalProperties": {"type": ["string", "number"]}},
    "credentials": {"enum": ["stack", "none"]},
}
_STATUS = {"type": "integer", "minimum": 100, "maximum": 599}

FILE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "stacks/<name>/smoke.yaml",
    "type": "object",
    "required": ["checks"],
    "additionalProperties": False,
    "properties": {
        "defaults": {
            "type": ["object", "null"],
            "additionalProperties": False,
            "properties": _SETTINGS,
        },
        "checks": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/check"}},
    },
    "$defs": {
        "check": {
            "type": "object",
            "required": ["name", "expect"],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$"},
                "method": {"enum": list(METHODS)},
                "base": _SETTINGS["base"],
                "path": {"type": "string"},
                "headers": _SETTINGS["headers"],
                "json": True,
                "body": {"type": "string"},
                "timeout": _SETTINGS["timeout"],
                "retries": _SETTINGS["retries"],
                "retryDelay": _SETTINGS["retryDelay"],
                "credentials": _SETTINGS["credentials"],
                "expect": {"$ref": "#/$defs/expect"},
            },
            "dependentSchemas": {"body": {"not": {"required": ["json"]}}},
        },
        "expect": {
            "type": "object",
            "required": ["status"],
            "additionalProperties": False,
            "properties": {
                "status": {
                    **_STATUS,
                    "type": ["integer", "array"],
                    "minItems": 1,
                    "items": _STATUS,
                },
                "headers": _A_SCHEMA,
                "schema": _A_SCHEMA,
                "values": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/value"}},
                "text": _A_SCHEMA,
            },
        },
        "value": {
            "type": "object",
            "required": ["path", "schema"],
            "additionalProperties": False,
            "properties": {"path": {"type": "string", "minLength": 1}, "schema": _A_SCHEMA},
        },
    },
}

_FILE = Draft202012Validator(FILE_SCHEMA)
# The meta-schema, with formats asserted: a `pattern` that is no regular expression is an error.
_META = Draft202012Validator(
    Draft202012Validator.META_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER
)


@dataclass(frozen=True)
class Schema:
    """A valid JSON Schema (draft 2020-12) that a part of the answer must meet."""

    schema: dict[str, Any] | bool
    validator: Draft202012Validator = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "validator", Draft202012Validator(self.schema))

    def failure(
        self, instance: Any, root: str, base: str = "", secrets: tuple[str, ...] = ()
    ) -> str:
        """`<base><path>: <message>` (`<root>: ...` at the top of `instance`) for the most
        relevant way `instance` breaks the schema, with how many more; "" if it meets it."""
        try:
            errors = list(self.validator.iter_errors(instance))
        except referencing.exceptions.Unresolvable:
            return f"{base or root}: a $ref of the schema cannot be resolved"
        if not errors:
            return ""
        best = best_match(errors)
        text = f"{_dotted(best.absolute_path, base) or root}: {_message(best, secrets)}"
        if len(errors) > 1:
            text += f" (+{len(errors) - 1} more)"
        return text


@dataclass(frozen=True)
class Value:
    """A value picked out of the answer with a JMESPath expression, and its schema."""

    path: str
    expression: Any  # jmespath.parser.ParsedResult
    schema: Schema


@dataclass(frozen=True)
class Expect:
    status: tuple[int, ...]
    headers: Schema | None = None
    schema: Schema | None = None
    values: tuple[Value, ...] = ()
    text: Schema | None = None

    @property
    def reads_json(self) -> bool:
        return self.schema is not None or bool(self.values)


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
    credentials: bool = True  # sent with the stack's credentials

    @property
    def proves_refusal(self) -> bool:
        """Sent without credentials to show that the stack refuses such a request."""
        return not self.credentials and set(self.expect.status) <= REFUSALS


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
        raise UserError(stack_files.yaml_problem(_label(path), error), exit_code=2) from None
    checks, problems = parse(data)
    if problems:
        listed = "\n".join(f"  - {p}" for p in problems)
        raise UserError(f"Invalid smoke checks in {_label(path)}:\n{listed}", exit_code=2)
    return checks


def parse(data: Any) -> tuple[list[Check], list[str]]:
    """(checks, problems) from the parsed YAML of a smoke file; no checks if any problem.

    The structure is checked against FILE_SCHEMA; then each check's schemas against the
    meta-schema (and their `$ref`s resolved), its JMESPath expressions compiled, its name
    checked to be unique. Problems come in file order, each naming its check."""
    found: list[tuple[int, str]] = []  # (index of the check, or -1 for the file; problem)
    for error in _FILE.iter_errors(data):
        found.append(_file_problem(error, data))
    raw_checks = data.get("checks") if isinstance(data, dict) else None
    if not isinstance(raw_checks, list):
        return [], [problem for _, problem in sorted(found, key=lambda f: f[0])]
    defaults = data.get("defaults")
    defaults = {**DEFAULTS, **(defaults if isinstance(defaults, dict) else {})}
    compiled: list[tuple[dict, Expect]] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_checks):
        if not isinstance(raw, dict):
            continue  # FILE_SCHEMA said so
        label = _check_label(raw_checks, index)
        problems: list[str] = []
        name = raw.get("name")
        if isinstance(name, str):
            if name in seen:
                problems.append("the name is used twice")
            seen.add(name)
        if "json" in raw:
            try:
                json.dumps(raw["json"])
            except (TypeError, ValueError) as error:
                problems.append(f"json: cannot be sent as JSON ({error}); quote the value")
        expect, more = _expect(raw.get("expect"))
        problems += more
        found += [(index, f"{label}: {problem}") for problem in problems]
        if expect is not None:
            compiled.append((raw, expect))
    if found:
        return [], [problem for _, problem in sorted(found, key=lambda f: f[0])]
    return [_check(raw, expect, defaults) for raw, expect in compiled], []


def _expect(raw: Any) -> tuple[Expect | None, list[str]]:
    """The compiled `expect` of a check and the problems of its schemas and expressions
    (its structure is FILE_SCHEMA's business: what is not the right type is skipped)."""
    if not isinstance(raw, dict):
        return None, []
    problems: list[str] = []

    def schema(given: Any, where: str) -> Schema | None:
        if not isinstance(given, dict | bool):
            return None
        wrong = _schema_problems(given, where)
        problems.extend(wrong)
        return None if wrong else Schema(given)

    headers = schema(raw.get("headers"), "expect.headers")
    if isinstance(raw.get("headers"), dict):
        problems.extend(_header_case(raw["headers"]))
    answer = schema(raw.get("schema"), "expect.schema")
    values: list[Value] = []
    items = raw.get("values")
    for index, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        where = f"expect.values[{index}]"
        expression, path = None, item.get("path")
        if isinstance(path, str) and path:
            try:
                expression = jmespath.compile(path)
            except JMESPathError as error:
                problems.append(
                    f"{where}.path: {path!r} is not a JMESPath expression ({_jmespath(error)})"
                )
        picked = schema(item.get("schema"), f"{where}.schema")
        if isinstance(path, str) and expression is not None and picked is not None:
            values.append(Value(path, expression, picked))
    status = raw.get("status")
    statuses = status if isinstance(status, list) else [status]
    expect = Expect(
        status=tuple(s for s in statuses if isinstance(s, int)),
        headers=headers,
        schema=answer,
        values=tuple(values),
        text=schema(raw.get("text"), "expect.text"),
    )
    return expect, problems


def _check(raw: dict, expect: Expect, defaults: dict[str, Any]) -> Check:
    setting = {key: raw.get(key, defaults[key]) for key in DEFAULTS}
    headers = {**(defaults["headers"] or {}), **(raw.get("headers") or {})}
    return Check(
        name=raw["name"],
        method=raw.get("method", "GET"),
        base=setting["base"],
        path=raw.get("path", ""),
        headers={str(k): str(v) for k, v in headers.items()},
        expect=expect,
        json=raw.get("json"),
        has_json="json" in raw,
        body=raw.get("body"),
        timeout=float(setting["timeout"]),
        retries=int(setting["retries"]),
        retry_delay=float(setting["retryDelay"]),
        credentials=setting["credentials"] != "none",
    )


def _file_problem(error: ValidationError, data: Any) -> tuple[int, str]:
    """(index of the check or -1, one line) for an error of the file against FILE_SCHEMA."""
    path, index, label = list(error.absolute_path), -1, ""
    if len(path) >= 2 and path[0] == "checks" and isinstance(path[1], int):
        index, label, path = path[1], _check_label(data["checks"], path[1]), path[2:]
    where = _dotted(path)
    if error.validator == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        extra = [repr(key) for key in error.instance if key not in known]
        noun = "key" if label or where else "top-level key"
        message = f"unknown {noun}{'s' if len(extra) > 1 else ''} {', '.join(extra)}"
        message += f" (known: {', '.join(known)})"
    elif error.validator == "not":  # the one `not` of FILE_SCHEMA
        message = "give `json` or `body`, not both"
    elif error.validator == "type" and not path and not label:
        message = "the file must be a mapping with a `checks:` list"
    else:
        message = _message(error)
    return index, ": ".join(part for part in (label, where, message) if part)


def _schema_problems(schema: dict[str, Any] | bool, where: str) -> list[str]:
    """Why `schema` is no valid draft 2020-12 JSON Schema, one line each; [] if it is."""
    problems = []
    for error in _META.iter_errors(schema):
        error = _specific(error)
        problems.append(f"{_dotted(error.absolute_path, where)}: {_message(error)}")
    if problems or not isinstance(schema, dict):
        return problems
    resolver = referencing.Registry().resolver_with_root(DRAFT202012.create_resource(schema))
    for at, ref in _refs(schema, []):
        try:
            resolver.lookup(ref)
        except referencing.exceptions.Unresolvable:
            problems.append(
                f"{_dotted([*at, '$ref'], where)}: {ref!r} cannot be resolved "
                "(a $ref can only point inside the schema, e.g. '#/$defs/label')"
            )
    return problems


def _refs(schema: Any, at: list[str | int]) -> Iterator[tuple[list[str | int], str]]:
    """(where, reference) for every `$ref` in a schema, data keywords aside."""
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "$ref" and isinstance(value, str):
                yield at, value
            elif key not in ("const", "enum", "default", "examples"):
                yield from _refs(value, [*at, key])
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            yield from _refs(value, [*at, index])


def _header_case(schema: dict[str, Any]) -> list[str]:
    """Header names of `expect.headers` that could never match: the answer's are lower case."""
    named = list(schema.get("properties") or {}) + list(schema.get("required") or [])
    wrong = dict.fromkeys(n for n in named if isinstance(n, str) and n != n.lower())
    return [
        f"expect.headers: header names are lower case: write {name.lower()!r}, not {name!r}"
        for name in wrong
    ]


def _specific(error: ValidationError) -> ValidationError:
    """The error inside an anyOf/oneOf that says most: `'strin' is not one of [...]` rather
    than `'strin' is not valid under any of the given schemas`."""
    while error.context:
        error = next((e for e in error.context if e.validator != "type"), error.context[0])
    return error


def _jmespath(error: JMESPathError) -> str:
    """One line for what jmespath.compile says on several (expression, caret)."""
    if isinstance(error, LexerError):
        hint = ""
        if error.lexer_value == "-":
            hint = "; a key with '-' is quoted, the whole path in single quotes: '\"x-api-key\"'"
        return f"{error.message} at column {error.lexer_position}{hint}"
    if isinstance(error, IncompleteExpressionError):
        return f"the expression ends too soon, at column {error.lex_position}"
    if isinstance(error, ParseError):
        return f"{error.msg} at column {error.lex_position}"
    return str(error).splitlines()[0]


# --- running -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    status: int | None  # None: no HTTP answer at all (or not sent: skipped)
    ms: float
    reason: str = ""
    attempts: int = 1
    skipped: bool = False

    def line(self) -> str:
        if self.skipped:
            return f"SKIP {self.name}: {self.reason}"
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
        ran = [c for c in self.checks if not c.skipped]
        return bool(ran) and all(c.passed for c in ran)

    @property
    def failures(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.passed and not c.skipped]

    @property
    def skipped(self) -> list[CheckResult]:
        return [c for c in self.checks if c.skipped]

    def summary(self) -> str:
        failed, skipped = len(self.failures), len(self.skipped)
        passed = len(self.checks) - failed - skipped
        text = f"Smoke {self.stack}/{self.env}: {passed} passed, {failed} failed"
        return text + (f", {skipped} skipped." if skipped else ".")


def run_checks(
    checks: list[Check],
    outputs: dict[str, StackOutput],
    *,
    stack: str = "",
    env: str = "",
    caller: credentials.Credentials | None = None,
    out: Out = print,
) -> SmokeResult:
    """Send every check in order, print one line each, return the results. `caller` adds the
    stack's credentials to each check that does not say `credentials: none` (default: none)."""
    result = SmokeResult(stack, env)
    caller = caller or credentials.Credentials()
    for check in checks:
        if check.proves_refusal and caller.access is not None and caller.mode == "none":
            skipped = "the stack takes no credentials (access mode none), so nothing is refused"
            outcome = CheckResult(check.name, False, None, 0.0, skipped, skipped=True)
            result.checks.append(outcome)
            out(outcome.line())
            continue
        attempts = 0
        while True:
            attempts += 1
            outcome = _run_one(check, outputs, caller)
            if outcome.passed or attempts > check.retries:
                break
            time.sleep(check.retry_delay)
        secrets = secret_forms(outputs, caller.secrets())  # a token fetched on the way too
        outcome = CheckResult(
            outcome.name,
            outcome.passed,
            outcome.status,
            outcome.ms,
            _clip(mask(outcome.reason, secrets), MAX_REASON),
            attempts,
        )
        result.checks.append(outcome)
        out(outcome.line())
    return result


def _run_one(
    check: Check, outputs: dict[str, StackOutput], caller: credentials.Credentials
) -> CheckResult:
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
    if check.credentials:
        try:
            headers = caller.headers(check.method, url, headers, data)
        except UserError as error:  # e.g. the token endpoint refused: this check fails
            return failed(f"no credentials: {error}")
    started = time.perf_counter()
    answer = request.send(check.method, url, headers, data, check.timeout)
    ms = (time.perf_counter() - started) * 1000
    if answer.status is None:
        return failed(answer.error, None, ms)
    reason = _verdict(check.expect, answer, secret_forms(outputs, caller.secrets()))
    if reason:
        return failed(reason, answer.status, ms)
    return CheckResult(check.name, True, answer.status, ms)


def _verdict(expect: Expect, answer: request.Answer, secrets: tuple[str, ...] = ()) -> str:
    """Why the answer does not meet `expect` (the first thing that fails), or ""."""
    if answer.status not in expect.status:
        wanted = " or ".join(str(s) for s in expect.status)
        return f"expected status {wanted}, got {answer.status}{_excerpt(answer.body, secrets)}"
    if expect.headers is not None:
        why = expect.headers.failure(answer.headers, "headers", "headers", secrets)
        if why:
            return why
    text = answer.body.decode("utf-8", errors="replace")
    if expect.text is not None:
        why = expect.text.failure(text, "the answer text", "", secrets)
        if why:
            return why
    if not expect.reads_json:
        return ""
    try:
        document = json.loads(text)
    except ValueError:
        return f"the answer is not JSON{_excerpt(answer.body, secrets)}"
    if expect.schema is not None:
        why = expect.schema.failure(document, "the answer", "", secrets)
        if why:
            return why
    for value in expect.values:
        try:
            picked = value.expression.search(document)
        except JMESPathError as error:  # e.g. a function given the wrong type
            return f"{value.path}: {mask(str(error).splitlines()[0], secrets)}"
        why = value.schema.failure(picked, value.path, value.path, secrets)
        if why:
            return why
    return ""


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


def caller_of(stack: str, env: str, outputs: dict[str, StackOutput]) -> credentials.Credentials:
    """The credentials the checks are sent with: those of the stack's access mode (its first
    enabled client), or none for a stack that exports no `access` (its checks say what to
    send, e.g. `x-api-key: "{apiKey}"`)."""
    access = credentials.read_access(stack, outputs)
    if access is None:
        return credentials.Credentials()
    return credentials.for_access(access, env, outputs)


def run(stack: str, env: str, *, out: Out = print) -> SmokeResult:
    """Load `stack`'s checks and run them against its deployment in `env`."""
    checks = load(stack)
    outputs = credentials.stack_outputs(stack, env)
    caller = caller_of(stack, env, outputs)
    out(f"Smoke checks of {stack} in {env} ({len(checks)}):")
    result = run_checks(checks, outputs, stack=stack, env=env, caller=caller, out=out)
    out(result.summary())
    if env == catalog.LOCAL and any(c.status is None and not c.skipped for c in result.checks):
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


def _dotted(path: Any, base: str = "") -> str:
    """`base` followed by a path into an instance, as in `predictions[0].label`."""
    text = base
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _PLAIN_KEY.match(str(part)):
            text += f"{'.' if text else ''}{part}"
        else:
            text += f"[{json.dumps(str(part))}]"
    return text


def _message(error: ValidationError, secrets: tuple[str, ...] = ()) -> str:
    """jsonschema's message, secrets masked, the value it quotes shortened, and what it leaves
    out said: the value a `const` got, the size a length limit found."""
    text = mask(error.message, secrets)
    shown = mask(repr(error.instance), secrets)
    short = shown if len(shown) <= _SHOWN else shown[: _SHOWN - 3] + "..."
    if text.startswith(shown):
        text = short + text[len(shown) :]
    elif text.endswith(shown):
        text = text[: -len(shown)] + short
    if error.validator == "const":
        text += f", got {short}"
    elif error.validator in _LIMITS and isinstance(error.instance, str | list | dict):
        limit = f"{_LIMITS[str(error.validator)]} {error.validator_value}"
        text += f" (has {len(error.instance)}, {limit})"
    return text


def _excerpt(body: bytes, secrets: tuple[str, ...] = (), limit: int = 160) -> str:
    text = mask(" ".join(body.decode("utf-8", errors="replace").split()), secrets)
    if not text:
        return ""
    return f" ({_clip(text, limit)})"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_label(checks: list, index: int) -> str:
    raw = checks[index] if index < len(checks) else None
    name = raw.get("name") if isinstance(raw, dict) else None
    return f"check {name!r}" if isinstance(name, str) and name else f"checks[{index}]"


def _label(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(catalog.REPO_ROOT))
    except ValueError:
        return str(path)
