"""remediator's plain CSV: findings from any other scanner, one row each (docs/formats.md).

A header row names the columns, in any order: ``address`` and ``port`` are required,
``protocol``, ``check_id``, ``title``, ``severity``, ``service``, ``product``,
``version``, ``hostname`` and ``evidence`` are optional. A row with no ``check_id`` is an
open port. Text cells are kept verbatim (capped in length); only the identifying cells
(address, protocol, port, check id, severity) are trimmed and checked, and every fault
names its line.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

from remediator.errors import ScanParseError
from remediator.ingest.formats.base import (
    Head,
    assemble_host,
    open_port_finding,
    read_csv_file,
)
from remediator.ingest.jsonio import PROTOCOLS
from remediator.ingest.model import (
    FIELD_LIMIT,
    PORT_OPEN,
    Finding,
    HostReport,
    ScannedHost,
    Service,
    Severity,
    SeverityLabel,
    Source,
    clip,
    clip_evidence,
    normalize_address,
)

FORMAT = "csv"
COLUMNS: Final = (
    "address",
    "protocol",
    "port",
    "check_id",
    "title",
    "severity",
    "service",
    "product",
    "version",
    "hostname",
    "evidence",
)
REQUIRED: Final = frozenset({"address", "port"})
OPEN_PORT_PROTOCOLS: Final = frozenset({"tcp", "udp", "sctp"})
_SCORE = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_Fail = Callable[[str], ScanParseError]
_LABELS: Final = ", ".join(label.value for label in SeverityLabel)


def sniff(head: Head) -> bool:
    """A header of known column names only, ``address`` and ``port`` among them.

    Requiring every column to be ours keeps this reader from claiming another tool's CSV
    that happens to have an "address" column.
    """
    if not head.lines:
        return False
    try:
        header = next(csv.reader([head.lines[0]]))
    except csv.Error:
        return False
    names = [cell.strip().lower() for cell in header]
    return set(names) >= REQUIRED and set(names) <= set(COLUMNS)


def parse(path: Path, display: str) -> Iterator[HostReport]:
    """The file's findings grouped per address, in the order addresses first appear."""
    source = Source(FORMAT, display, "remediator plain CSV")
    rows: dict[str, list[_CsvRow]] = {}
    for row in read_rows(path, display):
        rows.setdefault(row.address, []).append(row)
    for address, host_rows in rows.items():
        names = tuple(dict.fromkeys(r.hostname for r in host_rows if r.hostname))
        host = ScannedHost(address, names)
        findings = [r.finding(host, source) for r in host_rows]
        yield assemble_host(host, port_services(findings), findings, source)


def port_services(findings: Iterable[Finding]) -> list[Service]:
    """The services of findings on real ports (tcp, udp, sctp), which owe a ``port-open``.

    An ``ip`` or ``icmp`` "port" is a protocol number or message type: nothing listens.
    """
    return [
        f.service
        for f in findings
        if f.service is not None and f.port > 0 and f.protocol in OPEN_PORT_PROTOCOLS
    ]


@dataclass(frozen=True)
class _CsvRow:
    """One validated data row."""

    line: int
    address: str
    protocol: str
    port: int
    check_id: str
    title: str
    severity: Severity | None
    service: str
    product: str
    version: str
    hostname: str
    evidence: str

    def finding(self, host: ScannedHost, source: Source) -> Finding:
        """The row as a finding on ``host`` (an open port when it names no check)."""
        service = Service(
            self.address, self.protocol, self.port, "open", self.service, self.product, self.version
        )
        base = open_port_finding(host, service, source)
        is_port = self.check_id == PORT_OPEN
        default = base.severity if is_port else Severity.from_label(SeverityLabel.INFO)
        return Finding(
            host=host,
            protocol=self.protocol,
            port=self.port,
            check_id=self.check_id,
            title=self.title or (base.title if is_port else self.check_id),
            severity=self.severity or default,
            source=source,
            service=service if self.port else None,
            evidence=self.evidence,
        )


