"""Typed stack configuration, declared once per stack and validated before any resource exists.

A stack declares its settings in `stacks/<name>/settings.py` as a frozen dataclass named
`Settings`, whose fields are made with `setting(...)` (and, for rules across settings, a
`problems()` method yielding "<key>: <what is wrong>"):

    @dataclass(frozen=True)
    class Settings:
        model_endpoint: str = setting(kind=URL, description="Model URL", secret=True)
        rate_limit: float = setting(10.0, minimum=0.1, maximum=10_000)

The same declaration is written into the project's `Pulumi.yaml` `config:` block
(`invoke config-schema`, `project_config`), so the Pulumi CLI knows every key, its type,
default and description. The program reads values through the public `pulumi.Config` API;
they arrive as strings whatever the YAML said, so every value is parsed here. All problems are
collected and raised together, so a user fixes a config file in one pass.

Secrets: a setting declared `secret=True` always reaches the program as a secret Output; one
declared `may_be_secret=True` does when the stack sets it as a secret (`pulumi config set
--secret`). Either way whatever uses it (a Lambda environment variable) is a secret too, so such
a setting must only be used as a Pulumi Input. Any other setting set as a secret is refused by
name: the program uses its plain value (a number, a stage name), which would leak the secret or
break. A secret's value never appears in an error message.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlparse

import pulumi

URL = "url"
JSON = "json"
# The retention periods CloudWatch Logs accepts.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653)
_NO_DEFAULT = dataclasses.MISSING

T = TypeVar("T")


@dataclass(frozen=True)
class Rule:
    """How one setting is parsed and which values it accepts."""

    kind: Any  # str, int, float, bool, URL or JSON
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Any, ...] | None = None
    description: str = ""
    secret: bool = False  # always a secret Output
    may_be_secret: bool = False  # a secret Output when set as a secret
    schema: dict[str, Any] | None = None  # JSON kind: the JSON Schema the value must follow
    # JSON kind: the keys of the mapping that are the secret, the others staying plain for the
    # program to read (a model's `type` decides what is deployed; its `url` may hold a key).
    secret_fields: tuple[str, ...] = ()


class ConfigError(ValueError):
    """Every invalid or unknown key of one stack's configuration, one per line."""

    def __init__(self, project: str, problems: list[str]) -> None:
        self.project = project
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"Invalid configuration for stack {project!r}:\n{lines}")


def setting(
    default: Any = _NO_DEFAULT,
    *,
    kind: Any = None,
    minimum: float | None = None,
    maximum: float | None = None,
    choices: tuple[Any, ...] | None = None,
    description: str = "",
    secret: bool = False,
    may_be_secret: bool = False,
    schema: dict[str, Any] | None = None,
    secret_fields: tuple[str, ...] = (),
) -> Any:
    """A dataclass field carrying its validation rule. `kind` defaults to the default's type;
    a `schema` (JSON Schema) makes it a JSON setting checked against that schema."""
    if kind is None and schema is not None:
        kind = JSON
    if kind is None:
        if default is _NO_DEFAULT:
            raise TypeError("a setting without a default needs an explicit kind")
        kind = type(default)
    rule = Rule(
        kind, minimum, maximum, choices, description, secret, may_be_secret, schema, secret_fields
    )
    if isinstance(default, (list, dict)):
        frozen = json.loads(json.dumps(default))
        return dataclasses.field(
            default_factory=lambda: json.loads(json.dumps(frozen)), metadata={"rule": rule}
        )
    return dataclasses.field(default=default, metadata={"rule": rule})


def config_key(field_name: str) -> str:
    """Python's snake_case field name as Pulumi's camelCase config key."""
    head, *rest = field_name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def describe(schema: type) -> list[tuple[str, Rule, Any]]:
    """(key, rule, default) for each declared setting, for docs and error messages."""
    rows = []
    for f in dataclasses.fields(schema):
        default = f.default if f.default_factory is _NO_DEFAULT else f.default_factory()
        rows.append((config_key(f.name), f.metadata["rule"], default))
    return rows


