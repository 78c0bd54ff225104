"""From Qualys detections (QID hits) to host reports, for every Qualys export.

Each reader turns its own syntax into :class:`QidHit` records; everything after that
(check id, severity, extras, open services, the ``port-open`` findings) happens here once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Final

from remediator.errors import ScanParseError
from remediator.ingest.formats._qualys_common import (
    HOST_PROTOCOL,
    pci_flag,
    qid_kind,
    qualys_severity,
)
from remediator.ingest.formats.base import assemble_host
from remediator.ingest.model import (
    Finding,
    HostReport,
    ScannedHost,
    Service,
    Source,
    clip,
    clip_evidence,
)

OPEN_TCP_QID: Final = "82023"
OPEN_UDP_QID: Final = "82004"
_SERVICE_LISTS: Final[dict[str, str]] = {OPEN_TCP_QID: "tcp", OPEN_UDP_QID: "udp"}
"""The information-gathered QIDs whose result is the table of open TCP / UDP services."""

PortKey = tuple[str, int]


@dataclass(frozen=True, slots=True)
class QidHit:
    """One QID reported on one host (and port), as any Qualys export spells it."""

    qid: str
    qualys_type: str
    title: str
    level: str
    scores: tuple[str, ...] = ()
    band_label: str = ""
    port: int = 0
    protocol: str = HOST_PROTOCOL
    service_name: str = ""
    result: str = ""
    cves: tuple[str, ...] = ()
    pci: str = ""
    extra: tuple[tuple[str, str], ...] = ()


def check_qid(qid: str, display: str, where: str) -> str:
    """``qid`` when it is a QID (a number); a malformed file otherwise."""
    text = qid.strip()
    if not text.isdecimal():
        raise ScanParseError(display, f"{where}: QID {clip(text, 40)!r} is not a number")
    return text


def parse_port(text: str, display: str, where: str) -> int:
    """A port number; 0 where Qualys gives none (a host-level QID)."""
    value = text.strip()
    if not value:
        return 0
    if not (value.isdecimal() and len(value) <= 5 and int(value) <= 65535):
        raise ScanParseError(display, f"{where}: port {clip(value, 40)!r} is not a port number")
    return int(value)


def protocol_of(text: str) -> str:
    """The lower-case protocol, tcp where Qualys leaves it out (host-level QIDs)."""
    return clip(text.strip().lower(), 16) or HOST_PROTOCOL


def services_from_table(address: str, qid: str, result: str) -> Iterator[Service]:
    """Services from an 'Open TCP/UDP Services List' result table.

    The table is tab separated: Port, IANA name, description, service detected, ...
    Lines whose first cell is not a port number (the heading, redacted text) are skipped.
    """
    protocol = _SERVICE_LISTS.get(qid)
    if protocol is None:
        return
    for line in result.splitlines():
        cells = [cell.strip() for cell in line.split("\t")]
        if not (cells[0].isdecimal() and len(cells[0]) <= 5 and 0 < int(cells[0]) <= 65535):
            continue
        detected = cells[3] if len(cells) > 3 else ""
        iana = cells[1] if len(cells) > 1 else ""
        name = detected if detected.lower() not in {"", "unknown"} else iana
        name = "" if name.lower() == "unknown" else name
        yield Service(address, protocol, int(cells[0]), name=clip(name))


def host_report(host: ScannedHost, hits: Iterable[QidHit], source: Source) -> HostReport:
    """The host's report: open-services tables and detection ports become services."""
    hit_list = list(hits)
    services = _services(host.address, hit_list)
    findings = [_finding(hit, host, source, services) for hit in hit_list]
    return assemble_host(host, services.values(), findings, source)


def _services(address: str, hits: list[QidHit]) -> dict[PortKey, Service]:
    services: dict[PortKey, Service] = {}
    for hit in hits:
        for service in services_from_table(address, hit.qid, hit.result):
            services.setdefault((service.protocol, service.port), service)
    for hit in hits:
        if hit.port > 0 and hit.service_name:
            service = Service(address, hit.protocol, hit.port, name=clip(hit.service_name))
            services.setdefault((hit.protocol, hit.port), service)
    return services


def _finding(
    hit: QidHit, host: ScannedHost, source: Source, services: Mapping[PortKey, Service]
) -> Finding:
    kind = qid_kind(hit.qualys_type)
    extra = (
        ("qualys_type", clip(hit.qualys_type.strip(), 40)),
        ("qualys_kind", kind.value),
        ("pci_flag", pci_flag(hit.pci)),
        *hit.extra,
    )
    return Finding(
        host=host,
        protocol=hit.protocol,
        port=hit.port,
        check_id=f"qualys:{hit.qid}",
        title=clip(hit.title.strip()) or f"Qualys QID {hit.qid}",
        severity=qualys_severity(kind, hit.level, hit.scores, hit.band_label),
        source=source,
        service=services.get((hit.protocol, hit.port)) if hit.port else None,
        evidence=clip_evidence(hit.result),
        cves=hit.cves,
        extra=extra,
    )
