"""Run records' writes, through the one file writer (:mod:`remediator.common.files`).

A run record is read by people and by later commands (``apply --dry-run-id``,
``rollback``) possibly while a run is killed; a rename is atomic, a write is not.
"""

from __future__ import annotations

import json
from pathlib import Path

from remediator.common.files import replace_file


def write_atomic(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` as ``path`` (its directory created); ``mode`` as in ``replace_file``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_file(path, data, mode=mode)


def write_json(path: Path, document: object) -> None:
    """``document`` as indented, key-sorted JSON (UTF-8), written atomically."""
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    write_atomic(path, (text + "\n").encode("utf-8"))