def read_rows(path: Path, display: str) -> Iterator[_CsvRow]:
    """Every data row, validated; a fault raises ScanParseError naming its line."""
    return read_csv_file(path, display, _rows)


def _rows(stream: IO[str], display: str) -> Iterator[_CsvRow]:
    reader = csv.reader(stream, strict=True)
    start = 1
    try:
        header = next(reader, None)
        columns = _columns(header or [], display)
        start = reader.line_num + 1
        for cells in reader:
            if any(cells):
                yield _row(cells, columns, start, display)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ScanParseError(display, f"line {start}: {exc}") from exc


def _columns(header: Iterable[str], display: str) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = cell.strip().lower()
        if name not in COLUMNS:
            known = ", ".join(COLUMNS)
            raise ScanParseError(display, f"line 1: unknown column {clip(cell, 40)!r} ({known})")
        if name in columns:
            raise ScanParseError(display, f"line 1: column {name!r} appears twice")
        columns[name] = index
    missing = sorted(REQUIRED - set(columns))
    if missing:
        raise ScanParseError(display, f"line 1: the header lacks {', '.join(missing)}")
    return columns


def _row(cells: list[str], columns: dict[str, int], line: int, display: str) -> _CsvRow:
    if len(cells) > len(columns):
        raise ScanParseError(
            display, f"line {line}: {len(cells)} fields, the header has {len(columns)}"
        )
    cell = {name: cells[index] if index < len(cells) else "" for name, index in columns.items()}

    def fail(problem: str) -> ScanParseError:
        return ScanParseError(display, f"line {line}: {problem}")

    address = cell["address"].strip()
    if not address:
        raise fail("address is empty")
    protocol = cell.get("protocol", "").strip().lower() or "tcp"
    if protocol not in PROTOCOLS:
        raise fail(f"protocol {clip(protocol, 40)!r} is not one of {', '.join(sorted(PROTOCOLS))}")
    port = _port(cell["port"], fail)
    check_id = cell.get("check_id", "").strip() or PORT_OPEN
    if len(check_id) > FIELD_LIMIT:
        raise fail(f"check_id is longer than {FIELD_LIMIT} characters")
    if check_id == PORT_OPEN and (port == 0 or protocol not in OPEN_PORT_PROTOCOLS):
        raise fail("an open port needs tcp, udp or sctp and a port above 0 (or give a check_id)")
    return _CsvRow(
        line=line,
        address=normalize_address(address),
        protocol=protocol,
        port=port,
        check_id=check_id,
        title=clip(cell.get("title", "")),
        severity=_severity(cell.get("severity", ""), fail),
        service=clip(cell.get("service", "")),
        product=clip(cell.get("product", "")),
        version=clip(cell.get("version", "")),
        hostname=clip(cell.get("hostname", "")),
        evidence=clip_evidence(cell.get("evidence", "")),
    )


def _port(text: str, fail: _Fail) -> int:
    value = text.strip()
    if not (value.isascii() and value.isdigit()):
        raise fail(f"port {clip(text, 40)!r} is not a number")
    port = int(value.lstrip("0")[:6] or "0")
    if port > 65535:
        raise fail(f"port {port} is not a port (0-65535)")
    return port


def _severity(text: str, fail: _Fail) -> Severity | None:
    """A 0-10 score or a CVSS band name; the cell as written becomes the scanner label."""
    value = text.strip()
    if not value:
        return None
    if _SCORE.fullmatch(value):
        score = float(value)
        if score > 10.0:
            raise fail(f"severity {clip(value, 40)} is outside 0-10")
        return Severity(score, clip(value))
    try:
        return Severity.from_label(SeverityLabel(value.lower()), value)
    except ValueError:
        raise fail(
            f"severity {clip(value, 40)!r} is not a 0-10 score or one of {_LABELS}"
        ) from None