def parse(
    schema: type[T], project: str, raw: dict[str, Any], secret_keys: frozenset[str] = frozenset()
) -> T:
    """Build `schema` from raw values keyed by camelCase name; `secret_keys` (camelCase) are
    values set as secrets, never shown in a message.

    Raises ConfigError listing every problem at once.
    """
    fields = {config_key(f.name): f for f in dataclasses.fields(schema)}  # type: ignore[arg-type]
    problems: list[str] = []
    for key in sorted(set(raw) - set(fields)):
        problems.append(f"{project}:{key}: unknown key. Known keys: {', '.join(sorted(fields))}.")
    values: dict[str, Any] = {}
    for key, f in fields.items():
        full_key = f"{project}:{key}"
        if key not in raw or raw[key] is None:
            if f.default is _NO_DEFAULT and f.default_factory is _NO_DEFAULT:
                problems.append(f"{full_key}: required but not set.")
            continue
        rule: Rule = f.metadata["rule"]
        if key in secret_keys and not (rule.secret or rule.may_be_secret):
            problems.append(
                f"{full_key}: is set as a secret, but this setting is not one the stack keeps "
                "secret (it uses the plain value); set it without --secret."
            )
            continue
        try:
            values[f.name] = _check(rule, raw[key])
        except ValueError as exc:
            message = str(exc)
            if key in secret_keys or rule.secret:
                text = str(raw[key])
                message = message.replace(repr(text), "<secret>").replace(text, "<secret>")
            problems.append(f"{full_key}: {message}")
    if problems:
        raise ConfigError(project, problems)
    settings = schema(**values)
    # Rules across settings ("live must be one of the versions") live on the schema itself.
    check = getattr(settings, "problems", None)
    if check is not None and (found := list(check())):
        raise ConfigError(project, [f"{project}:{p}" for p in found])
    return settings


def load(schema: type[T], project: str | None = None) -> T:
    """Read and validate a stack's settings from the running program's config (`pulumi.Config`).

    Only declared keys are read; keys a stack file sets but nobody declared are refused before
    the program runs, against the `Pulumi.yaml` declaration (`shared.ops.stack_files`)."""
    project = project or pulumi.get_project()
    values = pulumi.Config(project)
    raw, set_as_secret = {}, set()
    for key, _, _ in describe(schema):
        value = values.get(key)
        if value is not None:
            raw[key] = value
            if pulumi.runtime.is_config_secret(f"{project}:{key}"):
                set_as_secret.add(key)
    settings = parse(schema, project, raw, frozenset(set_as_secret))
    return _with_secrets(settings, frozenset(set_as_secret))


def _with_secrets(settings: T, set_as_secret: frozenset[str]) -> T:
    """Wrap each secret setting in a secret Output, once every check saw its plain value."""
    secret: dict[str, Any] = {}
    for f in dataclasses.fields(settings):  # type: ignore[arg-type]
        rule: Rule = f.metadata["rule"]
        if rule.secret or (rule.may_be_secret and config_key(f.name) in set_as_secret):
            value = getattr(settings, f.name)
            if rule.secret_fields and isinstance(value, dict):
                secret[f.name] = {
                    k: pulumi.Output.secret(v) if k in rule.secret_fields else v
                    for k, v in value.items()
                }
            else:
                secret[f.name] = pulumi.Output.secret(value)
    return dataclasses.replace(settings, **secret) if secret else settings  # type: ignore[type-var]


# How each kind is declared to the Pulumi CLI. The CLI's project config types are string,
# integer, boolean and array; numbers and mappings are declared without a type (the CLI then
# passes them through unchecked, and `parse` checks them).
_PULUMI_TYPES: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    URL: {"type": "string"},
    int: {"type": "integer"},
    bool: {"type": "boolean"},
}


