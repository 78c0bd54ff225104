"""Nessus v2 (``.nessus``, root ``<NessusClientData_v2>``): streamed one ReportHost at a time.

The file is read by :func:`~remediator.ingest.xmlsafe.stream_elements` (defusedxml's expat,
no tree), so the scan policy at its top costs no memory and a host report is handed on as
soon as its ``</ReportHost>`` has been read.

Host: the address is the ``host-ip`` property, else the ReportHost name (older scans of
NetBIOS names have no host-ip; the name is then kept as written). The names Nessus knows
(the ReportHost name when it is no IP, ``host-fqdn``, ``host-rdns``, ``hostname``,
``netbios-name``) are the hostnames; ``operating-system`` (its first guess) is the OS.

Source: scanner "Nessus", version from the output of plugin 19506 (Nessus Scan
Information, "Nessus version : 10.1.1") of this host or an earlier one in the file, else
empty. Scan time: ``HOST_START_TIMESTAMP`` (UTC); older files have only ``HOST_START``,
the scanner's local time without a zone, which is kept as a naive datetime.

The legacy v1 format (``<NessusClientData>``, Nessus 4) is recognised and refused with a
message saying so: it has another layout, and Nessus 5 and later export v2 only.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from remediator.errors import ScanParseError
from remediator.ingest.formats._nessus_items import item_finding, item_service, scanner_version
from remediator.ingest.formats._nessus_openvas_merge import merge_duplicates
from remediator.ingest.formats._nessus_sink import NessusHostRecord, NessusSink
from remediator.ingest.formats.base import Head, assemble_host
from remediator.ingest.model import (
    Finding,
    HostReport,
    ScannedHost,
    Service,
    Source,
    clip,
    normalize_address,
    parse_ip,
)
from remediator.ingest.xmlsafe import stream_elements

FORMAT: Final = "nessus"
SCANNER: Final = "Nessus"
V2_ROOT: Final = "NessusClientData_v2"
V1_ROOT: Final = "NessusClientData"

_HOSTNAME_PROPERTIES: Final = ("host-fqdn", "host-rdns", "hostname", "netbios-name")
_HOST_START_FORMAT: Final = "%a %b %d %H:%M:%S %Y"
_LAST_TIMESTAMP: Final = 253_402_300_799
"""9999-12-31T23:59:59Z: a larger HOST_START_TIMESTAMP is garbage, not a time."""


def sniff(head: Head) -> bool:
    """A .nessus file, v2 or the legacy v1 (which :func:`parse` refuses with a reason)."""
    return head.xml_root in {V2_ROOT, V1_ROOT}


def parse(path: Path, display: str) -> Iterator[HostReport]:
    """Stream the hosts of a Nessus v2 file, one HostReport per ``<ReportHost>``."""
    _check_root(path, display)
    sink = NessusSink()
    version = ""
    for _ in stream_elements(path, display, sink):
        while sink.done:
            record = sink.done.popleft()
            version = _version(record) or version
            yield host_report(record, display, version)


def _check_root(path: Path, display: str) -> None:
    try:
        root = Head.of(path).xml_root
    except OSError as exc:
        raise ScanParseError(display, f"cannot read file: {exc.strerror}") from exc
    if root == V1_ROOT:
        raise ScanParseError(
            display,
            "this is a Nessus v1 file (<NessusClientData>), which is not supported; "
            "export the scan from Nessus again as a .nessus (v2) file",
        )
    if root != V2_ROOT:
        found = f"<{root}>" if root else "no XML element"
        raise ScanParseError(display, f"not a Nessus v2 file: found {found}, not <{V2_ROOT}>")


def _version(record: NessusHostRecord) -> str:
    for item in record.items:
        if version := scanner_version(item):
            return version
    return ""


def host_report(record: NessusHostRecord, display: str, version: str) -> HostReport:
    """The HostReport of one collected ``<ReportHost>``."""
    host = _scanned_host(record, display)
    source = Source(FORMAT, display, SCANNER, clip(version, 64), _scan_time(record))
    services: dict[tuple[str, int], Service] = {}
    findings: list[Finding] = []
    for item in record.items:
        service = item_service(item, host.address)
        if service is not None:
            service = services.setdefault((service.protocol, service.port), service)
        finding = item_finding(item, host, source, service)
        if finding is not None:
            findings.append(finding)
    return assemble_host(host, services.values(), merge_duplicates(findings), source)


def _scanned_host(record: NessusHostRecord, display: str) -> ScannedHost:
    properties = record.properties
    written = properties.get("host-ip") or record.name
    if not written:
        raise ScanParseError(display, "a <ReportHost> has neither a name nor a host-ip")
    address = normalize_address(written)
    names = [record.name] if record.name and parse_ip(record.name) is None else []
    names += [properties.get(key, "") for key in _HOSTNAME_PROPERTIES]
    hostnames: dict[str, str] = {}
    for name in names:
        if name and name.lower() != address.lower():
            hostnames.setdefault(name.lower(), clip(name))
    os_guesses = properties.get("operating-system", "").splitlines()
    return ScannedHost(
        address, tuple(hostnames.values()), os=clip(os_guesses[0] if os_guesses else "")
    )


def _scan_time(record: NessusHostRecord) -> datetime | None:
    stamp = record.properties.get("HOST_START_TIMESTAMP", "")
    if stamp.isascii() and stamp.isdigit() and int(stamp) <= _LAST_TIMESTAMP:
        return datetime.fromtimestamp(int(stamp), tz=UTC)
    try:
        return datetime.strptime(record.properties.get("HOST_START", ""), _HOST_START_FORMAT)
    except ValueError:
        return None
