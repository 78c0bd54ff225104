"""Rapid7 Nexpose XML report, format 1.0 and 2.0 (``<NexposeReport version=...>``).

A node is a host: its own ``<tests>`` are host-level (port 0) and each
``<endpoint protocol port status>`` carries a ``<service>`` with its own ``<tests>``.
A test is a finding only when its status starts with ``vulnerable`` (exploited, version,
potential); ``not-vulnerable``, ``skipped-*`` and ``error`` say nothing is known to be
wrong. Test ids join the vulnerability definitions at the end of the file, read in a
first pass (:mod:`._nexpose_defs`).

A scan that did not finish (status ``stopped``, ``aborted``, ``error``...) is still read
for what it found, and every finding says so in ``extra`` (``scan_status``): the absence
of a finding from such a scan is not evidence that anything is fixed.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Final, cast
from xml.etree.ElementTree import Element

from remediator.errors import ScanParseError
from remediator.ingest.formats._nexpose_defs import Definition, ReportSummary, read_summary
from remediator.ingest.formats.base import Head, assemble_host
from remediator.ingest.model import (
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
from remediator.ingest.xmlsafe import iter_elements, root_attributes

FORMAT: Final = "nexpose"
SCANNER: Final = "Rapid7 Nexpose"
HOST_PROTOCOL: Final = "tcp"
"""Protocol of a node-level test (no endpoint), as Nessus reports host-level items."""

_NODE_PASS: Final = frozenset({"node", "nodes"})
_STATES: Final = {"alive": "up", "dead": "down"}
_UNKNOWN: Final = Definition("", "", (), "", ())
_SCORE = re.compile(r"\s*(\d{1,2}(?:\.\d+)?)")


def sniff(head: Head) -> bool:
    """The root element names it."""
    return head.xml_root == "NexposeReport"


def parse(path: Path, display: str) -> Iterator[HostReport]:
    """Stream the nodes of a Nexpose report, joined to the vulnerability definitions."""
    summary = read_summary(path, display)
    version = clip(root_attributes(path, display).get("version", ""), 40)
    source = Source(
        FORMAT,
        display,
        SCANNER,
        version=f"report format {version}" if version else "",
        scan_time=summary.started,
    )
    with closing(_elements(path, display, _NODE_PASS)) as elements:
        for element in elements:
            if element.tag == "nodes":
                return
            yield _node(element, summary, source, display)


def _node(element: Element, summary: ReportSummary, source: Source, display: str) -> HostReport:
    raw_address = element.get("address", "").strip()
    if not raw_address:
        raise ScanParseError(display, "a <node> has no address attribute")
    status = element.get("status", "alive").strip().lower()
    host = ScannedHost(
        normalize_address(raw_address),
        hostnames=tuple(
            dict.fromkeys(clip(n.text.strip()) for n in element.iterfind("names/name") if n.text)
        ),
        state=_STATES.get(status, clip(status, 40)),
        os=_os(element),
    )
    context = _Context(host, summary, source, display)
    findings = [context.finding(test, HOST_PROTOCOL, 0, None) for test in _tests(element)]
    services: list[Service] = []
    for endpoint in element.iter("endpoint"):
        service = _service(endpoint, host.address, display)
        services.append(service)
        for service_element in endpoint.iter("service"):
            findings.extend(
                context.finding(test, service.protocol, service.port, service)
                for test in _tests(service_element)
            )
    return assemble_host(host, services, findings, source)


def _tests(element: Element) -> list[list[Element]]:
    """The element's own vulnerable tests (not those of nested endpoints), grouped by id.

    Nexpose repeats a test once per instance (``key`` = the URL or account it hit); one
    weakness on one port is one finding, so the instances become one finding's evidence.
    """
    groups: dict[str, list[Element]] = {}
    tests = element.find("tests")
    for test in tests if tests is not None else ():
        if test.tag == "test" and test.get("status", "").lower().startswith("vulnerable"):
            groups.setdefault(test.get("id", "").strip().lower(), []).append(test)
    return list(groups.values())


def _best(parent: Element | None, tag: str) -> Element | None:
    """The fingerprint Nexpose is most certain of."""
    candidates = list(parent.iter(tag)) if parent is not None else []
    return max(candidates, key=lambda e: _certainty(e.get("certainty", "")), default=None)


def _certainty(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def _os(node: Element) -> str:
    best = _best(node.find("fingerprints"), "os")
    if best is None:
        return ""
    product = best.get("product") or best.get("family", "")
    return clip(" ".join(part for part in (product, best.get("version", "")) if part))


def _service(endpoint: Element, address: str, display: str) -> Service:
    port_text = endpoint.get("port", "").strip()
    if not (port_text.isdecimal() and len(port_text) <= 5 and int(port_text) <= 65535):
        raise ScanParseError(
            display, f"node {address}: endpoint port {clip(port_text, 40)!r} is not a port number"
        )
    service = endpoint.find("services/service")
    name = service.get("name", "") if service is not None else ""
    print_ = _best(service.find("fingerprints") if service is not None else None, "fingerprint")
    return Service(
        address,
        clip(endpoint.get("protocol", "tcp").strip().lower(), 16),
        int(port_text),
        state=clip(endpoint.get("status", "open").strip().lower(), 40),
        name="" if name in {"", "<unknown>"} else clip(name.lower()),
        product=clip(print_.get("product", "")) if print_ is not None else "",
        version=clip(print_.get("version", "")) if print_ is not None else "",
    )


@dataclass(frozen=True, slots=True)
class _Context:
    """What every finding of one node shares: host, definitions, source, scan status."""

    host: ScannedHost
    summary: ReportSummary
    source: Source
    display: str

    def finding(
        self, tests: list[Element], protocol: str, port: int, service: Service | None
    ) -> Finding:
        """One vulnerable test (all its instances on this port) as a finding."""
        test_id = tests[0].get("id", "").strip().lower()
        if not test_id:
            raise ScanParseError(self.display, f"node {self.host.address}: a <test> has no id")
        definition = self.summary.definitions.get(test_id, _UNKNOWN)
        return Finding(
            host=self.host,
            protocol=protocol,
            port=port,
            check_id=f"nexpose:{clip(test_id, 200)}",
            title=clip(definition.title) or clip(test_id),
            severity=_severity(definition),
            source=self.source,
            service=service,
            evidence=clip_evidence("\n".join(_evidence(test) for test in tests)),
            cves=definition.cves,
            extra=self._extra(tests, definition),
        )

    def _extra(self, tests: list[Element], definition: Definition) -> tuple[tuple[str, str], ...]:
        pairs = [
            ("test_status", _distinct(tests, "status")),
            ("instances", str(len(tests))),
            ("pci_severity", definition.pci_severity),
            ("pci_compliance_status", _distinct(tests, "pci-compliance-status")),
            ("scan_status", ",".join(self.summary.incomplete)),
        ]
        if definition is _UNKNOWN:
            pairs.append(("definition", "missing"))
        return tuple((key, clip(value.strip(), 80)) for key, value in pairs if value.strip())


def _evidence(test: Element) -> str:
    text = " ".join("".join(test.itertext()).split())
    key = test.get("key", "").strip()
    return f"[{key}] {text}" if key else text


def _distinct(tests: list[Element], attribute: str) -> str:
    return ",".join(dict.fromkeys(t.get(attribute, "") for t in tests if t.get(attribute)))


_BANDS: Final = ((8, SeverityLabel.HIGH, "critical"), (4, SeverityLabel.MEDIUM, "severe"))


def _severity(definition: Definition) -> Severity:
    """CVSS (v3, then v2) when given, else Nexpose's own 1-10 severity as a band.

    Nexpose calls 1-3 moderate, 4-7 severe, 8-10 critical; those are read as low,
    medium and high, since the 1-10 scale is Nexpose's risk weighting, not CVSS.
    """
    level = definition.severity.strip()
    label = f"severity {level}" if level else "unrated"
    for text in definition.scores:
        match = _SCORE.match(text)
        if match and 0.0 <= float(match.group(1)) <= 10.0:
            return Severity(float(match.group(1)), label)
    if not (level.isdecimal() and len(level) <= 2):
        return Severity.from_label(SeverityLabel.MEDIUM, label)
    for floor, band, name in _BANDS:
        if int(level) >= floor:
            return Severity.from_label(band, f"{label} ({name})")
    return Severity.from_label(SeverityLabel.LOW, f"{label} (moderate)")


def _elements(path: Path, display: str, tags: frozenset[str]) -> Generator[Element, None, None]:
    """iter_elements as the generator it is, so that a pass can stop early and close it."""
    return cast("Generator[Element, None, None]", iter_elements(path, display, tags))
