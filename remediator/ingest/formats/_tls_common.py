"""What the TLS scanner readers (sslscan, sslyze, testssl.sh) judge the same way.

Three tools spell the same facts three ways ("TLSv1", "TLS1", "TLS_1_0"; OpenSSL or IANA
cipher names). This module gives them one vocabulary, so that a TLS 1.0 finding means the
same whichever scanner reported it:

* protocol names are canonical (``SSLv2`` ... ``TLSv1.3``) and rated by their PCI reading:
  SSL is an automatic failure (high), early TLS (1.0, 1.1) fails on CVSS (medium), TLS 1.2
  and 1.3 are a fact, not a weakness (info);
* cipher suites are graded by a small table, letters as nmap's ssl-enum-ciphers uses them:
  ``F`` for no encryption, no authentication or export strength (NULL, anon, EXPORT),
  ``C`` for broken or 64-bit-block ciphers and short keys (RC4, DES, 3DES, IDEA, MD5,
  fewer than 128 bits), ``A`` otherwise;
* certificate problems (expired, self-signed, weak signature or key) are judged from
  :class:`CertificateFacts` alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Final

from remediator.ingest.formats.base import assemble_host
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
    TlsFacts,
    clip,
    clip_evidence,
)

PROTOCOLS: Final = ("SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3")
"""Canonical protocol names, oldest first (the order findings are emitted in)."""

_PROTOCOL_KEYS: Final = {
    "SSL2": "SSLv2",
    "SSL20": "SSLv2",
    "SSL3": "SSLv3",
    "SSL30": "SSLv3",
    "TLS1": "TLSv1.0",
    "TLS10": "TLSv1.0",
    "TLS11": "TLSv1.1",
    "TLS12": "TLSv1.2",
    "TLS13": "TLSv1.3",
}

_PROTOCOL_RISK: Final = {
    "SSLv2": SeverityLabel.HIGH,
    "SSLv3": SeverityLabel.HIGH,
    "TLSv1.0": SeverityLabel.MEDIUM,
    "TLSv1.1": SeverityLabel.MEDIUM,
}

_BROKEN_TOKENS: Final = frozenset(
    {"NULL", "EXP", "EXPORT", "EXP1024", "EXPORT1024", "ADH", "AECDH", "ANON"}
)
_WEAK_TOKENS: Final = frozenset({"RC4", "RC2", "DES", "DES40", "3DES", "CBC3", "IDEA", "MD5"})
_GRADE_SEVERITY: Final = {"F": SeverityLabel.HIGH, "C": SeverityLabel.MEDIUM}
_WEAK_SIGNATURE = re.compile(r"md2|md4|md5|sha-?1(?![0-9])", re.IGNORECASE)
_SIZED_KEY_TYPES: Final = frozenset({"RSA", "DSA", "DH"})


def number(text: str) -> int | None:
    """The value of plain ASCII digits (no sign, no spaces inside), else None."""
    text = text.strip().lstrip("0") or ("0" if text.strip() else "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def canonical_protocol(text: str) -> str | None:
    """``SSLv2`` ... ``TLSv1.3`` for any scanner's spelling, None when it names none."""
    key = re.sub(r"[V\s._-]", "", text.strip().upper())
    return _PROTOCOL_KEYS.get(key)


def protocol_severity(protocol: str, scanner_label: str = "") -> Severity:
    """The PCI reading of a protocol being offered at all."""
    label = _PROTOCOL_RISK.get(protocol, SeverityLabel.INFO)
    return Severity.from_label(label, scanner_label)


def grade_cipher(name: str, bits: int | None = None, *, anonymous: bool = False) -> str:
    """The strength grade of one cipher suite (OpenSSL or IANA name)."""
    tokens = set(re.split(r"[-_\s]+", name.upper()))
    if anonymous or tokens & _BROKEN_TOKENS or bits == 0:
        return "F"
    if tokens & _WEAK_TOKENS or (bits is not None and bits < 128):
        return "C"
    return "A"


def least_grade(ciphers: Iterable[Cipher]) -> str:
    """The worst grade among ``ciphers`` ('' when there are none); F is worst."""
    return max((c.grade for c in ciphers if c.grade), default="")


def tls_facts(protocol: str, ciphers: Iterable[Cipher]) -> TlsFacts:
    """Facts for one protocol with its (already graded) cipher suites."""
    kept = tuple(ciphers)
    return TlsFacts(protocol, kept, least_grade(kept))


def is_weak_signature(algorithm: str) -> bool:
    """Whether a certificate signature algorithm uses MD5 or SHA-1 (collision attacks)."""
    return bool(_WEAK_SIGNATURE.search(algorithm))


