"""Qualys CSV exports, and the Qualys-engine ASV resellers' CSV (Sectigo HackerGuardian).

Three column sets are known: the VM detection export (``IP, DNS, ..., QID, Title, Type,
Severity, Port, ..., CVSS3 Base, ..., PCI Vuln``), the scan report export (same idea,
``CVSS Base``/``Results``) and the PCI report (``IP, HOSTNAME, ..., QID, VULN TITLE, TYPE,
SEVERITY, ..., IS_PCI, FALSE POSITIVE STATUS, CVSS_BASE, Q_SEVERITY``). Columns are looked
up by name, case-insensitively, so their order and extra columns don't matter.

Scan report exports start with a few metadata rows (company, scan title, dates); the
header is the first row, within :data:`HEADER_SEARCH_ROWS`, that names both a QID and
an IP column. One row is one QID on one port of one host; rows are grouped by host,
in the order hosts first appear.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Final

from remediator.errors import ScanParseError
from remediator.ingest.formats._qualys_columns import (
    Row,
    column_map,
    is_header,
    row_extra,
    row_host,
    row_of,
    row_value,
)
from remediator.ingest.formats._qualys_common import SCANNER, is_fixed, split_cves
from remediator.ingest.formats._qualys_hosts import (
    QidHit,
    check_qid,
    host_report,
    parse_port,
    protocol_of,
)
from remediator.ingest.formats.base import Head
from remediator.ingest.model import HostReport, ScannedHost, Source

FORMAT: Final = "qualys-csv"
HEADER_SEARCH_ROWS: Final = 40
"""How many rows of preamble may come before the header."""


def sniff(head: Head) -> bool:
    """A header row naming a QID and an IP column, within the first rows."""
    for line in head.lines[:HEADER_SEARCH_ROWS]:
        try:
            cells = next(csv.reader([line]), [])
        except csv.Error:
            continue
        if is_header(cells):
            return True
    return False


def parse(path: Path, display: str) -> Iterator[HostReport]:
    """Read the rows, group them by host, and yield one report per host."""
    source = Source(FORMAT, display, SCANNER)
    hosts: dict[str, tuple[ScannedHost, list[QidHit]]] = {}
    for number, row in _rows(path, display):
        if is_fixed(row_value(row, "vuln_status")):
            continue
        host = row_host(row, display, number)
        _, hits = hosts.setdefault(host.address, (host, []))
        hits.append(_hit(row, display, f"row {number}"))
    for host, hits in hosts.values():
        yield host_report(host, hits, source)


def _rows(path: Path, display: str) -> Iterator[tuple[int, Row]]:
    """(line number, row by canonical column) for every data row after the header."""
    try:
        stream = path.open(encoding="utf-8-sig", errors="replace", newline="")
    except OSError as exc:
        raise ScanParseError(display, f"cannot read file: {exc.strerror}") from exc
    with stream:
        try:
            yield from _data_rows(stream, display)
        except csv.Error as exc:
            raise ScanParseError(display, f"malformed CSV: {exc}") from exc


def _data_rows(stream: IO[str], display: str) -> Iterator[tuple[int, Row]]:
    reader = csv.reader(stream)
    columns = column_map(_find_header(reader, display))
    for cells in reader:
        if any(cell.strip() for cell in cells):
            yield reader.line_num, row_of(columns, cells)


def _find_header(reader: Iterable[list[str]], display: str) -> list[str]:
    for index, cells in enumerate(reader):
        if is_header(cells):
            return cells
        if index >= HEADER_SEARCH_ROWS:
            break
    raise ScanParseError(
        display, f"no header row with QID and IP columns in the first {HEADER_SEARCH_ROWS} rows"
    )


def _hit(row: Row, display: str, where: str) -> QidHit:
    port = parse_port(row_value(row, "port"), display, where)
    return QidHit(
        qid=check_qid(row_value(row, "qid"), display, where),
        qualys_type=row_value(row, "type"),
        title=row_value(row, "title"),
        level=row_value(row, "q_severity") or _numeric(row_value(row, "severity")),
        scores=(row_value(row, "cvss3"), row_value(row, "cvss")),
        band_label="" if row_value(row, "severity").isdecimal() else row_value(row, "severity"),
        port=port,
        protocol=protocol_of(row_value(row, "protocol")),
        result=row_value(row, "result"),
        cves=split_cves(row_value(row, "cve")),
        pci=row_value(row, "pci"),
        extra=row_extra(row),
    )


def _numeric(text: str) -> str:
    return text if text.strip().isdecimal() else ""
