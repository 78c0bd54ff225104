"""Column names of the Qualys CSV exports, mapped to one vocabulary.

The exports name the same column differently ('Title' / 'VULN TITLE', 'CVE ID' / 'CVEID',
'PCI Vuln' / 'IS_PCI'). Names are compared lower-case with underscores read as spaces.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from remediator.errors import ScanParseError
from remediator.ingest.model import ScannedHost, clip, normalize_address

Row = dict[str, str]
ColumnMap = dict[str, int]

_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "ip": ("ip", "ip address"),
    "dns": ("dns", "hostname", "host name", "dns name"),
    "netbios": ("netbios",),
    "os": ("os", "operating system"),
    "qid": ("qid",),
    "title": ("title", "vuln title", "vulnerability title"),
    "type": ("type", "vuln type"),
    "severity": ("severity",),
    "q_severity": ("q severity",),
    "port": ("port",),
    "protocol": ("protocol",),
    "fqdn": ("fqdn",),
    "ssl": ("ssl",),
    "cve": ("cve id", "cveid", "cve"),
    "cvss3": ("cvss3 base", "cvss3.1 base", "cvss v3 base"),
    "cvss": ("cvss base", "cvss"),
    "pci": ("pci vuln", "is pci", "pci"),
    "false_positive": ("false positive status",),
    "vuln_status": ("vuln status",),
    "result": ("results", "result"),
    "category": ("category",),
    "last_scan": ("last scan", "last detected"),
}
_CANONICAL: Final[dict[str, str]] = {
    alias: key for key, aliases in _ALIASES.items() for alias in aliases
}

_EXTRA_COLUMNS: Final = (
    "category",
    "fqdn",
    "ssl",
    "vuln_status",
    "false_positive",
    "last_scan",
)
_EMPTY: Final = frozenset({"", "-", "'-"})


def _normal(name: str) -> str:
    return " ".join(name.replace("_", " ").lower().split())


def is_header(cells: Sequence[str]) -> bool:
    """Whether a row is a Qualys header: it names a QID and an IP column."""
    names = {_CANONICAL.get(_normal(cell)) for cell in cells}
    return {"qid", "ip"} <= names


def column_map(header: Sequence[str]) -> ColumnMap:
    """Canonical column -> index in the header (the first of duplicates wins)."""
    found: ColumnMap = {}
    for index, name in enumerate(header):
        key = _CANONICAL.get(_normal(name))
        if key is not None:
            found.setdefault(key, index)
    return found


def row_of(columns: ColumnMap, cells: Sequence[str]) -> Row:
    """The row's known columns by canonical name (a short row leaves the rest empty)."""
    return {key: cells[index] for key, index in columns.items() if index < len(cells)}


def row_value(row: Row, key: str) -> str:
    """A column's stripped value, '' when missing or written as Qualys' '-'."""
    value = row.get(key, "").strip()
    return "" if value in _EMPTY else value


def row_host(row: Row, display: str, line: int) -> ScannedHost:
    """The host a row is about; a row without an address is a malformed file."""
    address = row_value(row, "ip")
    if not address:
        raise ScanParseError(display, f"row {line}: no IP address")
    names = (row_value(row, "dns"), row_value(row, "netbios"))
    return ScannedHost(
        normalize_address(address),
        hostnames=tuple(dict.fromkeys(clip(name) for name in names if name)),
        os=clip(row_value(row, "os")),
    )


def row_extra(row: Row) -> tuple[tuple[str, str], ...]:
    """The Qualys context worth keeping on a finding (empty columns left out)."""
    pairs = ((key, row_value(row, key)) for key in _EXTRA_COLUMNS)
    return tuple((key, clip(value)) for key, value in pairs if value)
