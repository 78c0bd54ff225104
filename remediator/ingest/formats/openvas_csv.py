"""OpenVAS/GVM CSV results export ("CSV Results" report format).

One row per result, header ``IP,Hostname,Port,Port Protocol,CVSS,Severity,QoD,Solution
Type,NVT Name,Summary,Specific Result,NVT OID,CVEs,...``; texts hold newlines inside
quotes. Recognised by its header, whatever the column order. ``CVSS`` is the result's
severity score, ``Severity`` GVM's word for it (High/Medium/Low/Log), ``Specific Result``
the evidence (``Summary`` when empty); an empty ``Port`` is a host-level result (port 0).

Rows are sorted by severity, not host, so they are grouped by host at the end of the file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from remediator.errors import ScanParseError
from remediator.ingest.formats._openvas_common import (
    SCANNER,
    HostFacts,
    OpenvasResult,
    cves_in,
    extra_pairs,
    host_reports,
    one_line,
    openvas_severity,
    parse_port,
    parse_time,
    valid_oid,
)
from remediator.ingest.formats.base import Head
from remediator.ingest.model import HostReport, Source, clip, clip_evidence, normalize_address

FORMAT: Final = "openvas-csv"
REQUIRED: Final = frozenset({"IP", "Port", "Port Protocol", "NVT Name", "NVT OID", "Severity"})
"""Columns that make a CSV an OpenVAS results export (and that the reader needs)."""


def sniff(head: Head) -> bool:
    """A CSV whose header row has OpenVAS's result columns."""
    if not head.lines:
        return False
    try:
        header = next(csv.reader([head.lines[0]]))
    except (csv.Error, StopIteration):
        return False
    return {name.strip() for name in header} >= REQUIRED


def parse(path: Path, display: str) -> Iterator[HostReport]:
    """Read every row, then yield the results grouped by host."""
    results: list[OpenvasResult] = []
    facts: dict[str, HostFacts] = {}
    try:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as stream:
            rows = csv.DictReader(stream)
            _check_header(rows.fieldnames, display)
            for row in rows:
                result = _result(row, display, rows.line_num)
                results.append(result)
                address = normalize_address(result.address)
                if address not in facts:
                    facts[address] = HostFacts(start=parse_time(row.get("Timestamp") or ""))
    except csv.Error as exc:
        raise ScanParseError(display, f"line {rows.line_num}: bad CSV: {exc}") from exc
    except OSError as exc:
        raise ScanParseError(display, f"cannot read file: {exc.strerror}") from exc

    def source_for(known: HostFacts) -> Source:
        return Source(FORMAT, display, SCANNER, "", known.start)

    yield from host_reports(results, facts, source_for)


def _check_header(fieldnames: object, display: str) -> None:
    names = {str(name).strip() for name in fieldnames} if isinstance(fieldnames, list) else set()
    missing = sorted(REQUIRED - names)
    if missing:
        raise ScanParseError(
            display, f"not an OpenVAS CSV results export: no column {', '.join(missing)}"
        )


def _result(row: dict[str | None, str | None], display: str, line: int) -> OpenvasResult:
    def cell(name: str) -> str:
        value = row.get(name)
        return value.strip() if isinstance(value, str) else ""

    address, oid = cell("IP"), cell("NVT OID")
    if not address or not oid:
        raise ScanParseError(display, f"line {line}: a result row without IP or NVT OID")
    if not valid_oid(oid):
        raise ScanParseError(display, f"line {line}: NVT OID {clip(oid, 64)!r} is not an OID")
    port_text = f"{cell('Port')}/{cell('Port Protocol')}" if cell("Port") else ""
    where = parse_port(port_text)
    if where is None:
        raise ScanParseError(display, f"line {line}: port {clip(cell('Port'), 64)!r} is not a port")
    return OpenvasResult(
        address=address,
        hostname=cell("Hostname"),
        where=where,
        oid=oid,
        title=one_line(cell("NVT Name") or oid),
        severity=openvas_severity(cell("CVSS"), "", cell("Severity")),
        evidence=clip_evidence(cell("Specific Result") or cell("Summary")),
        cves=cves_in([cell("CVEs")]),
        extra=extra_pairs(
            (
                ("qod", cell("QoD")),
                ("solution_type", cell("Solution Type")),
                ("solution", cell("Solution")),
            )
        ),
    )
