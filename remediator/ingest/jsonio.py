"""Findings as JSON: the ``remediator/findings/v1`` document, both ways.

The writer is what ``remediator ingest --json`` prints; the reader takes the same shape
back (later stages accept a findings file in place of a scan, and the plain JSON input
format for "any other scanner" is this document, documented in docs/formats.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from remediator.errors import ScanParseError
from remediator.ingest.model import (
    PORT_OPEN,
    CertificateFacts,
    Cipher,
    Finding,
    ScannedHost,
    Service,
    Severity,
    SeverityLabel,
    Source,
    TlsFacts,
    clip,
    clip_evidence,
    normalize_address,
)

SCHEMA: Final = "remediator/findings/v1"
PROTOCOLS: Final = frozenset({"tcp", "udp", "sctp", "ip", "icmp"})


def finding_to_dict(finding: Finding, inventory_host: str | None) -> dict[str, Any]:
    """The JSON object of one finding (keys documented in docs/formats.md)."""
    service = finding.service or Service(finding.address, finding.protocol, finding.port, "")
    return {
        "address": finding.address,
        "host": inventory_host,
        "hostnames": list(finding.host.hostnames),
        "host_state": finding.host.state,
        "os": finding.host.os,
        "protocol": finding.protocol,
        "port": finding.port,
        "state": service.state,
        "service": service.name,
        "product": service.product,
        "version": service.version,
        "extra_info": service.extra_info,
        "tunnel": service.tunnel,
        "cpes": list(service.cpes),
        "check_id": finding.check_id,
        "title": finding.title,
        "severity": finding.severity.score,
        "severity_label": finding.severity.label.value,
        "scanner_severity": finding.severity.scanner_label,
        "evidence": finding.evidence,
        "cves": list(finding.cves),
        "tls": _tls_to_dict(finding.tls),
        "certificate": _certificate_to_dict(finding.certificate),
        "extra": dict(finding.extra),
        "source": {
            "format": finding.source.format,
            "file": finding.source.file,
            "scanner": finding.source.scanner,
            "version": finding.source.version,
            "scan_time": finding.source.scan_time.isoformat() if finding.source.scan_time else None,
        },
    }


def _tls_to_dict(tls: TlsFacts | None) -> dict[str, Any] | None:
    if tls is None:
        return None
    return {
        "protocol": tls.protocol,
        "ciphers": [{"name": c.name, "grade": c.grade} for c in tls.ciphers],
        "least_grade": tls.least_grade,
    }


def _certificate_to_dict(cert: CertificateFacts | None) -> dict[str, Any] | None:
    if cert is None:
        return None
    return {
        "subject": cert.subject,
        "issuer": cert.issuer,
        "not_before": cert.not_before,
        "not_after": cert.not_after,
        "key_type": cert.key_type,
        "key_bits": cert.key_bits,
        "signature_algorithm": cert.signature_algorithm,
        "self_signed": cert.self_signed,
        "expired": cert.expired,
        "alt_names": list(cert.alt_names),
    }


class _Fields:
    """Typed access to one untrusted JSON object, errors naming the field."""

    def __init__(self, data: object, where: str, display: str) -> None:
        if not isinstance(data, Mapping):
            raise ScanParseError(display, f"{where}: expected an object")
        self.data: Mapping[str, Any] = data
        self.where = where
        self.display = display

    def fail(self, key: str, problem: str) -> ScanParseError:
        return ScanParseError(self.display, f"{self.where}.{key}: {problem}")

    def text(self, key: str, default: str = "", limit: int = 512) -> str:
        value = self.data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.fail(key, "expected text")
        return clip(str(value), limit)

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "expected a list of text")
        return tuple(clip(v) for v in value)

    def required(self, key: str) -> object:
        if key not in self.data or self.data[key] in (None, ""):
            raise self.fail(key, "is required")
        return self.data[key]

    def port(self) -> int:
        value = self.required("port")
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise self.fail("port", f"{value!r} is not a port")
        if isinstance(value, str) and not (value.isascii() and value.isdigit()):
            raise self.fail("port", f"{value!r} is not a port")
        port = int(value)
        if not 0 <= port <= 65535:
            raise self.fail("port", f"{port} is not a port")
        return port

    def protocol(self) -> str:
        value = self.text("protocol", "tcp").lower()
        if value not in PROTOCOLS:
            raise self.fail("protocol", f"{value!r} is not one of {', '.join(sorted(PROTOCOLS))}")
        return value

    def severity(self) -> Severity:
        value = self.data.get("severity", 0.0)
        label = self.text("scanner_severity")
        if isinstance(value, str):
            try:
                return Severity.from_label(SeverityLabel(value.lower()), label or value)
            except ValueError:
                raise self.fail("severity", f"{value!r} is not a score or a label") from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail("severity", f"{value!r} is not a score")
        if not 0 <= value <= 10:
            raise self.fail("severity", f"{value} is outside 0-10")
        return Severity(float(value), label)


def finding_from_dict(data: object, where: str, display: str) -> Finding:
    """A finding from its JSON object; ``where`` (``findings[3]``) prefixes every error."""
    fields = _Fields(data, where, display)
    address = normalize_address(str(fields.required("address")))
    protocol, port = fields.protocol(), fields.port()
    host = ScannedHost(
        address, fields.texts("hostnames"), fields.text("host_state", "up"), fields.text("os")
    )
    service = Service(
        address=address,
        protocol=protocol,
        port=port,
        state=fields.text("state", "open"),
        name=fields.text("service"),
        product=fields.text("product"),
        version=fields.text("version"),
        extra_info=fields.text("extra_info"),
        tunnel=fields.text("tunnel"),
        cpes=fields.texts("cpes"),
    )
    check_id = fields.text("check_id", PORT_OPEN) or PORT_OPEN
    return Finding(
        host=host,
        protocol=protocol,
        port=port,
        check_id=check_id,
        title=fields.text("title", check_id),
        severity=fields.severity(),
        source=_source(fields, display),
        service=service if port else None,
        evidence=clip_evidence(fields.text("evidence", limit=1 << 20)),
        cves=fields.texts("cves"),
        tls=_tls(fields),
        certificate=_certificate(fields),
        extra=tuple(sorted((str(k), str(v)) for k, v in _mapping(fields, "extra").items())),
    )


def _mapping(fields: _Fields, key: str) -> Mapping[str, Any]:
    value = fields.data.get(key) or {}
    if not isinstance(value, Mapping):
        raise fields.fail(key, "expected an object")
    return value


def _source(fields: _Fields, display: str) -> Source:
    raw = _mapping(fields, "source")
    source = _Fields(raw, f"{fields.where}.source", display)
    when = source.text("scan_time")
    try:
        scan_time = datetime.fromisoformat(when) if when else None
    except ValueError:
        raise source.fail("scan_time", f"{when!r} is not an ISO 8601 time") from None
    return Source(
        format=source.text("format", "json"),
        file=source.text("file", display),
        scanner=source.text("scanner"),
        version=source.text("version"),
        scan_time=scan_time,
    )


def _tls(fields: _Fields) -> TlsFacts | None:
    raw = fields.data.get("tls")
    if raw is None:
        return None
    tls = _Fields(raw, f"{fields.where}.tls", fields.display)
    ciphers = tls.data.get("ciphers") or []
    if not isinstance(ciphers, list):
        raise tls.fail("ciphers", "expected a list")
    parsed = []
    for index, cipher in enumerate(ciphers):
        item = _Fields(cipher, f"{tls.where}.ciphers[{index}]", fields.display)
        parsed.append(Cipher(item.text("name"), item.text("grade")))
    return TlsFacts(tls.text("protocol"), tuple(parsed), tls.text("least_grade"))


def _certificate(fields: _Fields) -> CertificateFacts | None:
    raw = fields.data.get("certificate")
    if raw is None:
        return None
    cert = _Fields(raw, f"{fields.where}.certificate", fields.display)
    bits = cert.data.get("key_bits") or 0
    if isinstance(bits, bool) or not isinstance(bits, int):
        raise cert.fail("key_bits", "expected a number")
    return CertificateFacts(
        subject=cert.text("subject"),
        issuer=cert.text("issuer"),
        not_before=cert.text("not_before"),
        not_after=cert.text("not_after"),
        key_type=cert.text("key_type"),
        key_bits=bits,
        signature_algorithm=cert.text("signature_algorithm"),
        self_signed=_optional_bool(cert, "self_signed"),
        expired=_optional_bool(cert, "expired"),
        alt_names=cert.texts("alt_names"),
    )


def _optional_bool(fields: _Fields, key: str) -> bool | None:
    value = fields.data.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise fields.fail(key, "expected true, false or null")
