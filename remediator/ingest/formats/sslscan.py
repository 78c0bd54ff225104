"""sslscan ``--xml`` output: protocols, cipher suites, Heartbleed and the certificate.

One ``<ssltest host= port=>`` per target. sslscan 1.x lists every cipher it tried with a
``status`` (accepted, preferred, not accepted) and has a bare ``<certificate>``; 2.x adds
``<protocol type= version= enabled=>`` and wraps certificates in ``<certificates>``
(``type="short"`` holds the parsed facts). Both are read.

The host is written as the user typed it (often a name, e.g. ``www.target.com``) and is
kept so: sslscan does not say which address it connected to.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element

from remediator.common.tls import tls_judgement
from remediator.errors import ScanParseError
from remediator.ingest.formats._tls_common import (
    HostGroups,
    TlsEndpoint,
    alt_names,
    canonical_protocol,
    certificate_findings,
    grade_cipher,
    number,
    protocol_findings,
    tls_facts,
)
from remediator.ingest.formats.base import Head
from remediator.ingest.model import (
    CertificateFacts,
    Cipher,
    Finding,
    HostReport,
    ScannedHost,
    Service,
    Severity,
    SeverityLabel,
    Source,
    clip,
    normalize_address,
    parse_ip,
)
from remediator.ingest.xmlsafe import iter_elements, root_attributes, text_of

FORMAT = "sslscan"
_DOCUMENT_TAG = re.compile(r"<document\b[^>]*>", re.IGNORECASE)
_ACCEPTED = frozenset({"accepted", "preferred"})
_HEARTBLEED = Severity(7.5, "vulnerable")
_MEDIUM = Severity.from_label(SeverityLabel.MEDIUM)


def sniff(head: Head) -> bool:
    """A ``<document>`` root whose attributes name SSLScan, holding ``<ssltest>``."""
    if head.xml_root != "document" or "<ssltest" not in head.text:
        return False
    document = _DOCUMENT_TAG.search(head.text)
    return document is not None and "sslscan" in document.group(0).lower()


def parse(path: Path, display: str) -> Iterator[HostReport]:
    """Stream the hosts of an sslscan XML file (one report per address)."""
    version = root_attributes(path, display).get("version", "")
    source = Source(FORMAT, display, "sslscan", clip(version))
    groups = HostGroups()
    for test in iter_elements(path, display, frozenset({"ssltest"})):
        if test.find("error") is not None:
            continue  # sslscan could not connect: nothing was observed on the port
        endpoint = _endpoint(test, source, display)
        groups.add(endpoint.host, [endpoint.service], _findings(test, endpoint))
    yield from groups.reports(source)


def _endpoint(test: Element, source: Source, display: str) -> TlsEndpoint:
    written = test.get("host", "").strip()
    if not written:
        raise ScanParseError(display, "an <ssltest> has no host attribute")
    address = normalize_address(written)
    port = number(test.get("port", ""))
    if port is None or not 0 < port <= 65535:
        bad = clip(test.get("port", ""), 40)
        raise ScanParseError(
            display, f"<ssltest host={clip(written, 80)!r}> has a bad port {bad!r}"
        )
    names = [n for n in (written, test.get("sniname", "").strip()) if n and parse_ip(n) is None]
    host = ScannedHost(address, tuple(dict.fromkeys(clip(n) for n in names)))
    service = Service(address, "tcp", port, tunnel="ssl")
    return TlsEndpoint(host, port, service, source, FORMAT)


def _findings(test: Element, endpoint: TlsEndpoint) -> list[Finding]:
    found: list[Finding] = []
    ciphers = _accepted_ciphers(test)
    for protocol in tls_judgement().protocol_ids:
        if protocol in ciphers:
            found += protocol_findings(endpoint, tls_facts(protocol, ciphers[protocol]))
    found += _heartbleed(test, endpoint)
    found += _session_flaws(test, endpoint)
    certificate = _certificate(test)
    if certificate is not None:
        found += certificate_findings(endpoint, certificate)
    return found


def _accepted_ciphers(test: Element) -> dict[str, list[Cipher]]:
    """Accepted suites per protocol; a protocol enabled with none listed maps to []."""
    ciphers: dict[str, list[Cipher]] = {}
    for element in test.iter("protocol"):
        name = canonical_protocol(f"{element.get('type', '')}v{element.get('version', '')}")
        if name is not None and element.get("enabled") == "1":
            ciphers.setdefault(name, [])
    for element in test.iter("cipher"):
        name = canonical_protocol(element.get("sslversion", ""))
        if name is None or element.get("status", "accepted").strip() not in _ACCEPTED:
            continue
        suite = clip(element.get("cipher", "").strip())
        bits = number(element.get("bits", ""))
        ciphers.setdefault(name, []).append(Cipher(suite, grade_cipher(suite, bits)))
    return ciphers


def _heartbleed(test: Element, endpoint: TlsEndpoint) -> list[Finding]:
    found = []
    for element in test.iter("heartbleed"):
        protocol = canonical_protocol(element.get("sslversion", ""))
        if element.get("vulnerable") != "1" or protocol is None:
            continue
        found.append(
            endpoint.finding(
                f"heartbleed:{protocol}",
                f"OpenSSL Heartbleed (CVE-2014-0160) over {protocol}",
                _HEARTBLEED,
                evidence=f"heartbeat memory disclosure confirmed over {protocol}",
                cves=("CVE-2014-0160",),
            )
        )
    return found


def _session_flaws(test: Element, endpoint: TlsEndpoint) -> list[Finding]:
    found = []
    renegotiation = test.find("renegotiation")
    if (
        renegotiation is not None
        and renegotiation.get("supported") == "1"
        and renegotiation.get("secure") != "1"
    ):
        found.append(
            endpoint.finding(
                "renegotiation:insecure",
                "Insecure TLS renegotiation supported",
                _MEDIUM,
                evidence="renegotiation supported without RFC 5746 protection",
                cves=("CVE-2009-3555",),
            )
        )
    compression = test.find("compression")
    if compression is not None and compression.get("supported") == "1":
        found.append(
            endpoint.finding(
                "compression",
                "TLS compression enabled (CRIME)",
                _MEDIUM,
                evidence="the server accepts TLS-level compression",
                cves=("CVE-2012-4929",),
            )
        )
    return found


def _certificate(test: Element) -> CertificateFacts | None:
    """The leaf certificate's facts: 1.x ``<certificate>``, 2.x ``type="short"``."""
    candidates = [*test.findall("certificate"), *test.findall("certificates/certificate")]
    short = [c for c in candidates if c.get("type", "short") == "short"]
    if not short:
        return None
    cert = short[0]
    pk = cert.find("pk")
    bits = number(pk.get("bits", "")) if pk is not None else None
    signature = text_of(cert, "signature-algorithm").removeprefix("Signature Algorithm:")
    return CertificateFacts(
        subject=clip(text_of(cert, "subject")),
        issuer=clip(text_of(cert, "issuer")),
        not_before=clip(text_of(cert, "not-valid-before")),
        not_after=clip(text_of(cert, "not-valid-after")),
        key_type=clip(pk.get("type", "") if pk is not None else ""),
        key_bits=bits or 0,
        signature_algorithm=clip(signature.strip()),
        self_signed=_flag(text_of(cert, "self-signed")),
        expired=_flag(text_of(cert, "expired")),
        alt_names=alt_names(text_of(cert, "altnames")),
    )


def _flag(text: str) -> bool | None:
    """sslscan's ``true``/``false``; anything else (absent, garbled) is unknown."""
    return {"true": True, "false": False}.get(text.lower())
