"""testssl.sh ``--csvfile`` output: one row per check, graded by testssl.sh itself.

What becomes a finding (``testssl:<id>``):

* every row graded LOW, MEDIUM, HIGH or CRITICAL, scored by that band;
* every WARN or FATAL row, scored 0: these say testssl.sh could not do a check (no GOST
  engine, a timeout), which a reviewer must see but which is not a weakness of the target;
* a protocol row (``SSLv2`` ... ``TLS1_3``) whose finding says the protocol is offered,
  with its cipher order as :class:`TlsFacts`. Its score is the worse of testssl.sh's grade
  and the PCI reading of the protocol (TLS 1.0 offered is a PCI failure even where
  testssl.sh grades it LOW); testssl.sh's own grade stays in ``scanner_label``.

OK, INFO and DEBUG rows are facts, not findings: they name the service, list the ciphers
and describe the certificate for the findings above. A check id repeated on one port
keeps its worst row.

The address is the IP half of ``fqdn/ip``, the name half becomes a host name. A row with
no IP (testssl.sh's ``engine_problem`` warning is written before any IP is resolved) is
kept on the name as written, so the warning is not lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from remediator.common.tls import tls_judgement
from remediator.ingest.formats._tls_common import (
    HostGroups,
    TlsEndpoint,
    protocol_severity,
)
from remediator.ingest.formats._tls_testssl_rows import (
    FINDING_LEVELS,
    CheckRow,
    certificate,
    cipher_lists,
    header_matches,
    read_rows,
)
from remediator.ingest.formats.base import Head
from remediator.ingest.model import (
    CertificateFacts,
    Finding,
    HostReport,
    ScannedHost,
    Service,
    Severity,
    SeverityLabel,
    Source,
    TlsFacts,
    clip,
)

FORMAT = "testssl"
_OFFERED = re.compile(r"\b(?:offered|supported)\b", re.IGNORECASE)
_NOT_OFFERED = re.compile(r"\bnot\s+(?:offered|supported)\b", re.IGNORECASE)
_BANDS: Final = {
    "LOW": SeverityLabel.LOW,
    "MEDIUM": SeverityLabel.MEDIUM,
    "HIGH": SeverityLabel.HIGH,
    "CRITICAL": SeverityLabel.CRITICAL,
}


def sniff(head: Head) -> bool:
    """The header testssl.sh writes: ``"id","fqdn/ip","port","severity","finding",...``."""
    if not head.lines:
        return False
    return header_matches(cell.strip('"') for cell in head.lines[0].split(","))


def parse(path: Path, display: str) -> Iterator[HostReport]:
    """Stream the hosts of a testssl.sh CSV file (one report per address)."""
    source = Source(FORMAT, display, "testssl.sh")
    endpoints: dict[tuple[str, int], list[CheckRow]] = {}
    for row in read_rows(path, display):
        endpoints.setdefault((row.address, row.port), []).append(row)
    groups = HostGroups()
    for (address, port), rows in endpoints.items():
        names = tuple(dict.fromkeys(r.hostname for r in rows if r.hostname))
        service = Service(address, "tcp", port, name=_service_name(rows), tunnel="ssl")
        endpoint = TlsEndpoint(ScannedHost(address, names), port, service, source, FORMAT)
        groups.add(endpoint.host, [service], _findings(rows, endpoint))
    yield from groups.reports(source)


def _service_name(rows: list[CheckRow]) -> str:
    """testssl.sh's ``service`` row ("HTTP"), lower-cased like nmap's service names."""
    for row in rows:
        if row.id == "service":
            return clip(row.finding.strip().lower())
    return ""


def _findings(rows: list[CheckRow], endpoint: TlsEndpoint) -> list[Finding]:
    ciphers = cipher_lists(rows)
    cert = certificate(rows)
    kept: dict[str, Finding] = {}
    for row in rows:
        finding = _finding(row, endpoint, ciphers, cert)
        if finding is None:
            continue
        earlier = kept.get(finding.check_id)
        if earlier is None or finding.severity.score > earlier.severity.score:
            kept[finding.check_id] = finding
    return list(kept.values())


def _finding(
    row: CheckRow,
    endpoint: TlsEndpoint,
    ciphers: dict[str, TlsFacts],
    cert: CertificateFacts | None,
) -> Finding | None:
    protocol = tls_judgement().scanner_protocols("testssl").get(row.id)
    offered = protocol is not None and _is_offered(row.finding)
    if not offered and row.severity not in FINDING_LEVELS:
        return None
    severity = _severity(row.severity)
    tls = None
    if protocol is not None and offered:
        reading = protocol_severity(protocol, row.severity)
        severity = reading if reading.score > severity.score else severity
        tls = ciphers.get(protocol, TlsFacts(protocol))
    is_cert = row.id.startswith(("cert_", "certs_", "certificate"))
    return endpoint.finding(
        row.id,
        f"{row.id}: {row.finding.strip()}",
        severity,
        evidence=row.finding,
        cves=row.cves,
        tls=tls,
        certificate=cert if is_cert else None,
        extra=(("cwe", row.cwe),) if row.cwe else (),
    )


def _is_offered(text: str) -> bool:
    return bool(_OFFERED.search(text)) and not _NOT_OFFERED.search(text)


def _severity(label: str) -> Severity:
    """testssl.sh's grade as a score; WARN/FATAL/OK/INFO score 0 and keep their word."""
    return Severity.from_label(_BANDS.get(label, SeverityLabel.INFO), label)
