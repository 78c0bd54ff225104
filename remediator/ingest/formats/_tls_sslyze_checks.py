"""sslyze's vulnerability checks and certificate results, read into findings.

Kept apart from :mod:`sslyze` so each check is one table row: the command, the result key
and value that mean "vulnerable", and what that is called and weighs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from remediator.common.tls import expired
from remediator.ingest.formats._tls_common import TlsEndpoint, certificate_finding
from remediator.ingest.model import (
    CertificateFacts,
    Finding,
    Severity,
    SeverityLabel,
    clip,
)

Lookup = Callable[[str], Mapping[str, Any] | None]


@dataclass(frozen=True)
class _Check:
    """One yes/no sslyze check: ``result[key] is vulnerable_when`` means a finding."""

    command: str
    key: str
    vulnerable_when: bool
    check: str
    title: str
    label: SeverityLabel
    cves: tuple[str, ...] = ()


_CHECKS: Final = (
    _Check(
        "heartbleed",
        "is_vulnerable_to_heartbleed",
        True,
        "heartbleed",
        "OpenSSL Heartbleed (CVE-2014-0160)",
        SeverityLabel.HIGH,
        ("CVE-2014-0160",),
    ),
    _Check(
        "openssl_ccs_injection",
        "is_vulnerable_to_ccs_injection",
        True,
        "openssl-ccs-injection",
        "OpenSSL ChangeCipherSpec injection (CVE-2014-0224)",
        SeverityLabel.HIGH,
        ("CVE-2014-0224",),
    ),
    _Check(
        "tls_compression",
        "supports_compression",
        True,
        "tls_compression",
        "TLS compression enabled (CRIME)",
        SeverityLabel.MEDIUM,
        ("CVE-2012-4929",),
    ),
    _Check(
        "session_renegotiation",
        "supports_secure_renegotiation",
        False,
        "session_renegotiation:insecure",
        "Secure renegotiation (RFC 5746) not supported",
        SeverityLabel.MEDIUM,
        ("CVE-2009-3555",),
    ),
    _Check(
        "session_renegotiation",
        "is_vulnerable_to_client_renegotiation_dos",
        True,
        "session_renegotiation:client-dos",
        "Client-initiated renegotiation accepted (denial of service)",
        SeverityLabel.MEDIUM,
        ("CVE-2011-1473",),
    ),
    _Check(
        "tls_1_3_early_data",
        "supports_early_data",
        True,
        "tls_1_3_early_data",
        "TLS 1.3 early data (0-RTT, replayable) accepted",
        SeverityLabel.LOW,
    ),
)


def vulnerability_findings(lookup: Lookup, endpoint: TlsEndpoint, offered: int) -> list[Finding]:
    """Findings for every check that came back positive.

    A missing fallback SCSV only matters when there is an older protocol to fall back
    to, so it is reported only when the server offers more than one protocol version.
    """
    found = []
    for check in _CHECKS:
        result = lookup(check.command)
        if result is not None and result.get(check.key) is check.vulnerable_when:
            found.append(
                endpoint.finding(
                    check.check,
                    check.title,
                    Severity.from_label(check.label),
                    evidence=f"{check.command}: {check.key} is {check.vulnerable_when}",
                    cves=check.cves,
                )
            )
    found += _robot(lookup, endpoint)
    fallback = lookup("tls_fallback_scsv")
    if fallback is not None and fallback.get("supports_fallback_scsv") is False and offered > 1:
        found.append(
            endpoint.finding(
                "tls_fallback_scsv",
                "TLS_FALLBACK_SCSV not supported (protocol downgrade possible)",
                Severity.from_label(SeverityLabel.LOW),
                evidence="tls_fallback_scsv: supports_fallback_scsv is false",
            )
        )
    return found


def _robot(lookup: Lookup, endpoint: TlsEndpoint) -> list[Finding]:
    result = lookup("robot")
    verdict = result.get("robot_result") if result is not None else None
    if not isinstance(verdict, str) or not verdict.startswith("VULNERABLE"):
        return []
    strong = verdict == "VULNERABLE_STRONG_ORACLE"
    label = SeverityLabel.HIGH if strong else SeverityLabel.MEDIUM
    return [
        endpoint.finding(
            "robot",
            "ROBOT: RSA key exchange padding oracle",
            Severity.from_label(label, clip(verdict, 64)),
            evidence=f"robot: {clip(verdict, 64)}",
            cves=("CVE-2017-13099",),
        )
    ]


def _text(data: object, *path: str) -> str:
    """The string at ``path`` inside nested objects, '' when any step is missing."""
    for key in path:
        if not isinstance(data, Mapping):
            return ""
        data = data.get(key)
    return clip(data) if isinstance(data, str) else ""


def _leaf(deployment: object) -> Mapping[str, Any] | None:
    chain = (
        deployment.get("received_certificate_chain") if isinstance(deployment, Mapping) else None
    )
    leaf = chain[0] if isinstance(chain, list) and chain else None
    return leaf if isinstance(leaf, Mapping) else None


def certificate_facts(deployment: object, scan_time: datetime | None) -> CertificateFacts | None:
    """The leaf certificate of one deployment; self-signed means subject equals issuer."""
    leaf = _leaf(deployment)
    if leaf is None:
        return None
    subject = _text(leaf, "subject", "rfc4514_string")
    issuer = _text(leaf, "issuer", "rfc4514_string")
    key = leaf.get("public_key")
    bits = key.get("key_size") if isinstance(key, Mapping) else None
    san = leaf.get("subject_alternative_name")
    names: list[str] = []
    if isinstance(san, Mapping):
        for field in ("dns_names", "ip_addresses"):
            values = san.get(field)
            names += (
                [clip(v) for v in values if isinstance(v, str)] if isinstance(values, list) else []
            )
    not_after = _text(leaf, "not_valid_after")
    return CertificateFacts(
        subject=subject,
        issuer=issuer,
        not_before=_text(leaf, "not_valid_before"),
        not_after=not_after,
        key_type=_text(leaf, "public_key", "algorithm").removesuffix("PublicKey"),
        key_bits=bits if isinstance(bits, int) and not isinstance(bits, bool) else 0,
        signature_algorithm=_text(leaf, "signature_algorithm_oid", "name")
        or _text(leaf, "signature_hash_algorithm", "name"),
        self_signed=(subject == issuer) if subject and issuer else None,
        expired=expired(not_after, scan_time),
        alt_names=tuple(names),
    )


def certificate_problems(
    deployment: Mapping[str, Any], cert: CertificateFacts, endpoint: TlsEndpoint
) -> list[Finding]:
    """What only sslyze's validation knows: trust, host name match, SHA-1 in the chain."""
    found = []
    validations = deployment.get("path_validation_results")
    checked = (
        [v for v in validations if isinstance(v, Mapping)] if isinstance(validations, list) else []
    )
    if checked and not any(v.get("was_validation_successful") is True for v in checked):
        reasons = "; ".join(sorted({_text(v, "validation_error") for v in checked} - {""}))
        evidence = f"no trust store validates the chain: {reasons or 'no reason given'}"
        found.append(certificate_finding(endpoint, "untrusted", evidence, cert))
    if deployment.get("leaf_certificate_subject_matches_hostname") is False:
        evidence = f"subject {cert.subject}; names {', '.join(cert.alt_names)}"
        found.append(certificate_finding(endpoint, "hostname-mismatch", evidence, cert))
    if deployment.get("verified_chain_has_sha1_signature") is True:
        evidence = "verified_chain_has_sha1_signature is true"
        found.append(certificate_finding(endpoint, "sha1-chain", evidence, cert))
    return found
