"""OpenVAS/GVM report XML: OpenVAS 6/7 (OMP) up to GVM 22 (GMP 22.x).

Every export nests the report: ``<report><report><results><result>...`` (GMP also inside a
``<get_reports_response>`` when fetched with gvm-cli). The results are read one
``<result>`` element at a time with :func:`~remediator.ingest.xmlsafe.iter_elements`.
Not every ``<result>`` is a result: OpenVAS 6 and later refer to the product detection behind
a result with a ``<detection><result id=...>`` inside it, which has no ``<nvt>``; such references
are skipped. ``<result_count>`` and the ``<ports>`` summary are other elements and never
seen here.

The per-host summaries (``<report><host><ip>``: OS, hostname, start time) come after the
results in the file, and results are sorted by severity, not by host, so the reader makes
two passes: host facts first, then the results, grouped by host at the end (memory
follows the number of results, which is what a report holds).

A result's host is the text of its ``<host>`` (GMP adds ``<asset>`` and ``<hostname>``
children), kept as written when it is no valid IP (``192.168.1.1001`` in an anonymised
report stays so).

Source: scanner "OpenVAS"; the files name no scanner version, only the management
protocol that wrote them, so the version is that, as ``GMP 22.6`` (empty for OpenVAS 6/7
exports, which carry none). Scan time: the host's ``<start>``, else the report's
``<scan_start>``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Final
from xml.etree.ElementTree import Element

from remediator.errors import ScanParseError
from remediator.ingest.formats._openvas_common import (
    SCANNER,
    HostFacts,
    OpenvasResult,
    cves_in,
    extra_pairs,
    host_reports,
    nvt_tags,
    one_line,
    openvas_severity,
    parse_port,
    parse_time,
    valid_oid,
)
from remediator.ingest.formats.base import Head
from remediator.ingest.model import HostReport, Source, clip, clip_evidence, normalize_address
from remediator.ingest.xmlsafe import iter_elements, text_of

FORMAT: Final = "openvas-xml"
ROOTS: Final = frozenset({"report", "get_reports_response"})
_MARKERS: Final = ("<results", "<nvt ", "<gmp>", "<omp>", "<scan_run_status>", "<report_format")
_HOST_PASS_TAGS: Final = frozenset({"host", "gmp", "omp", "scan_start"})


def sniff(head: Head) -> bool:
    """A ``<report>`` (or ``<get_reports_response>``) with OpenVAS's own elements in it."""
    return head.xml_root in ROOTS and any(marker in head.text for marker in _MARKERS)


def parse(path: Path, display: str) -> Iterator[HostReport]:
    """Read the report's results and yield them grouped by host."""
    _check_root(path, display)
    facts, version, scan_start = _host_facts(path, display)

    def source_for(known: HostFacts) -> Source:
        return Source(FORMAT, display, SCANNER, version, known.start or scan_start)

    results = (
        _result(element, display)
        for element in iter_elements(path, display, frozenset({"result"}))
        if element.find("nvt") is not None
    )
    yield from host_reports(results, facts, source_for)


def _check_root(path: Path, display: str) -> None:
    try:
        root = Head.of(path).xml_root
    except OSError as exc:
        raise ScanParseError(display, f"cannot read file: {exc.strerror}") from exc
    if root not in ROOTS:
        found = f"<{root}>" if root else "no XML element"
        raise ScanParseError(display, f"not an OpenVAS/GVM report: found {found}, not <report>")


def _host_facts(path: Path, display: str) -> tuple[dict[str, HostFacts], str, datetime | None]:
    """First pass: per-host facts, the protocol version and the scan start."""
    facts: dict[str, HostFacts] = {}
    version = ""
    scan_start: datetime | None = None
    for element in iter_elements(path, display, _HOST_PASS_TAGS):
        if element.tag in {"gmp", "omp"}:
            written = text_of(element, "version")
            version = version or (f"{element.tag.upper()} {clip(written, 32)}" if written else "")
        elif element.tag == "scan_start":
            scan_start = scan_start or parse_time(text_of(element))
        elif element.find("ip") is not None:
            facts.setdefault(normalize_address(text_of(element, "ip")), _summary(element))
    return facts, version, scan_start


def _summary(host: Element) -> HostFacts:
    details: dict[str, list[str]] = {}
    for detail in host.iterfind("detail"):
        value = text_of(detail, "value")
        if value:
            details.setdefault(text_of(detail, "name"), []).append(value)
    os_names = details.get("best_os_txt", []) + [
        name for name in details.get("OS", []) if not name.startswith("cpe:")
    ]
    return HostFacts(
        hostnames=tuple(clip(name) for name in details.get("hostname", [])),
        os=clip(os_names[0]) if os_names else "",
        start=parse_time(text_of(host, "start")),
    )


def _result(element: Element, display: str) -> OpenvasResult:
    nvt = element.find("nvt")
    oid = (nvt.get("oid", "") if nvt is not None else "").strip()
    where = f"result {element.get('id', '')!r}"
    if not valid_oid(oid):
        problem = f"has NVT OID {clip(oid, 64)!r}, not an OID" if oid else "has no NVT OID"
        raise ScanParseError(display, f"{where} {problem}")
    host = element.find("host")
    address = (host.text or "").strip() if host is not None else ""
    if not address:
        raise ScanParseError(display, f"{where} names no host")
    port_text = text_of(element, "port")
    port = parse_port(port_text)
    if port is None:
        raise ScanParseError(display, f"{where} has port {clip(port_text, 64)!r}, not a port")
    tags = nvt_tags(text_of(nvt, "tags"))
    cve_texts = [text_of(nvt, "cve")]
    cve_texts += [ref.get("id", "") for ref in element.iterfind("nvt/refs/ref[@type='cve']")]
    return OpenvasResult(
        address=address,
        hostname=text_of(host, "hostname"),
        where=port,
        oid=oid,
        title=one_line(text_of(nvt, "name") or text_of(element, "name") or oid),
        severity=openvas_severity(
            text_of(element, "severity"), text_of(nvt, "cvss_base"), text_of(element, "threat")
        ),
        evidence=clip_evidence(text_of(element, "description") or tags.get("summary", "")),
        cves=cves_in(cve_texts),
        extra=_extra(element, tags),
    )


def _extra(element: Element, tags: dict[str, str]) -> tuple[tuple[str, str], ...]:
    solution = element.find("nvt/solution")
    return extra_pairs(
        (
            ("nvt_family", text_of(element, "nvt/family")),
            ("qod", text_of(element, "qod/value")),
            ("cvss_vector", tags.get("cvss_base_vector", "")),
            ("solution_type", tags.get("solution_type", "") or _attr(solution, "type")),
            ("solution", text_of(solution) or tags.get("solution", "")),
        )
    )


def _attr(element: Element | None, name: str) -> str:
    return element.get(name, "") if element is not None else ""
