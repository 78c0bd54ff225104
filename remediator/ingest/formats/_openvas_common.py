"""What the OpenVAS/GVM XML and CSV readers share: ports, severities, host assembly.

Both exports list *results* (one NVT's verdict on one host and port), sorted by severity,
not by host. The readers turn each into an :class:`OpenvasResult` and
:func:`host_reports` groups them by host at the end.

Rules:

* port: ``443/tcp``, ``microsoft-ds (445/tcp)`` (OpenVAS 6/7 put the service name in
  front), ``general/tcp`` and the pseudo-ports ``general/icmp``, ``general/SMBClient``,
  ``general/CPE-T`` (host-level: port 0, the word after the slash as protocol), or nothing
  (port 0, tcp);
* check id: ``openvas:<NVT OID>``; results of the pseudo NVT "0" ("Open port.") only
  open their port;
* severity: the result's own severity (GMP, after overrides) when the file has one;
  otherwise, in OpenVAS 6 exports, Log/Debug/False Positive/Error results are
  information whatever the NVT's nominal CVSS (a "3com switch2hub" Log result that
  skipped its check carries the NVT's 7.8), and other results take the NVT's
  ``cvss_base``, else their threat band. The threat is the scanner label. Negative GMP
  severities (false positive -1, debug -2, error -3) are information.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from remediator.ingest.formats._nessus_openvas_merge import merge_duplicates
from remediator.ingest.formats.base import SEVERITY_WORDS, assemble_host
from remediator.ingest.model import (
    Finding,
    HostReport,
    ScannedHost,
    Service,
    Severity,
    Source,
    clip,
    normalize_address,
)

SCANNER: Final = "OpenVAS"
HOST_PROTOCOL: Final = "tcp"
"""Protocol of a result on no port at all; OpenVAS itself writes general/tcp for most."""

OPEN_PORT_OID: Final = "0"
"""OpenVAS 6/7 record each open port as a Log result of NVT "0" ('Open port.'): that is
the port-open finding itself, so it gives the port and no ``openvas:0`` finding."""

_NOT_FINDINGS: Final = frozenset({"log", "debug", "false positive", "error"})
_WRAPPED_PORT: Final = re.compile(r"(?P<name>[^()]*?)\s*\((?P<port>[^()]*)\)\s*")
_OID: Final = re.compile(r"[A-Za-z0-9._:-]{1,128}")
"""An NVT id: a dotted OID, or a CVE id for GVM's CVE scanner; it goes into check ids."""
_CVE: Final = re.compile(r"CVE-\d{4}-\d{4,}")
_TAG_SEPARATOR: Final = re.compile(r"\|(?=[a-z_]+=)")


@dataclass(frozen=True, slots=True)
class PortRef:
    """Where a result is: protocol, port (0 for the host itself) and service name."""

    protocol: str
    port: int
    service: str = ""


@dataclass(frozen=True, slots=True)
class HostFacts:
    """What the report says about a host apart from its results."""

    hostnames: tuple[str, ...] = ()
    os: str = ""
    start: datetime | None = None


