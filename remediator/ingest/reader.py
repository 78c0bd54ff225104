"""Open a scan file, pick its format from its content, stream its hosts."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from remediator.errors import ScanParseError
from remediator.ingest.formats.base import Head
from remediator.ingest.model import HostReport
from remediator.ingest.registry import FAMILIES, ScanFormat, detect, formats_in
from remediator.ingest.spool import display_name, readable

MAX_LOADED_BYTES: Final = 256 << 20
"""Formats read whole (JSON, CSV, small XML reports) are refused above this size."""

_KNOWN = (
    "nmap XML, Nessus v2, OpenVAS/GVM XML or CSV, Qualys XML or CSV, Nexpose, "
    "sslscan, sslyze, testssl.sh, masscan, or remediator's plain CSV/JSON"
)


def choose_format(path: Path, family: str = "auto") -> ScanFormat:
    """The format that reads ``path``, decided from its content.

    With an explicit ``family`` the file must still match one of that family's formats
    when the family has several; a single-format family is trusted as asked.
    """
    display = display_name(path)
    if family != "auto" and family not in FAMILIES:
        raise ScanParseError(
            display, f"unknown format {family!r}; known: auto, {', '.join(FAMILIES)}"
        )
    try:
        head = Head.of(readable(path))
    except FileNotFoundError as exc:
        raise ScanParseError(display, "no such file") from exc
    except IsADirectoryError as exc:
        raise ScanParseError(display, "is a directory, not a scan file") from exc
    except OSError as exc:
        raise ScanParseError(display, f"cannot read file: {exc.strerror}") from exc
    _refuse_unreadable(head, display)
    found = detect(head, family)
    if found is not None:
        return found
    candidates = formats_in(family)
    if family != "auto" and len(candidates) == 1:
        return candidates[0]
    if family == "auto":
        raise ScanParseError(display, f"not a scan format remediator reads ({_KNOWN})")
    raise ScanParseError(display, f"does not look like {family} output")


def _refuse_unreadable(head: Head, display: str) -> None:
    if not head.raw.strip():
        raise ScanParseError(display, "file is empty")
    if head.raw.startswith((b"\xff\xfe", b"\xfe\xff")) or head.raw[:2] in (b"<\x00", b"\x00<"):
        raise ScanParseError(display, "file is UTF-16 encoded; save or convert it as UTF-8")
    if b"\x00" in head.raw:
        raise ScanParseError(display, "binary data, not a scan file")


def read_scan(path: Path, family: str = "auto") -> Iterator[HostReport]:
    """Stream the hosts of the scan at ``path``; every fault is a ScanParseError."""
    scan_format = choose_format(path, family)
    display = display_name(path)
    source = readable(path)
    size = source.stat().st_size
    if not scan_format.streaming and size > MAX_LOADED_BYTES:
        raise ScanParseError(
            display,
            f"{size >> 20} MiB is too large for a {scan_format.name} file "
            f"(limit {MAX_LOADED_BYTES >> 20} MiB; only nmap and Nessus files are streamed)",
        )
    try:
        yield from scan_format.parse(source, display)
    except ScanParseError:
        raise
    except RecursionError as exc:
        raise ScanParseError(display, "structure nested too deeply to be a scan report") from exc
    except (ValueError, KeyError, IndexError, TypeError, csv.Error) as exc:
        raise ScanParseError(
            display, f"unexpected content for {scan_format.name}: {type(exc).__name__}: {exc}"
        ) from exc
