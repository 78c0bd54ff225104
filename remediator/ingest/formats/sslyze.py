"""sslyze ``--json_out`` output (sslyze 5 and later): protocols, suites, checks, certificate.

Every ``server_scan_results[]`` entry is one ``host:port``. Each scan command sits under
``scan_result.<command>`` as ``{"status": ..., "result": {...}}``; only COMPLETED results
are read, so a command that errored is silence, not a clean bill. Findings:

* ``sslyze:protocol:<TLSv1.0>`` per accepted protocol, with its suites graded, and
  ``sslyze:weak-ciphers:<TLSv1.0>`` when weak suites are among them;
* ``sslyze:<check>`` for each vulnerability check that came back positive, named after
  sslyze's scan command (``heartbleed``, ``robot``, ``tls_compression``,
  ``session_renegotiation:insecure``; CCS injection is ``openssl-ccs-injection``, the
  spelling nmap's script and the classify catalog use);
* ``sslyze:certificate:<problem>`` for expired, self-signed, untrusted, mismatched or weak
  certificates. "Expired" is judged at the scan's start time, not today, so a report
  reads the same whenever it is ingested.

The address is the IP sslyze connected to, else the hostname as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from remediator.common.tls import tls_judgement
from remediator.errors import ScanParseError
from remediator.ingest.formats._tls_common import (
    HostGroups,
    TlsEndpoint,
    certificate_findings,
    grade_cipher,
    protocol_findings,
    tls_facts,
)
from remediator.ingest.formats._tls_sslyze_checks import (
    certificate_facts,
    certificate_problems,
    vulnerability_findings,
)
from remediator.ingest.formats.base import Head
from remediator.ingest.jsonbound import load_document
from remediator.ingest.model import (
    Cipher,
    Finding,
    HostReport,
    ScannedHost,
    Service,
    Source,
    clip,
    normalize_address,
)

FORMAT = "sslyze"
MAX_BYTES: Final = 256 << 20
"""The document is read whole; larger files are refused (the reader refuses them too)."""
MAX_EXPANSION: Final = 8
"""Bytes of decoded values allowed per byte of text (:mod:`remediator.ingest.jsonbound`);
real sslyze 5/6 output is estimated at about 2."""
_RESULTS_KEY = re.compile(r'"server_scan_results"\s*:')


def sniff(head: Head) -> bool:
    """A JSON object with sslyze's ``server_scan_results`` key (a key, not quoted text)."""
    return head.text.lstrip().startswith("{") and _RESULTS_KEY.search(head.text) is not None


def parse(path: Path, display: str) -> Iterator[HostReport]:
    """Stream the hosts of an sslyze JSON file (one report per address)."""
    document = _load(path, display)
    servers = document.get("server_scan_results")
    if not isinstance(servers, list):
        raise ScanParseError(display, "server_scan_results is not a list")
    scan_time = _time(document.get("date_scans_started"))
    version = document.get("sslyze_version")
    source = Source(
        FORMAT, display, "sslyze", clip(version) if isinstance(version, str) else "", scan_time
    )
    groups = HostGroups()
    for index, server in enumerate(servers):
        if not isinstance(server, Mapping):
            raise ScanParseError(display, f"server_scan_results[{index}] is not an object")
        if "scan_commands_results" in server:
            raise ScanParseError(
                display, "sslyze JSON from before version 5 is not supported; rerun with sslyze 5+"
            )
        if server.get("connectivity_status", "COMPLETED") != "COMPLETED":
            continue  # sslyze could not connect: nothing was observed on the port
        endpoint = _endpoint(server, f"server_scan_results[{index}]", source, display)
        results = server.get("scan_result")
        commands = results if isinstance(results, Mapping) else {}
        groups.add(endpoint.host, [endpoint.service], _findings(commands, endpoint, scan_time))
    yield from groups.reports(source)


def _load(path: Path, display: str) -> Mapping[str, Any]:
    document = load_document(path, display, max_bytes=MAX_BYTES, ratio=MAX_EXPANSION)
    if not isinstance(document, Mapping):
        raise ScanParseError(display, "the sslyze document is not a JSON object")
    return document


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _endpoint(server: Mapping[str, Any], where: str, source: Source, display: str) -> TlsEndpoint:
    location = server.get("server_location")
    if not isinstance(location, Mapping):
        raise ScanParseError(display, f"{where}.server_location is missing")
    hostname = location.get("hostname")
    ip = location.get("ip_address")
    port = location.get("port")
    written = ip if isinstance(ip, str) and ip.strip() else hostname
    if not isinstance(written, str) or not written.strip():
        raise ScanParseError(display, f"{where}.server_location has no ip_address or hostname")
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port <= 65535:
        raise ScanParseError(display, f"{where}.server_location.port {port!r} is not a port")
    address = normalize_address(written)
    names = (clip(hostname.strip()),) if isinstance(hostname, str) and hostname.strip() else ()
    host = ScannedHost(address, names)
    service = Service(address, "tcp", port, tunnel="ssl")
    return TlsEndpoint(host, port, service, source, FORMAT)


def completed(commands: Mapping[str, Any], command: str) -> Mapping[str, Any] | None:
    """The result of ``command`` when it ran to completion, else None."""
    attempt = commands.get(command)
    if not isinstance(attempt, Mapping) or attempt.get("status") != "COMPLETED":
        return None
    result = attempt.get("result")
    return result if isinstance(result, Mapping) else None


def _findings(
    commands: Mapping[str, Any], endpoint: TlsEndpoint, scan_time: datetime | None
) -> list[Finding]:
    found: list[Finding] = []
    offered = 0
    for command, protocol in tls_judgement().scanner_protocols("sslyze").items():
        result = completed(commands, command)
        if result is None:
            continue
        ciphers = _accepted(result)
        if ciphers or result.get("is_tls_version_supported") is True:
            offered += 1
            found += protocol_findings(endpoint, tls_facts(protocol, ciphers))
    found += vulnerability_findings(lambda name: completed(commands, name), endpoint, offered)
    certificates = completed(commands, "certificate_info")
    deployments = certificates.get("certificate_deployments") if certificates else None
    for deployment in deployments if isinstance(deployments, list) else []:
        facts = certificate_facts(deployment, scan_time)
        if facts is not None:
            found += certificate_findings(endpoint, facts)
            found += certificate_problems(deployment, facts, endpoint)
    return found


def _accepted(result: Mapping[str, Any]) -> list[Cipher]:
    suites = result.get("accepted_cipher_suites")
    ciphers = []
    for entry in suites if isinstance(suites, list) else []:
        suite = entry.get("cipher_suite") if isinstance(entry, Mapping) else None
        if not isinstance(suite, Mapping) or not isinstance(suite.get("name"), str):
            continue
        name = clip(suite["name"])
        bits = suite.get("key_size")
        size = bits if isinstance(bits, int) and not isinstance(bits, bool) else None
        anonymous = suite.get("is_anonymous") is True
        ciphers.append(Cipher(name, grade_cipher(name, size, anonymous=anonymous)))
    return ciphers
