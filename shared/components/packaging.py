"""A function's code as a deterministic zip: its `functions/` folder plus the handler runtime.

`package` zips a function's folder together with the handler runtime (`shared/runtime/`,
shipped as the `aigw_runtime` package). The zip is byte-for-byte the same for the same sources
(sorted entries, fixed timestamps and permissions, no compression-library variance), so a
redeploy without source changes shows no diff.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import pulumi

from shared import catalog

RUNTIME_PACKAGE = "aigw_runtime"  # the import name of shared/runtime/ inside every zip
RUNTIME_DIR = Path(__file__).resolve().parent.parent / "runtime"

# The earliest time a zip can record; any fixed value makes the bytes reproducible.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = 0o100644  # regular file, rw-r--r--
_SKIPPED_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
_SKIPPED_SUFFIXES = (".pyc", ".pyo")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def zip_entries(source_dir: Path) -> list[tuple[str, Path]]:
    """(name in the zip, file) for the function's files at the root plus the runtime package,
    sorted by name."""
    source_dir = Path(source_dir)
    if not source_dir.is_dir():
        raise FileNotFoundError(f"Lambda source folder {source_dir} does not exist")
    entries = dict(_files(source_dir, ""))
    for name in entries:
        if name.split("/")[0] == RUNTIME_PACKAGE:
            raise ValueError(
                f"{source_dir} has its own {RUNTIME_PACKAGE}/; that name is reserved for the "
                "handler runtime"
            )
    entries.update(_files(RUNTIME_DIR, RUNTIME_PACKAGE + "/"))
    return sorted(entries.items())


def build_zip(source_dir: Path) -> bytes:
    """The deployment zip's bytes: the same sources always give the same bytes."""
    buffer = io.BytesIO()
    # Stored, not deflated: zlib builds (zlib, zlib-ng) compress the same input to different
    # bytes, which would make CI and laptops disagree. The code is a few kilobytes anyway.
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, path in zip_entries(source_dir):
            info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
            info.create_system = 3  # Unix, so the permission bits below are honoured
            info.external_attr = _FILE_MODE << 16
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def write_zip(source_dir: Path, destination: Path) -> Path:
    """Build the zip into `destination`, leaving the file untouched when its bytes are equal."""
    data = build_zip(source_dir)
    destination = Path(destination)
    if destination.is_file() and destination.read_bytes() == data:
        return destination
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.{os.getpid()}.tmp")
    partial.write_bytes(data)
    os.replace(partial, destination)  # readers never see half a zip
    return destination


def zip_path(name: str) -> Path:
    """`<state>/build/<project>-<stack>/<name>.zip` for the running program."""
    if not _NAME.match(name):
        raise ValueError(f"invalid package name {name!r}: letters, digits, '.', '_', '-' only")
    stack_dir = f"{pulumi.get_project()}-{pulumi.get_stack()}"
    return catalog.state_dir() / "build" / stack_dir / f"{name}.zip"


def package(source_dir: Path, name: str) -> pulumi.FileArchive:
    """The function's code as an archive: `source_dir`'s files at the root, the handler runtime
    as `aigw_runtime/`. Written under the state folder, rewritten only when it changed."""
    return pulumi.FileArchive(str(write_zip(source_dir, zip_path(name))))


def _files(root: Path, prefix: str) -> list[tuple[str, Path]]:
    found = []
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith("."))
        for file_name in files:
            if file_name.endswith(_SKIPPED_SUFFIXES) or file_name.startswith("."):
                continue
            path = Path(directory) / file_name
            found.append((prefix + path.relative_to(root).as_posix(), path))
    return found