@dataclass(frozen=True, slots=True)
class OpenvasResult:
    """One result, read from either export, before it is grouped by host."""

    address: str
    hostname: str
    where: PortRef
    oid: str
    title: str
    severity: Severity
    evidence: str
    cves: tuple[str, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()


def parse_port(text: str) -> PortRef | None:
    """The port a result names; None when it names a number that is no port."""
    text = text.strip()
    service = ""
    wrapped = _WRAPPED_PORT.fullmatch(text)
    if wrapped:
        service, text = wrapped["name"].strip(), wrapped["port"].strip()
    number, _, protocol = text.partition("/")
    protocol = clip(protocol.strip().lower() or HOST_PROTOCOL, 32)
    number = number.strip()
    if not (number.isascii() and number.isdigit()):
        return PortRef(protocol, 0)
    port = int(number)
    if port > 65535:
        return None
    return PortRef(protocol, port, clip(service))


def valid_oid(text: str) -> bool:
    """Whether ``text`` can be an NVT id (and so part of a check id)."""
    return _OID.fullmatch(text) is not None


def number(text: str) -> float | None:
    """A finite number written in ``text``, None when there is none."""
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def openvas_severity(result_severity: str, cvss_base: str, threat: str) -> Severity:
    """The severity of a result; see the module docstring for the order of sources."""
    threat = threat.strip()
    label = clip(threat or result_severity.strip() or cvss_base.strip(), 64)
    score = number(result_severity)
    if score is not None:
        return Severity(min(max(score, 0.0), 10.0), label)
    if threat.lower() in _NOT_FINDINGS:
        return Severity(0.0, label)
    cvss = number(cvss_base)
    if cvss is not None and 0.0 < cvss <= 10.0:
        return Severity(cvss, label)
    band = SEVERITY_WORDS.get(threat.lower())
    return Severity.from_label(band, label) if band else Severity(0.0, label)


def cves_in(texts: Iterable[str]) -> tuple[str, ...]:
    """Every CVE id in ``texts`` ('CVE-2010-0020, CVE-2010-0021', 'NOCVE'), once, in order."""
    found = (match.group(0) for text in texts for match in _CVE.finditer(text.upper()))
    return tuple(dict.fromkeys(found))


def nvt_tags(text: str) -> dict[str, str]:
    """The ``key=value|key=value`` tags of an NVT (values may hold newlines, even '|')."""
    tags: dict[str, str] = {}
    for part in _TAG_SEPARATOR.split(text.strip()):
        key, sep, value = part.partition("=")
        if sep:
            tags.setdefault(key.strip(), value.strip())
    return tags


def one_line(text: str) -> str:
    """``text`` with its runs of whitespace made one space (pretty-printed titles), clipped."""
    return clip(" ".join(text.split()))


def extra_pairs(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The non-empty ``(key, value)`` pairs, values clipped."""
    return tuple((key, clip(value.strip())) for key, value in pairs if value.strip())


def parse_time(text: str) -> datetime | None:
    """An ISO 8601 time as GVM writes it ('2014-04-13T02:19:39Z'), None when it is not one."""
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        return None


def host_reports(
    results: Iterable[OpenvasResult],
    facts: Mapping[str, HostFacts],
    source_for: Callable[[HostFacts], Source],
) -> Iterator[HostReport]:
    """Group ``results`` by host (first-seen order) and assemble each host's report.

    ``facts`` is keyed by normalized address; a host without facts gets empty ones.
    """
    by_host: dict[str, list[OpenvasResult]] = {}
    for result in results:
        by_host.setdefault(normalize_address(result.address), []).append(result)
    for address, host_results in by_host.items():
        known = facts.get(address, HostFacts())
        names = [*known.hostnames, *(r.hostname for r in host_results)]
        hostnames = tuple(dict.fromkeys(clip(n.strip()) for n in names if n.strip()))
        host = ScannedHost(address, hostnames, os=known.os)
        source = source_for(known)
        services: dict[tuple[str, int], Service] = {}
        findings: list[Finding] = []
        for result in host_results:
            service = _service(result.where, host.address, services)
            if result.oid != OPEN_PORT_OID:
                findings.append(_finding(result, host, source, service))
        yield assemble_host(host, services.values(), merge_duplicates(findings), source)


def _service(
    where: PortRef, address: str, services: dict[tuple[str, int], Service]
) -> Service | None:
    if where.port == 0:
        return None
    fresh = Service(address, where.protocol, where.port, name=where.service)
    return services.setdefault((where.protocol, where.port), fresh)


def _finding(
    result: OpenvasResult, host: ScannedHost, source: Source, service: Service | None
) -> Finding:
    return Finding(
        host=host,
        protocol=result.where.protocol,
        port=result.where.port,
        check_id=f"openvas:{result.oid}",
        title=result.title,
        severity=result.severity,
        source=source,
        service=service,
        evidence=result.evidence,
        cves=result.cves,
        extra=result.extra,
    )
