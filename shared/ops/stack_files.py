"""Reading Pulumi.yaml and Pulumi.<env>.yaml the way the Pulumi CLI reads and merges them.

- YAML 1.2, as the CLI parses it (ruamel.yaml): `yes`, `no`, `on`, `off` are strings, not
  booleans; a key written twice in one mapping is an error naming it, not the last one winning.
- Project values (Pulumi.yaml `config:`: a plain value, `{value: ...}` or a declaration's
  `{default: ...}`; a bare key is the project's) come first and the environment's file
  overrides them (its keys always `<namespace>:<name>`); every value reaches the program as a
  string, as the CLI passes it.
- Every key is checked before anything runs: a key of the project that its Pulumi.yaml does
  not declare (when it declares any), a key of another project, a namespace typo
  (`prxy:planRateLimit`) or an unknown provider key (`aws:regoin`) is an error naming the key
  and the valid choices. All problems of one file are reported together.
"""

from __future__ import annotations

import copy
import difflib
import json
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from shared import catalog
from shared.errors import UserError

# Namespaces of the providers the stacks use, with the keys this project lets a stack set.
PROVIDER_KEYS = {
    "aws": {
        "region",
        "profile",
        "allowedAccountIds",
        "forbiddenAccountIds",
        "assumeRole",
        "defaultTags",
        "ignoreTags",
        "endpoints",
        "s3UsePathStyle",
        "skipCredentialsValidation",
        "skipMetadataApiCheck",
        "skipRegionValidation",
        "skipRequestingAccountId",
        "sharedConfigFiles",
        "sharedCredentialsFiles",
        "maxRetries",
        "accessKey",
        "secretKey",
        "token",
    },
}
# The provider keys whose value is one plain value (text, a flag or a number): a mapping or a
# list there would reach the provider as its JSON text, e.g. a region of '{"name": ...}'.
PROVIDER_SCALAR_KEYS = {
    "aws": {
        "region",
        "profile",
        "accessKey",
        "secretKey",
        "token",
        "maxRetries",
        "s3UsePathStyle",
        "skipCredentialsValidation",
        "skipMetadataApiCheck",
        "skipRegionValidation",
        "skipRequestingAccountId",
    },
}
# Top-level keys a stack file may hold besides `config:` (written by the CLI).
STACK_FILE_KEYS = {"config", "encryptionsalt", "secretsprovider", "encryptedkey", "environment"}


def project_name(program_dir: Path) -> str:
    return str(_project(program_dir)["name"])


def declared_keys(program_dir: Path) -> dict[str, Any]:
    """The project's own keys declared in Pulumi.yaml `config:` (bare names) -> declaration."""
    project = _project(program_dir)
    name = project["name"]
    declared = {}
    for key, value in (project.get("config") or {}).items():
        namespace, _, bare = _split(key, name)
        if namespace == name:
            declared[bare] = value
    return declared


def stack_config(program_dir: Path, env: str) -> dict[str, str]:
    """Config for one environment as the program receives it: `ns:key` -> string value.

    Raises a UserError (exit 2) listing every unknown or misplaced key, before anything runs.
    Encrypted values (`secure:`) can only be read by the Pulumi CLI: they are left out here,
    and refused for `local`, which no CLI applies.
    """
    project = _project(program_dir)
    name = project["name"]
    stack_file = program_dir / f"Pulumi.{env}.yaml"
    if not stack_file.exists():
        raise UserError(f"{stack_file} is missing: every environment needs its stack config.")
    stack = _read(stack_file)
    problems = [
        f"{stack_file.name}: unknown top-level key {key!r}; valid: "
        f"{', '.join(sorted(STACK_FILE_KEYS))}."
        for key in stack
        if key not in STACK_FILE_KEYS
    ]
    entries = stack.get("config") or {}
    if not isinstance(entries, dict):
        problems.append(
            f"{stack_file.name}: `config:` must be a mapping of keys to values, "
            f"not {_shape(entries)}."
        )
        entries = {}
    declared = declared_keys(program_dir)
    merged: dict[str, Any] = {}
    for key, value in (project.get("config") or {}).items():
        if isinstance(value, dict) and "default" in value:
            value = value["default"]
        elif isinstance(value, dict) and "value" in value:
            value = value["value"]
        elif isinstance(value, dict):
            continue  # a declaration without a value
        merged[_qualified(key, name)] = value
    for key, value in entries.items():
        if problem := _key_problem(str(key), name, declared) or _shape_problem(str(key), value):
            problems.append(f"{stack_file.name}: {problem}")
            continue
        if isinstance(value, dict) and set(value) == {"secure"}:
            if env == catalog.LOCAL:
                problems.append(
                    f"{stack_file.name}: {key}: encrypted values need the Pulumi CLI; "
                    "the local environment reads plain values only."
                )
            merged.pop(_qualified(str(key), name), None)
            continue
        merged[_qualified(str(key), name)] = value
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise UserError(
            f"Invalid configuration for stack {name!r}:\n{lines}\nNothing was changed.",
            exit_code=2,
        )
    return {key: as_config_string(value) for key, value in merged.items()}


def has_encrypted_values(program_dir: Path, env: str) -> bool:
    stack_file = program_dir / f"Pulumi.{env}.yaml"
    entries = (_read(stack_file).get("config") or {}) if stack_file.exists() else {}
    if not isinstance(entries, dict):
        return False  # not a mapping: stack_config reports it
    return any(isinstance(v, dict) and set(v) == {"secure"} for v in entries.values())


