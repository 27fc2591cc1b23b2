"""Turning resource inputs into plain JSON for diffing and for the state file."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pulumi

from shared.local.engine.sdk import Unknown


def is_unknown(value: Any) -> bool:
    """True when a preview could not know the value yet (it depends on something not applied)."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(is_unknown(v) for v in value)
    return False


def plain(value: Any) -> Any:
    """JSON-compatible form of an input; assets and archives become content fingerprints, so a
    changed file changes the input and an unchanged one does not."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, pulumi.FileArchive | pulumi.FileAsset):
        return {"file": str(value.path), "sha256": _file_digest(Path(value.path))}
    if isinstance(value, pulumi.StringAsset):
        return {"sha256": hashlib.sha256(value.text.encode()).hexdigest()}
    if isinstance(value, pulumi.AssetArchive):
        return {"archive": {k: plain(v) for k, v in value.assets.items()}}
    return value


def _file_digest(path: Path) -> str:
    if path.is_dir():
        digest = hashlib.sha256()
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(str(child.relative_to(path)).encode())
            digest.update(child.read_bytes())
        return digest.hexdigest()
    return hashlib.sha256(path.read_bytes()).hexdigest()
