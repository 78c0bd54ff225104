"""``remediator-manifest.json``: what was generated, from what, and the hash of every file.

The manifest ties the project to the reviewed plan (its sha256), records the window and
the time it was generated for (both passed in, never read from the clock here), and
lists each file's sha256, so ``remediator apply`` can tell an edited project from the
generated one and the writer can tell a generated directory from someone else's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from remediator.errors import InputError
from remediator.generate.safety import check_relative

NAME: Final = "remediator-manifest.json"
SCHEMA: Final = "remediator/project/v1"


def sha256(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def manifest_bytes(info: Mapping[str, Any], files: Mapping[str, bytes]) -> bytes:
    """The manifest of ``files`` (sorted keys, ASCII, one trailing newline)."""
    document = {
        "schema": SCHEMA,
        **info,
        "files": {path: sha256(files[path]) for path in sorted(files)},
    }
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=True) + "\n").encode()


def read_manifest(directory: Path) -> dict[str, Any] | None:
    """The manifest of a generated project directory, or None when there is none."""
    path = directory / NAME
    if not path.is_file():
        return None
    try:
        document = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: unreadable manifest: {exc}") from None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise InputError(f"{path}: not a {SCHEMA} manifest")
    files = document.get("files")
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in files.items()
    ):
        raise InputError(f"{path}: the manifest's files are not a name-to-sha256 map")
    for relative in files:
        check_relative(relative)
    return document


def edited_files(directory: Path, manifest: Mapping[str, Any]) -> list[str]:
    """Files of a generated project that differ from what the manifest recorded."""
    return [relative for relative, _how in changed_files(directory, manifest)]


def changed_files(directory: Path, manifest: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Each generated file that is no longer as recorded, with how: edited or deleted."""
    changed = []
    for relative, digest in sorted(manifest["files"].items()):
        path = directory / relative
        if path.is_symlink() or not path.exists():
            changed.append((relative, "deleted" if not path.is_symlink() else "replaced"))
        elif not path.is_file() or sha256(path.read_bytes()) != digest:
            changed.append((relative, "edited"))
    return changed
