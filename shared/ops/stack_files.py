"""Reading a project's Pulumi.yaml and Pulumi.<env>.yaml the way the Pulumi CLI merges them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from shared.errors import UserError


def project_name(program_dir: Path) -> str:
    return _read(program_dir / "Pulumi.yaml")["name"]


def stack_config(program_dir: Path, env: str) -> dict[str, str]:
    """Config for one environment as the program receives it: `ns:key` -> string value.

    Project-level values (Pulumi.yaml `config:`, plain or `{default: ...}`) come first and the
    environment's file overrides them. Values are strings, as the CLI passes them.
    """
    project = _read(program_dir / "Pulumi.yaml")
    stack_file = program_dir / f"Pulumi.{env}.yaml"
    if not stack_file.exists():
        raise UserError(f"{stack_file} is missing: every environment needs its stack config.")
    merged: dict[str, Any] = {}
    for key, value in (project.get("config") or {}).items():
        if isinstance(value, dict) and "default" in value:
            value = value["default"]
        elif isinstance(value, dict) and "value" in value:
            value = value["value"]
        elif isinstance(value, dict):
            continue  # a schema entry without a value
        merged[_qualify(key, project["name"])] = value
    for key, value in (_read(stack_file).get("config") or {}).items():
        merged[_qualify(key, project["name"])] = value
    return {key: as_config_string(value) for key, value in merged.items()}


def as_config_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def _qualify(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _read(path: Path) -> dict[str, Any]:
    try:
        return yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise UserError(f"{path} is not valid YAML: {error}") from None
