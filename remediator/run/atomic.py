"""Writes that never leave a half-written file: temp file beside the target, then rename.

A run record is read by people and by later commands (``apply --dry-run-id``,
``rollback``) possibly while a run is killed; a rename is atomic, a write is not.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to a temp file beside ``path`` and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as sink:
            sink.write(data)
        Path(temp).chmod(mode)
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_json(path: Path, document: object) -> None:
    """``document`` as indented, key-sorted JSON (UTF-8), written atomically."""
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    write_atomic(path, (text + "\n").encode("utf-8"))