def _key_problem(key: str, project: str, declared: dict[str, Any]) -> str | None:
    if key.count(":") != 1:
        # The CLI parses stack-file keys as exactly `<namespace>:<name>` (only Pulumi.yaml may
        # leave the project's namespace out); a bare key there would also hide a duplicate.
        hint = f" Write {project}:{key}." if ":" not in key else ""
        return f"{key}: keys here are written <namespace>:<name>.{hint}"
    namespace, _, bare = _split(key, project)
    if namespace == project:
        # A project that declares no settings reads whatever it likes (as the CLI allows).
        if bare in declared or not declared:
            return None
        known = ", ".join(sorted(declared)) or "(none declared)"
        return f"{key}: unknown key. Known keys: {known}."
    if namespace in PROVIDER_KEYS:
        if bare in PROVIDER_KEYS[namespace]:
            return None
        close = difflib.get_close_matches(bare, PROVIDER_KEYS[namespace], n=1)
        hint = f" Did you mean {namespace}:{close[0]}?" if close else ""
        return f"{key}: not a setting of the {namespace} provider this project uses.{hint}"
    valid = [project, *sorted(PROVIDER_KEYS)]
    if namespace in catalog.stack_names():
        return f"{key}: belongs to project {namespace!r}, not {project!r}."
    close = difflib.get_close_matches(namespace, valid, n=1)
    hint = f" Did you mean {close[0]}:{bare}?" if close else ""
    return f"{key}: unknown namespace {namespace!r}; valid: {', '.join(valid)}.{hint}"


def _shape_problem(key: str, value: Any) -> str | None:
    """A mapping or list given to a provider key that takes one plain value."""
    namespace, _, bare = key.partition(":")
    if bare in PROVIDER_SCALAR_KEYS.get(namespace, ()) and isinstance(value, (dict, list)):
        if isinstance(value, dict) and set(value) == {"secure"}:
            return None  # an encrypted value: checked with the other encrypted ones
        shape = "a mapping" if isinstance(value, dict) else "a list"
        return f"{key}: expected one plain value (e.g. {key}: us-east-1), not {shape}."
    return None


def _split(key: str, project: str) -> tuple[str, str, str]:
    """(namespace, `ns:key`, bare key): a key without a namespace is the project's."""
    namespace, _, bare = key.partition(":") if ":" in key else (project, ":", key)
    return namespace, f"{namespace}:{bare}", bare


def _qualified(key: str, project: str) -> str:
    return _split(key, project)[1]


def as_config_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def _project(program_dir: Path) -> dict[str, Any]:
    path = program_dir / "Pulumi.yaml"
    project = _read(path)
    if not isinstance(project.get("name"), str):
        raise UserError(f"{path} has no project `name:`. Nothing was changed.", exit_code=2)
    config = project.get("config")
    if config is not None and not isinstance(config, dict):
        raise UserError(
            f"{path}: `config:` must be a mapping of setting names to declarations or values, "
            f"not {_shape(config)}. Nothing was changed.",
            exit_code=2,
        )
    # Keys as the CLI reads them, text: `1: x` is the setting named "1".
    project["config"] = {str(key): value for key, value in (config or {}).items()}
    return project


def _shape(value: Any) -> str:
    """How a YAML value reads in a message: 'a list', 'a mapping', 'the text 'abc''."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {value!r}"
    return f"the value {value!r}"


def yaml_problem(path: Path | str, error: Exception) -> str:
    """One sentence for a YAML parser's error (ruamel.yaml's or PyYAML's): the file, the line
    and what is wrong, instead of the parser's several lines."""
    what = getattr(error, "problem", None) or str(error).strip().splitlines()[0]
    mark = getattr(error, "problem_mark", None)
    where = f" at line {mark.line + 1}" if mark is not None else ""
    # Where the parser was in, e.g. an unclosed `[` lines before the end it stopped at.
    context, context_mark = getattr(error, "context", None), getattr(error, "context_mark", None)
    if context and context_mark is not None:
        what += f" ({context} at line {context_mark.line + 1})"
    return f"{path} is not valid YAML{where}: {what}. Nothing was changed."


def _read(path: Path) -> dict[str, Any]:
    """A YAML 1.2 mapping as plain Python values; duplicate keys and other shapes are errors.
    A copy: callers may change what they are given."""
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"{path} cannot be read ({error}). Nothing was changed.", 2) from None
    if (path, text) not in _PARSED:
        _PARSED[path, text] = _parse(path, text)
    return copy.deepcopy(_PARSED[path, text])


# Parsed files by path and text: the pure-Python YAML 1.2 parser takes 2-10 ms a file, and one
# command reads each stack's files several times (the settings check, the placeholders, the
# project name, the stack references); reading the text again is what sees an edit.
_PARSED: dict[tuple[Path, str], dict[str, Any]] = {}


def _parse(path: Path, text: str) -> dict[str, Any]:
    try:
        data = YAML(typ="safe", pure=True).load(text)
    except YAMLError as error:
        # A MarkedYAMLError says what (`problem`, e.g. 'found duplicate key "x"') and where.
        raise UserError(yaml_problem(path, error), exit_code=2) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UserError(
            f"{path} must be a YAML mapping (keys such as `config:`), not "
            f"{_shape(data)}. Nothing was changed.",
            exit_code=2,
        )
    return data
