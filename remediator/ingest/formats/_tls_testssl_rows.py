"""Reading testssl.sh's ``--csvfile`` rows, and the facts its info rows carry.

testssl.sh writes one row per check: ``"id","fqdn/ip","port","severity","finding","cve",
"cwe"`` (newer releases add ``"hint"``). The ``fqdn/ip`` cell is ``name/address`` with
either half possibly empty. Rows graded OK or INFO are not weaknesses, but several carry
facts the findings need: the service name, the cipher order per protocol, and the
certificate fields.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

from remediator.errors import ScanParseError
from remediator.ingest.formats._tls_common import (
    canonical_protocol,
    grade_cipher,
    number,
    tls_facts,
)
from remediator.ingest.formats.base import read_csv_file
from remediator.ingest.model import CertificateFacts, Cipher, TlsFacts, clip, normalize_address

COLUMNS: Final = ("id", "fqdn/ip", "port", "severity", "finding")
"""The columns every testssl.sh CSV starts with (``cve``, ``cwe``, ``hint`` may follow)."""

INFO_LEVELS: Final = frozenset({"DEBUG", "INFO", "OK"})
FINDING_LEVELS: Final = frozenset({"LOW", "MEDIUM", "HIGH", "CRITICAL", "WARN", "FATAL"})
_CVE = re.compile(r"CVE-\d{4}-\d{4,}", re.IGNORECASE)
_CIPHER_LIST_ID = re.compile(r"^(?:cipherorder|supportedciphers)_(\w+)$")
_CERT_SUFFIX = re.compile(r"\s*<cert#(\d+)>$")


@dataclass(frozen=True)
class CheckRow:
    """One testssl.sh CSV row, validated."""

    line: int
    id: str
    address: str
    hostname: str
    port: int
    severity: str
    finding: str
    cves: tuple[str, ...]
    cwe: str


def header_matches(cells: Iterable[str]) -> bool:
    """Whether a header row is testssl.sh's."""
    names = tuple(c.strip().lower() for c in cells)
    return names[: len(COLUMNS)] == COLUMNS


def read_rows(path: Path, display: str) -> Iterator[CheckRow]:
    """Every data row of a testssl.sh CSV, in file order; errors name the line."""
    return read_csv_file(path, display, _rows)


def _rows(stream: IO[str], display: str) -> Iterator[CheckRow]:
    reader = csv.reader(stream)
    start = 1
    try:
        header = next(reader, None)
        if header is None or not header_matches(header):
            raise ScanParseError(display, "line 1: not a testssl.sh CSV header")
        columns = {name.strip().lower(): index for index, name in enumerate(header)}
        start = reader.line_num + 1
        for cells in reader:
            if any(c.strip() for c in cells):
                yield _row(cells, columns, start, display)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ScanParseError(display, f"line {start}: {exc}") from exc


def _cell(cells: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return cells[index] if index is not None and index < len(cells) else ""


def _row(cells: list[str], columns: dict[str, int], line: int, display: str) -> CheckRow:
    check = _cell(cells, columns, "id").strip()
    if not check:
        raise ScanParseError(display, f"line {line}: empty id")
    name, _, ip = _cell(cells, columns, "fqdn/ip").strip().rpartition("/")
    written = ip.strip() or name.strip()
    if not written:
        raise ScanParseError(display, f"line {line}: no host in fqdn/ip")
    port_text = _cell(cells, columns, "port")
    port = number(port_text)
    if port is None or port > 65535:
        raise ScanParseError(display, f"line {line}: port {clip(port_text, 40)!r} is not a port")
    severity = _cell(cells, columns, "severity").strip().upper()
    if severity not in INFO_LEVELS | FINDING_LEVELS:
        bad = clip(severity, 40)
        raise ScanParseError(display, f"line {line}: unknown severity {bad!r}")
    cves = tuple(dict.fromkeys(m.upper() for m in _CVE.findall(_cell(cells, columns, "cve"))))
    return CheckRow(
        line=line,
        id=clip(check),
        address=normalize_address(written),
        hostname=clip(name.strip()),
        port=port,
        severity=severity,
        finding=_cell(cells, columns, "finding"),
        cves=cves,
        cwe=clip(_cell(cells, columns, "cwe").strip()),
    )


def cipher_lists(rows: Iterable[CheckRow]) -> dict[str, TlsFacts]:
    """Accepted suites per protocol from the ``cipherorder_<proto>`` rows."""
    facts: dict[str, TlsFacts] = {}
    for row in rows:
        match = _CIPHER_LIST_ID.match(row.id)
        protocol = canonical_protocol(match.group(1)) if match else None
        if protocol is None or protocol in facts:
            continue
        names = [clip(n) for n in row.finding.split()]
        facts[protocol] = tls_facts(protocol, (Cipher(n, grade_cipher(n)) for n in names))
    return facts


def certificate(rows: Iterable[CheckRow]) -> CertificateFacts | None:
    """The first certificate's facts from the ``cert_*`` rows, None when there are none."""
    fields: dict[str, str] = {}
    for row in rows:
        suffix = _CERT_SUFFIX.search(row.id)
        if suffix is None or suffix.group(1) == "1":
            fields.setdefault(_CERT_SUFFIX.sub("", row.id), row.finding.strip())
    if not any(key.startswith("cert_") for key in fields):
        return None
    key_type, _, bits = fields.get("cert_keySize", "").partition(" ")
    trust = fields.get("cert_chain_of_trust", "").lower()
    expiry = fields.get("cert_expirationStatus", "").lower()
    return CertificateFacts(
        subject=clip(fields.get("cert_commonName", "")),
        issuer=clip(fields.get("cert_caIssuers", "")),
        not_before=clip(fields.get("cert_notBefore", "")),
        not_after=clip(fields.get("cert_notAfter", "")),
        key_type=clip(key_type),
        key_bits=number(bits.split(" ")[0]) or 0,
        signature_algorithm=clip(fields.get("cert_signatureAlgorithm", "")),
        self_signed=("self signed" in trust or "self-signed" in trust) if trust else None,
        expired=("expired" in expiry) if expiry else None,
        alt_names=tuple(clip(n) for n in fields.get("cert_subjectAltName", "").split()),
    )