@dataclass(frozen=True)
class TlsEndpoint:
    """One scanned TLS port: everything its findings share."""

    host: ScannedHost
    port: int
    service: Service
    source: Source
    prefix: str

    def finding(
        self,
        check: str,
        title: str,
        severity: Severity,
        *,
        evidence: str = "",
        cves: tuple[str, ...] = (),
        tls: TlsFacts | None = None,
        certificate: CertificateFacts | None = None,
        extra: tuple[tuple[str, str], ...] = (),
    ) -> Finding:
        """A finding on this endpoint, its check id namespaced by the scanner."""
        return Finding(
            host=self.host,
            protocol="tcp",
            port=self.port,
            check_id=f"{self.prefix}:{check}",
            title=clip(title),
            severity=severity,
            source=self.source,
            service=self.service,
            evidence=clip_evidence(evidence),
            cves=cves,
            tls=tls,
            certificate=certificate,
            extra=extra,
        )


def protocol_findings(
    endpoint: TlsEndpoint, facts: TlsFacts, scanner_label: str = ""
) -> list[Finding]:
    """``<prefix>:protocol:<name>`` for an offered protocol, plus weak suites if any.

    Offering a protocol and offering weak suites under it are two weaknesses with two
    fixes (turn the protocol off; change the cipher list), so they get two keys.
    """
    names = " ".join(c.name for c in facts.ciphers)
    found = [
        endpoint.finding(
            f"protocol:{facts.protocol}",
            f"{facts.protocol} offered",
            protocol_severity(facts.protocol, scanner_label),
            evidence=f"accepted cipher suites: {names}" if names else "",
            tls=facts,
        )
    ]
    weak = [c for c in facts.ciphers if c.grade in _GRADE_SEVERITY]
    if weak:
        worst = least_grade(weak)
        found.append(
            endpoint.finding(
                f"weak-ciphers:{facts.protocol}",
                f"Weak cipher suites offered with {facts.protocol}",
                Severity.from_label(_GRADE_SEVERITY[worst], f"grade {worst}"),
                evidence="weak cipher suites: " + " ".join(f"{c.name} ({c.grade})" for c in weak),
                tls=facts,
            )
        )
    return found


def certificate_findings(endpoint: TlsEndpoint, cert: CertificateFacts) -> list[Finding]:
    """The problems :class:`CertificateFacts` show by themselves (PCI DSS 4.2.1)."""
    medium = Severity.from_label(SeverityLabel.MEDIUM)
    problems: list[tuple[str, str, str]] = []
    if cert.expired:
        problems.append(("expired", "TLS certificate has expired", f"not after {cert.not_after}"))
    if cert.self_signed:
        problems.append(("self-signed", "Self-signed TLS certificate", f"issuer {cert.issuer}"))
    if is_weak_signature(cert.signature_algorithm):
        problems.append(
            (
                "weak-signature",
                "TLS certificate signed with a weak hash",
                f"signature algorithm {cert.signature_algorithm}",
            )
        )
    if cert.key_type.upper() in _SIZED_KEY_TYPES and 0 < cert.key_bits < 2048:
        problems.append(
            (
                "weak-key",
                "TLS certificate key is too short",
                f"{cert.key_type} {cert.key_bits} bits",
            )
        )
    return [
        endpoint.finding(
            f"certificate:{check}",
            title,
            medium,
            evidence=f"{evidence}; subject {cert.subject}",
            certificate=cert,
        )
        for check, title, evidence in problems
    ]


_SAN_PREFIX = re.compile(r"^(?:DNS|IP Address|IP|email|URI|DirName|Registered ID):\s*", re.I)


def alt_names(text: str) -> tuple[str, ...]:
    """Names out of an OpenSSL-style list: ``DNS:a.example, IP Address:192.0.2.1``."""
    names = (_SAN_PREFIX.sub("", part.strip()) for part in text.split(","))
    return tuple(clip(name) for name in names if name)


class HostGroups:
    """Findings collected per address, so a host scanned on several ports is one report.

    The TLS tools write one record per ``host:port``; the rest of remediator counts hosts,
    so records of one address are merged (their host names joined) before assembly.
    """

    def __init__(self) -> None:
        self._names: dict[str, dict[str, None]] = {}
        self._services: dict[str, list[Service]] = {}
        self._findings: dict[str, list[Finding]] = {}

    def add(
        self, host: ScannedHost, services: Iterable[Service], findings: Iterable[Finding]
    ) -> None:
        """Record one endpoint's services and findings under its host's address."""
        self._names.setdefault(host.address, {}).update(dict.fromkeys(host.hostnames))
        self._services.setdefault(host.address, []).extend(services)
        self._findings.setdefault(host.address, []).extend(findings)

    def reports(self, source: Source) -> Iterator[HostReport]:
        """One report per address, in the order addresses were first seen."""
        for address, names in self._names.items():
            host = ScannedHost(address, tuple(names))
            findings = (replace(f, host=host) for f in self._findings[address])
            yield assemble_host(host, self._services[address], findings, source)
