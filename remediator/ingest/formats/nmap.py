"""nmap XML (``-oX``), streamed: one HostReport per ``<host>``, as soon as it closes.

The file goes through defusedxml's expat parser into :class:`.nmap_sink.NmapSink`, which keeps
only the host being read; completed hosts are handed on after every chunk, so memory
stays flat however many hosts the scan has. What is read:

* every ``<host>``, down ones too (no services), so host counts are exact; each IPv4 or
  IPv6 ``<address>`` (a MAC is not an address) with the host's hostnames of any type,
  de-duplicated, its state and the name of its most accurate ``<osmatch>``;
* every ``<port>``, whatever its state, as a Service (``<extraports>`` are summaries,
  not services); open and open|filtered ports get their ``port-open`` finding;
* every ``<script>`` of a port, as findings on that port (see :mod:`.nmap_nse` and
  :mod:`.nmap_tls`), and every ``<hostscript>`` script as a finding on protocol
  ``"ip"``, port 0: it is about the host, not one port;
* a ``<hosthint>`` (verbose scans announce up hosts early) whose ``<host>`` never comes
  is still reported as an up host without services, once the file is read, so hosts
  up match nmap's own run statistics. ``<prescript>``/``<postscript>`` results are
  about no host and are skipped.

Source times are the host's ``starttime``, else the run's ``start``. A truncated file
(no ``</nmaprun>``) fails with a ScanParseError after the hosts before the cut.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from remediator.errors import ScanParseError
from remediator.ingest.formats.base import Head, assemble_host
from remediator.ingest.formats.nmap_nse import NseScript, Where, generic_findings
from remediator.ingest.formats.nmap_sink import NmapHostRecord, NmapSink
from remediator.ingest.formats.nmap_tls import certificate_findings, cipher_findings
from remediator.ingest.model import Finding, HostReport, ScannedHost, Service, Source
from remediator.ingest.xmlsafe import stream_elements

FORMAT: Final = "nmap"
HOST_PROTOCOL: Final = "ip"
"""Protocol of host-script findings (port 0): they concern the address, no one port."""

ScriptReader = Callable[[NseScript, Where], list[Finding]]
SCRIPT_READERS: Final[dict[str, ScriptReader]] = {
    "ssl-enum-ciphers": cipher_findings,
    "ssl-cert": certificate_findings,
}
"""Scripts with structured readers; every other script goes to ``generic_findings``."""

_SCANNER = re.compile(r"<nmaprun\b[^>]{0,4096}?\sscanner\s*=\s*[\"']([^\"'>]{0,64})[\"']")


def root_scanner(head: Head) -> str | None:
    """The ``scanner`` attribute of the ``<nmaprun>`` root: nmap and masscan share the root."""
    start = head.text.find("<nmaprun")
    found = _SCANNER.match(head.text, start) if start >= 0 else None
    return found.group(1) if found else None


def sniff(head: Head) -> bool:
    """An ``<nmaprun>`` written by nmap itself (masscan -oX has the same root)."""
    return head.xml_root == "nmaprun" and root_scanner(head) in {None, "nmap"}


def parse(path: Path, display: str) -> Iterator[HostReport]:
    """Stream the hosts of an nmap XML file."""
    sink = NmapSink()
    sources = _Sources(display, sink)
    for _ in stream_elements(path, display, sink):
        for record in sink.ready:
            yield from _reports(record, sources.of(record.start))
        sink.ready.clear()
    if not sink.seen_root:
        raise ScanParseError(display, "no <nmaprun> element: not nmap XML output")
    for scanned in sink.hints.values():
        yield HostReport(scanned)


class _Sources:
    """One Source per distinct host start time: nmap scans hosts in groups."""

    def __init__(self, display: str, sink: NmapSink) -> None:
        self._display = display
        self._sink = sink
        self._known: dict[str, Source] = {}

    def of(self, start: str) -> Source:
        source = self._known.get(start)
        if source is None:
            if len(self._known) > 64:
                self._known.clear()
            when = _timestamp(start) or _timestamp(self._sink.run_start)
            source = Source(FORMAT, self._display, "nmap", self._sink.version, when)
            self._known[start] = source
        return source


def _timestamp(text: str) -> datetime | None:
    if not text.isdigit() or len(text) > 12:
        return None
    return datetime.fromtimestamp(int(text), tz=UTC)


def _reports(record: NmapHostRecord, source: Source) -> Iterator[HostReport]:
    """One HostReport per address of a finished host (nmap writes one)."""
    hostnames = tuple(dict.fromkeys(record.hostnames))
    for address in record.addresses:
        scanned = ScannedHost(address, hostnames, record.state, record.os)
        yield _report(scanned, record, source)


def _report(scanned: ScannedHost, record: NmapHostRecord, source: Source) -> HostReport:
    address = scanned.address
    services: list[Service] = []
    findings: list[Finding] = []
    for port in record.ports:
        name, product, version, extra, tunnel = port.service
        service = Service(
            address,
            port.protocol,
            port.port,
            port.state,
            name,
            product,
            version,
            extra,
            tunnel,
            port.cpes,
        )
        services.append(service)
        for script in port.scripts:
            findings += _script(script, Where(scanned, port.protocol, port.port, service, source))
    for script in record.scripts:
        findings += _script(script, Where(scanned, HOST_PROTOCOL, 0, None, source))
    return assemble_host(scanned, services, findings, source)


def _script(script: NseScript, where: Where) -> list[Finding]:
    reader = SCRIPT_READERS.get(script.id, generic_findings)
    return reader(script, where)
