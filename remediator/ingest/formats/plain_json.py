"""remediator's plain JSON: the ``remediator/findings/v1`` document (docs/formats.md).

The same document ``remediator ingest --json`` writes, so findings can be saved, edited
and read back, and any other scanner can be converted to it. Each finding object is read
by :func:`remediator.ingest.jsonio.finding_from_dict`, which checks it against the shipped
schema's ``$defs/finding`` (``remediator/schemas/findings.schema.json``) and whose errors
name the finding and the field (``findings[3].port: 70000 is not a port``). The envelope
(``schema``, ``findings``) is checked here first, in the wording docs/formats.md shows.
The ``unmatched`` list the writer adds (addresses no inventory host matched) is an output
of matching, not input, and is ignored: matching runs again on every read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

from remediator.errors import ScanParseError
from remediator.ingest.formats.base import Head, assemble_host
from remediator.ingest.formats.plain_csv import port_services
from remediator.ingest.jsonbound import load_document
from remediator.ingest.jsonio import SCHEMA, finding_from_dict
from remediator.ingest.model import Finding, HostReport, ScannedHost, Source, clip

FORMAT = "json"
_SCHEMA_KEY = re.compile(r'^\s*\{.*?"schema"\s*:\s*"remediator/findings/', re.DOTALL)
MAX_BYTES: Final = 1 << 30
"""The document is read whole; anything larger than this is refused, not swapped in."""
MAX_EXPANSION: Final = 8
"""Bytes of decoded values allowed per byte of text (:mod:`remediator.ingest.jsonbound`).
``remediator ingest -o`` writes documents estimated at 2.5 to 4.1, the densest being
port-only scans, whose findings carry empty lists and objects."""


def sniff(head: Head) -> bool:
    """A JSON object whose ``schema`` (within the first 64 KiB) is remediator's."""
    return _SCHEMA_KEY.match(head.text) is not None


def parse(path: Path, display: str) -> Iterator[HostReport]:
    """The document's findings grouped per address, in the order addresses first appear."""
    findings = _findings(_load(path, display), display)
    by_address: dict[str, list[Finding]] = {}
    for finding in findings:
        by_address.setdefault(finding.address, []).append(finding)
    source = Source(FORMAT, display, "remediator")
    for address, host_findings in by_address.items():
        host = _merged_host(address, host_findings)
        kept = [replace(f, host=host) for f in host_findings]
        yield assemble_host(host, port_services(kept), kept, source)


def _load(path: Path, display: str) -> Mapping[str, Any]:
    document = load_document(path, display, max_bytes=MAX_BYTES, ratio=MAX_EXPANSION)
    if not isinstance(document, Mapping):
        raise ScanParseError(display, "the document is not a JSON object")
    schema = document.get("schema")
    if schema != SCHEMA:
        shown = repr(clip(schema, 60)) if isinstance(schema, str) else "missing or not text"
        raise ScanParseError(display, f"schema: {shown}, expected {SCHEMA!r}")
    return document


def _findings(document: Mapping[str, Any], display: str) -> list[Finding]:
    raw = document.get("findings")
    if not isinstance(raw, list):
        raise ScanParseError(display, "findings: expected a list")
    return [_finding(item, f"findings[{i}]", display) for i, item in enumerate(raw)]


def _finding(item: object, where: str, display: str) -> Finding:
    """One finding; a value the model refuses (a score too big for a float) is named too."""
    try:
        return finding_from_dict(item, where, display)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ScanParseError(display, f"{where}: {exc}") from exc


def _merged_host(address: str, findings: list[Finding]) -> ScannedHost:
    """One host for all findings on ``address``: the first one's, with every name seen."""
    first = findings[0].host
    names = dict.fromkeys(name for f in findings for name in f.host.hostnames)
    return replace(first, hostnames=tuple(names))