def project_config(schema: type) -> dict[str, dict[str, Any]]:
    """The `config:` block of a project's Pulumi.yaml for `schema`: type, default, description
    and secrecy of every key, in declaration order."""
    block: dict[str, dict[str, Any]] = {}
    for key, rule, default in describe(schema):
        entry: dict[str, Any] = dict(_PULUMI_TYPES.get(rule.kind, {}))
        if rule.kind == JSON and isinstance(default, list):
            entry = {"type": "array", "items": {"type": "string"}}
        entry["description"] = _describe_rule(rule)
        if default is not _NO_DEFAULT:
            entry["default"] = default
        if rule.secret:
            entry["secret"] = True
        block[key] = entry
    return block


def _describe_rule(rule: Rule) -> str:
    words = [rule.description.rstrip(".")] if rule.description else []
    if rule.kind == URL:
        words.append("an http(s) URL")
    elif rule.kind is float:
        words.append("a number")
    elif rule.kind == JSON:
        words.append("a YAML list or mapping")
    if rule.choices is not None:
        words.append("one of " + ", ".join(map(str, rule.choices)))
    if rule.may_be_secret:
        words.append("may be set as a secret")
    if rule.minimum is not None and rule.maximum is not None:
        words.append(f"{_number(rule.minimum)} to {_number(rule.maximum)}")
    return "; ".join(words) + "."


def problem_with_url(value: Any) -> str | None:
    """Why `value` is not an http(s) URL, or None when it is one."""
    url = urlparse(value) if isinstance(value, str) else None
    if url is None or url.scheme not in ("http", "https") or not url.netloc:
        return f"expected an http(s) URL, got {value!r}."
    return None


def schema_problem(schema: dict[str, Any], value: Any) -> str | None:
    """The first way `value` breaks `schema` (JSON Schema), in one sentence, or None."""
    import jsonschema  # only settings with a schema pay for the import

    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(schema).iter_errors(value)
    )
    if error is None:
        return None
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return f"{where.lstrip('.') + ': ' if where else ''}{error.message}."


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


_BOOLS = {"true": True, "false": False}
_INT = re.compile(r"^[+-]?\d+$")


def _check(rule: Rule, value: Any) -> Any:
    parsed = _parse(rule.kind, value)
    if rule.schema is not None and (problem := schema_problem(rule.schema, parsed)):
        raise ValueError(problem)
    if rule.choices is not None and parsed not in rule.choices:
        raise ValueError(f"{parsed!r} is not one of {', '.join(map(str, rule.choices))}.")
    if rule.minimum is not None and parsed < rule.minimum:
        raise ValueError(f"{parsed} is below the minimum {rule.minimum}.")
    if rule.maximum is not None and parsed > rule.maximum:
        raise ValueError(f"{parsed} is above the maximum {rule.maximum}.")
    return parsed


def _parse(kind: Any, value: Any) -> Any:
    # Pulumi hands the program every value as a string; YAML-typed values appear in tests.
    text = value if isinstance(value, str) else json.dumps(value)
    if kind is bool:
        if text.lower() not in _BOOLS:
            raise ValueError(f"expected true or false, got {text!r}.")
        return _BOOLS[text.lower()]
    if kind is int:
        if not _INT.match(text.strip()):
            raise ValueError(f"expected a whole number, got {text!r}.")
        return int(text)
    if kind is float:
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"expected a number, got {text!r}.") from None
        if not math.isfinite(number):  # nan passes every minimum and maximum check
            raise ValueError(f"expected a finite number, got {text!r}.")
        return number
    if kind == URL:
        if problem := problem_with_url(text):
            raise ValueError(problem)
        return text
    if kind == JSON:
        try:
            parsed = json.loads(text) if isinstance(value, str) else value
        except json.JSONDecodeError:
            parsed = None
        if not isinstance(parsed, (list, dict)):  # "5", "true" and "null" are JSON too
            raise ValueError(f"expected a YAML list or mapping, got {text!r}.")
        return parsed
    if kind is str:
        if not isinstance(value, str):
            raise ValueError(f"expected text, got {value!r}.")
        return value
    raise TypeError(f"unsupported setting kind {kind!r}")
