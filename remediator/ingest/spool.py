"""Scans from standard input (``-``) or a pipe, made files the readers can open again.

Every reader takes a path, and a scan is opened more than once: its head to detect the
format, then again to parse it (and ``ingest`` checks every file before it writes). A pipe
can be read once, so the first time a scan that is standard input or a FIFO is wanted it
is copied, a block at a time, to a private temporary file (on disk, never held in memory),
and every later open of the same name reads that copy. The CLI drops the copies when the
command ends (:func:`spool_scope`); a library caller's are removed when the process exits.
"""

from __future__ import annotations

import logging
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Final

from remediator.errors import ScanParseError

STDIN: Final = "-"
"""The name that means standard input, as for every Unix tool."""
STDIN_DISPLAY: Final = "<stdin>"
LOG: Final = logging.getLogger(__name__)

_spools: dict[str, Path] = {}
_directory: list[tempfile.TemporaryDirectory[str]] = []


def display_name(path: Path) -> str:
    """How a scan is named in output and errors: its path, or ``<stdin>`` for ``-``."""
    return STDIN_DISPLAY if str(path) == STDIN else str(path)


def readable(path: Path) -> Path:
    """The file to open for scan ``path``: itself, or the copy of standard input or a pipe.

    Opening a FIFO waits for a writer, as ``cat`` does. Anything else (a missing file, a
    directory) is returned as is, for the reader's own open to report.
    """
    key = str(path)
    if key in _spools:
        return _spools[key]
    if key == STDIN:
        return _spool(key, _standard_input())
    try:
        is_pipe = stat.S_ISFIFO(path.stat().st_mode)
    except OSError:
        return path
    if not is_pipe:
        return path
    with path.open("rb") as stream:
        return _spool(key, stream)


def _standard_input() -> IO[bytes]:
    """Standard input as bytes; a terminal is refused rather than waited on in silence."""
    stream: IO[bytes] | None = getattr(sys.stdin, "buffer", None)
    if stream is None or sys.stdin.closed:
        raise ScanParseError(STDIN_DISPLAY, "standard input is closed")
    if sys.stdin.isatty():
        raise ScanParseError(
            STDIN_DISPLAY,
            "standard input is a terminal; pipe a scan into it (nmap -oX - ... | remediator "
            "ingest -)",
        )
    return stream


def _spool(key: str, stream: IO[bytes]) -> Path:
    if not _directory:
        _directory.append(tempfile.TemporaryDirectory(prefix="remediator-spool-"))
    target = Path(_directory[0].name) / f"scan-{len(_spools)}"
    with target.open("xb") as copy:
        shutil.copyfileobj(stream, copy, 1 << 20)
        LOG.debug("%s copied to %s (%d bytes)", display_name(Path(key)), target, copy.tell())
    _spools[key] = target
    return target


def release_spools() -> None:
    """Remove every copy made so far."""
    _spools.clear()
    while _directory:
        _directory.pop().cleanup()


@contextmanager
def spool_scope() -> Iterator[None]:
    """Copies made inside the block are removed when it ends, however it ends."""
    try:
        yield
    finally:
        release_spools()
