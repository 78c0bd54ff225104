"""What the TLS scanner readers (sslscan, sslyze, testssl.sh) judge the same way.

Three tools spell the same facts three ways ("TLSv1", "TLS1", "TLS_1_0"; OpenSSL or IANA
cipher names). This module gives them one vocabulary, so that a TLS 1.0 finding means the
same whichever scanner reported it:

* protocol names are canonical (``SSLv2`` ... ``TLSv1.3``) and rated by their PCI reading:
  SSL is an automatic failure (high), early TLS (1.0, 1.1) fails on CVSS (medium), TLS 1.2
  and 1.3 are a fact, not a weakness (info);
* cipher suites are graded by the token rules, letters as nmap's ssl-enum-ciphers uses
  them: ``F`` for no encryption, no authentication or export strength (NULL, anon,
  EXPORT), ``C`` for broken or 64-bit-block ciphers and short keys (RC4, DES, 3DES, IDEA,
  MD5, fewer than 128 bits), ``A`` otherwise;
* certificate problems (expired, self-signed, weak signature or key) are judged from
  :class:`CertificateFacts` alone.

The verdicts (risks, tokens, limits, titles) are data in ``remediator/common/tls.yml``
(:mod:`remediator.common.tls`); this module applies them to the readers' facts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from remediator.common.tls import tls_judgement
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


def number(text: str) -> int | None:
    """The value of plain ASCII digits (no sign, no spaces inside), else None."""
    text = text.strip().lstrip("0") or ("0" if text.strip() else "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def canonical_protocol(text: str) -> str | None:
    """``SSLv2`` ... ``TLSv1.3`` for any scanner's spelling, None when it names none."""
    return tls_judgement().canonical_protocol(text)


def protocol_severity(protocol: str, scanner_label: str = "") -> Severity:
    """The PCI reading of a protocol being offered at all."""
    return Severity.from_label(SeverityLabel(tls_judgement().risk(protocol)), scanner_label)


def grade_cipher(name: str, bits: int | None = None, *, anonymous: bool = False) -> str:
    """The strength grade of one cipher suite (OpenSSL or IANA name)."""
    return tls_judgement().grade_cipher(name, bits, anonymous=anonymous)


def least_grade(ciphers: Iterable[Cipher]) -> str:
    """The worst grade among ``ciphers`` ('' when there are none); F is worst."""
    return max((c.grade for c in ciphers if c.grade), default="")


def tls_facts(protocol: str, ciphers: Iterable[Cipher]) -> TlsFacts:
    """Facts for one protocol with its (already graded) cipher suites."""
    kept = tuple(ciphers)
    return TlsFacts(protocol, kept, least_grade(kept))


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
    weak = [c for c in facts.ciphers if _weak_label(c.grade) is not None]
    if weak:
        worst = least_grade(weak)
        label = _weak_label(worst) or SeverityLabel.INFO  # worst of weak grades: never INFO
        found.append(
            endpoint.finding(
                f"weak-ciphers:{facts.protocol}",
                f"Weak cipher suites offered with {facts.protocol}",
                Severity.from_label(label, f"grade {worst}"),
                evidence="weak cipher suites: " + " ".join(f"{c.name} ({c.grade})" for c in weak),
                tls=facts,
            )
        )
    return found


def _weak_label(grade: str) -> SeverityLabel | None:
    """The severity of a weak grade (F high, C medium); None for a grade that is not weak."""
    label = tls_judgement().grade_severity(grade)
    return SeverityLabel(label) if label is not None else None


def certificate_findings(endpoint: TlsEndpoint, cert: CertificateFacts) -> list[Finding]:
    """The problems :class:`CertificateFacts` show by themselves (PCI DSS 4.2.1)."""
    problems: list[tuple[str, str]] = []
    if cert.expired:
        problems.append(("expired", f"not after {cert.not_after}"))
    if cert.self_signed:
        problems.append(("self-signed", f"issuer {cert.issuer}"))
    if tls_judgement().weak_signature(cert.signature_algorithm):
        problems.append(("weak-signature", f"signature algorithm {cert.signature_algorithm}"))
    if tls_judgement().short_key(cert.key_type, cert.key_bits):
        problems.append(("weak-key", f"{cert.key_type} {cert.key_bits} bits"))
    return [
        certificate_finding(endpoint, check, f"{evidence}; subject {cert.subject}", cert)
        for check, evidence in problems
    ]


def certificate_finding(
    endpoint: TlsEndpoint, check: str, evidence: str, cert: CertificateFacts
) -> Finding:
    """``<prefix>:certificate:<check>``, titled and weighed by the TLS data's check."""
    rule = tls_judgement().certificate_check(check)
    return endpoint.finding(
        f"certificate:{check}",
        rule.title,
        Severity.from_label(SeverityLabel(rule.severity)),
        evidence=evidence,
        certificate=cert,
    )


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
