"""The TLS scripts of nmap, read into structured facts: ssl-enum-ciphers and ssl-cert.

``ssl-enum-ciphers`` yields one finding per protocol version the server accepts,
``nmap:ssl-enum-ciphers:<version>``, scored by the version alone (SSL high, early TLS
medium, TLS 1.2/1.3 info), plus ``nmap:ssl-enum-ciphers:<version>:weak-ciphers``
(medium) when that version accepts a weak suite. A suite is weak when nmap graded it
C or worse, or "weak", or when its name is a family that is broken today (RC4, DES and
3DES, NULL, EXPORT, anonymous): nmap before 6.47 graded by key length only and called
3DES "strong". Both the structured output of nmap >= 6.47 (``<table key="TLSv1.2">``)
and the older text-only output are read.

``ssl-cert`` yields ``nmap:ssl-cert`` with :class:`CertificateFacts`; it is medium when
the certificate is self-signed, expired at scan time, has a key under 2048 bits or an
MD5/SHA-1 signature (each fails PCI DSS 4.2.1), info otherwise.

The verdicts (protocol risks, nmap's grade ranks and broken families, the key limit and
the ``nmap-ssl-cert`` signature rules) are data in ``remediator/common/tls.yml``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Final

from remediator.common.tls import NMAP_SIGNATURES, expired, tls_judgement
from remediator.ingest.formats._tls_common import protocol_severity
from remediator.ingest.formats.nmap_nse import INFO, NseScript, NseTable, Where, make_finding
from remediator.ingest.model import (
    FIELD_LIMIT,
    CertificateFacts,
    Cipher,
    Finding,
    Severity,
    TlsFacts,
    clip,
)

WEAK_CIPHERS_SCORE: Final = 5.0
WEAK_CERTIFICATE_SCORE: Final = 5.0

_PROTOCOL = re.compile(r"^(?:SSLv[23]|D?TLSv1\.[0-3])$")
_TEXT_PROTOCOL = re.compile(r"^\s*(SSLv[23]|D?TLSv1\.[0-3]):?\s*$")
_TEXT_CIPHER = re.compile(r"\s*([A-Z0-9_]+)(?: \([^)]*\))? - (.+)")
_TEXT_SECTION = re.compile(r"^\s*[A-Za-z][\w ]*(?:\(\d+\)|:)\s*$")


def protocol_score(protocol: str) -> float:
    """SSL is broken and an automatic ASV failure; early TLS fails PCI DSS; 1.2/1.3 are fine."""
    return protocol_severity(protocol).score


def _is_weak(cipher: Cipher) -> bool:
    return tls_judgement().nmap.is_weak(cipher.name, cipher.grade)


def _least(ciphers: tuple[Cipher, ...]) -> str:
    return max((c.grade for c in ciphers), key=tls_judgement().nmap.rank, default="")


def cipher_findings(script: NseScript, where: Where) -> list[Finding]:
    """One finding per accepted protocol version, and one per version with weak suites."""
    versions = _versions_from_tables(script.data) or _versions_from_text(script.output)
    findings: list[Finding] = []
    for protocol, ciphers, notes in versions:
        findings.append(_protocol_finding(where, protocol, ciphers, notes))
        weak = tuple(c for c in ciphers if _is_weak(c))
        if weak:
            findings.append(_weak_finding(where, protocol, weak))
    return findings


Version = tuple[str, tuple[Cipher, ...], tuple[str, ...]]
"""(protocol, accepted ciphers, nmap's warnings) for one protocol version."""


def _versions_from_tables(data: NseTable) -> list[Version]:
    versions: list[Version] = []
    for table in data.tables:
        if not _PROTOCOL.match(table.key):
            continue
        listed = table.table("ciphers")
        entries = listed.tables if listed is not None else ()
        ciphers = tuple(
            Cipher(clip(t.elem("name"), FIELD_LIMIT), clip(t.elem("strength"), FIELD_LIMIT))
            for t in entries
            if t.elem("name")
        )
        warnings = table.table("warnings")
        versions.append((table.key, ciphers, warnings.values() if warnings else ()))
    return versions


def _versions_from_text(output: str) -> list[Version]:
    """The text layout of nmap < 6.47: a version line, then 'Ciphers (n)' and its suites."""
    versions: list[Version] = []
    protocol = ""
    ciphers: list[Cipher] = []
    in_ciphers = False
    for line in output.splitlines():
        header = _TEXT_PROTOCOL.match(line)
        if header:
            if protocol:
                versions.append((protocol, tuple(ciphers), ()))
            protocol, ciphers, in_ciphers = header.group(1), [], False
        elif _TEXT_SECTION.match(line):
            in_ciphers = line.strip().lower().startswith("ciphers")
        elif in_ciphers and protocol and (cipher := _TEXT_CIPHER.match(line)):
            ciphers.append(Cipher(clip(cipher.group(1)), clip(cipher.group(2).strip())))
    if protocol:
        versions.append((protocol, tuple(ciphers), ()))
    return versions


def _protocol_finding(
    where: Where, protocol: str, ciphers: tuple[Cipher, ...], notes: tuple[str, ...]
) -> Finding:
    least = _least(ciphers)
    score = protocol_score(protocol)
    if protocol.startswith("SSL"):
        title = f"{protocol} offered (broken protocol)"
    elif score > 0:
        title = f"{protocol} offered (deprecated early TLS)"
    else:
        title = f"{protocol} offered"
    lines = [f"{c.name} - {c.grade}" for c in ciphers] + [f"warning: {n}" for n in notes]
    return make_finding(
        where,
        f"nmap:ssl-enum-ciphers:{protocol}",
        title,
        Severity(score, least),
        "\n".join(lines),
        tls=TlsFacts(protocol, ciphers, least),
    )


def _weak_finding(where: Where, protocol: str, weak: tuple[Cipher, ...]) -> Finding:
    least = _least(weak)
    return make_finding(
        where,
        f"nmap:ssl-enum-ciphers:{protocol}:weak-ciphers",
        f"Weak cipher suites offered over {protocol} ({len(weak)})",
        Severity(WEAK_CIPHERS_SCORE, least),
        "\n".join(f"{c.name} - {c.grade}" for c in weak),
        tls=TlsFacts(protocol, weak, least),
    )


CERT_TEXT_LIMIT: Final = 16_384
"""The text fields of ssl-cert sit before the PEM block, well within this many characters."""


def certificate_findings(script: NseScript, where: Where) -> list[Finding]:
    """The ``nmap:ssl-cert`` finding with the certificate's facts and its problems."""
    facts = certificate_facts(script, where.source.scan_time)
    problems = certificate_problems(facts)
    title = "TLS certificate" + (f": {', '.join(problems)}" if problems else "")
    severity = Severity(WEAK_CERTIFICATE_SCORE) if problems else INFO
    return [make_finding(where, "nmap:ssl-cert", title, severity, script.output, certificate=facts)]


def certificate_problems(facts: CertificateFacts) -> list[str]:
    """Why the certificate fails PCI DSS 4.2.1, in words; empty when nothing is known wrong."""
    judged = tls_judgement()
    problems: list[str] = []
    if facts.self_signed:
        problems.append("self-signed")
    if facts.expired:
        problems.append("expired")
    # isascii: this reader always compared key types in lower case, where U+017F is no "s"
    if facts.key_type.isascii() and judged.short_key(facts.key_type, facts.key_bits):
        problems.append(f"{facts.key_bits}-bit {facts.key_type.upper()} key")
    if judged.weak_signature(facts.signature_algorithm, NMAP_SIGNATURES):
        problems.append(f"weak signature {facts.signature_algorithm}")
    return problems


def certificate_facts(script: NseScript, scan_time: datetime | None) -> CertificateFacts:
    """Facts from the structured tables, completed from the text lines of older nmap."""
    data = script.data
    text = _text_fields(script.output)
    subject_table, issuer_table = data.table("subject"), data.table("issuer")
    if subject_table is not None and issuer_table is not None:
        subject, issuer = _name(subject_table), _name(issuer_table)
    else:
        subject, issuer = text.get("subject", ""), text.get("issuer", "")
    pubkey = data.table("pubkey") or NseTable()
    validity = data.table("validity") or NseTable()
    not_after = validity.elem("notAfter") or text.get("not valid after", "")
    bits = pubkey.elem("bits") or text.get("public key bits", "")
    return CertificateFacts(
        subject=clip(subject),
        issuer=clip(issuer),
        not_before=clip(validity.elem("notBefore") or text.get("not valid before", "")),
        not_after=clip(not_after),
        key_type=clip(pubkey.elem("type") or text.get("public key type", "")),
        key_bits=int(bits) if bits.isdigit() and len(bits) < 7 else 0,
        signature_algorithm=clip(data.elem("sig_algo") or text.get("signature algorithm", "")),
        self_signed=(subject == issuer) if subject and issuer else None,
        expired=expired(not_after.strip(), scan_time, naive_is_utc=True),
        alt_names=_alt_names(data, text.get("subject alternative name", "")),
    )


def _text_fields(output: str) -> dict[str, str]:
    """``Key: value`` lines of the text output, keys lowercased (first one wins)."""
    fields: dict[str, str] = {}
    for line in output[:CERT_TEXT_LIMIT].splitlines():
        key, colon, value = line.partition(":")
        if colon and key.strip():
            fields.setdefault(key.strip().lower(), value.strip())
    return fields


def _name(table: NseTable) -> str:
    """A distinguished name as nmap prints it: ``commonName=x/organizationName=y``."""
    return "/".join(f"{key}={value}" for key, value in table.elems if key)


def _alt_names(data: NseTable, text: str) -> tuple[str, ...]:
    """SANs without their 'DNS:' / 'IP Address:' prefixes."""
    extensions = data.table("extensions")
    raw = text
    if extensions is not None:
        for extension in extensions.tables:
            if extension.elem("name") == "X509v3 Subject Alternative Name":
                raw = extension.elem("value")
    names = (part.split(":", 1)[-1].strip() for part in raw.split(","))
    return tuple(dict.fromkeys(clip(name) for name in names if name))
