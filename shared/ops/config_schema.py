"""Each project's `Pulumi.yaml` `config:` block, generated from its settings dataclass.

A stack's settings live in `stacks/<name>/settings.py` as the dataclass `Settings`; this
module writes them into the project file (type, default, description, secret per key), so the
Pulumi CLI knows every key, and checks that the file still says what the dataclass says.
`invoke config-schema` writes, `invoke config-schema --check` (and a test) compares.
A project without a settings.py declares nothing and is left alone.
"""

from __future__ import annotations

import importlib.util
import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from shared import catalog
from shared.components.config import project_config
from shared.errors import UserError

SETTINGS_FILE = "settings.py"
SETTINGS_CLASS = "Settings"


def settings_class(program_dir: Path) -> type | None:
    """The project's `Settings` dataclass, imported from its folder, or None without one."""
    path = program_dir / SETTINGS_FILE
    if not path.is_file():
        return None
    with _on_path(program_dir):
        spec = importlib.util.spec_from_file_location(f"_aigw_settings_{program_dir.name}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    schema = getattr(module, SETTINGS_CLASS, None)
    if not isinstance(schema, type):
        raise UserError(f"{path} defines no class {SETTINGS_CLASS}.", exit_code=2)
    return schema


def expected_block(program_dir: Path) -> dict[str, Any] | None:
    schema = settings_class(program_dir)
    return None if schema is None else project_config(schema)


def write(stack: str) -> bool:
    """Rewrite the project's `config:` block from its settings; True when the file changed."""
    program_dir = catalog.stack_dir(stack)
    block = expected_block(program_dir)
    if block is None:
        return False
    path = program_dir / "Pulumi.yaml"
    yaml = _round_trip()
    document = yaml.load(path.read_text())
    document["config"] = block
    text = io.StringIO()
    yaml.dump(document, text)
    if text.getvalue() == path.read_text():
        return False
    path.write_text(text.getvalue())
    return True


def out_of_date(stack: str) -> list[str]:
    """The keys whose declaration in Pulumi.yaml differs from the settings dataclass."""
    program_dir = catalog.stack_dir(stack)
    block = expected_block(program_dir)
    if block is None:
        return []
    written = YAML(typ="safe", pure=True).load((program_dir / "Pulumi.yaml").read_text())
    have = (written or {}).get("config") or {}
    keys = set(block) | set(have)
    return sorted(k for k in keys if have.get(k) != block.get(k))


def _round_trip() -> YAML:
    yaml = YAML()  # round-trip: the rest of the file, comments included, stays as written
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # one line per value: descriptions are never folded
    return yaml


@contextmanager
def _on_path(program_dir: Path) -> Iterator[None]:
    """Import as the program would: its folder first on sys.path (settings may import its own
    modules), without leaving those modules behind for another project."""
    before = set(sys.modules)
    sys.path.insert(0, str(program_dir))
    try:
        yield
    finally:
        sys.path.remove(str(program_dir))
        for name in set(sys.modules) - before:
            module_file = getattr(sys.modules[name], "__file__", None) or ""
            if module_file.startswith(str(program_dir)):
                del sys.modules[name]
