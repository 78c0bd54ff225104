"""Findings as JSON: the ``remediator/findings/v1`` document, both ways.

The writer is what ``remediator ingest --json`` prints; the reader takes the same shape
back (later stages accept a findings file in place of a scan, and the plain JSON input
format for "any other scanner" is this document, documented in docs/formats.md).

The document is described by ``remediator/schemas/findings.schema.json``. A findings
file can hold millions of findings and is written as a stream, so the reader checks it
per finding, against the schema's ``$defs/finding``, as each is read; an error names the
finding and the field in the documented wording
(``findings.json: findings[3].port: 70000 is not a port``). The schema checks types and
ranges; what it cannot say (a port of ``80.0``, a NaN score, an ISO time) is checked while
freezing the finding, in the same wording.
"""

from __future__ import annotations

import io
import json
import math
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import IO, Any, Final

import jsonschema
from jsonschema.exceptions import best_match

from remediator.common.documents import expected_types, schema_document
from remediator.common.files import replacing
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
NAME: Final = "findings"
"""The shipped schema's name: ``remediator/schemas/findings.schema.json``."""
PROTOCOLS: Final = frozenset({"tcp", "udp", "sctp", "ip", "icmp"})


def finding_to_dict(finding: Finding, inventory_host: str | None) -> dict[str, Any]:
    """The JSON object of one finding (keys documented in docs/formats.md).

    Not schema-checked as it is written: a check costs ten times the build, and the
    writer streams millions of findings. The tests check that every finding the model
    can hold is written as one the schema allows (tests/unit/ingest/test_findings_schema.py).
    """
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


@cache
def _finding_validator() -> jsonschema.protocols.Validator:
    """A validator of one finding: the shipped schema's ``$defs/finding``, its local
    ``$ref`` s resolved once here (jsonschema resolves a ``$ref`` on every use, which
    tripled the cost of reading a finding)."""
    document = schema_document(NAME)
    definitions: dict[str, Any] = document["$defs"]
    finding = _resolved(definitions["finding"], definitions)
    assert isinstance(finding, dict)  # noqa: S101 - $defs/finding is an object schema
    validator_class = jsonschema.validators.validator_for(document)
    return validator_class({"$schema": document["$schema"], **finding})


def _resolved(node: object, definitions: Mapping[str, Any]) -> object:
    """``node`` with every ``{"$ref": "#/$defs/x", ...}`` replaced by ``x`` plus its siblings."""
    if isinstance(node, list):
        return [_resolved(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        return _resolved({**definitions[ref.removeprefix("#/$defs/")], **siblings}, definitions)
    return {key: _resolved(value, definitions) for key, value in node.items()}


def check_finding(data: object, where: str, display: str) -> None:
    """Raise :class:`ScanParseError` naming ``where`` and the field unless ``data`` is a
    finding object the schema allows."""
    error = best_match(_finding_validator().iter_errors(data))  # type: ignore[arg-type]
    if error is not None:
        raise ScanParseError(display, _describe(error, where))


def _describe(error: jsonschema.ValidationError, where: str) -> str:
    """A finding's schema violation in the words docs/formats.md documents."""
    parts = list(error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, dict):
        required: list[str] = list(error.validator_value)  # type: ignore[arg-type]
        missing = next(str(k) for k in required if k not in error.instance)
        return f"{_path(where, [*parts, missing])}: is required"
    field = parts[0] if len(parts) == 1 else None
    return f"{_path(where, parts)}: {_reason(error, field)}"


def _reason(error: jsonschema.ValidationError, field: str | int | None) -> str:
    """Why a value is refused; the finding's own fields in their documented words."""
    value = error.instance
    own = {
        "address": "is required" if value == "" else "expected text",
        "port": f"{value!r} is not a port",
        "protocol": f"{value!r} is not one of {', '.join(sorted(PROTOCOLS))}",
        "severity": f"{value} is outside 0-10"
        if error.validator in ("minimum", "maximum")
        else f"{value!r} is not a score or a label",
    }
    if isinstance(field, str) and field in own:
        return own[field]
    if error.validator == "type":
        types: str | list[str] = error.validator_value  # type: ignore[assignment]
        return f"expected {expected_types(types)}"
    return error.message


def _path(where: str, parts: list[str | int]) -> str:
    return where + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def finding_from_dict(data: object, where: str, display: str) -> Finding:
    """A finding from its JSON object; ``where`` (``findings[3]``) prefixes every error."""
    check_finding(data, where, display)
    assert isinstance(data, Mapping)  # noqa: S101 - the schema says "type": "object"
    fail = _FindingFailer(where, display)
    address = normalize_address(str(data["address"]))
    protocol, port = _text(data, "protocol", "tcp").lower(), _port(data["port"], fail)
    host = ScannedHost(
        address, _texts(data, "hostnames"), _text(data, "host_state", "up"), _text(data, "os")
    )
    service = Service(
        address=address,
        protocol=protocol,
        port=port,
        state=_text(data, "state", "open"),
        name=_text(data, "service"),
        product=_text(data, "product"),
        version=_text(data, "version"),
        extra_info=_text(data, "extra_info"),
        tunnel=_text(data, "tunnel"),
        cpes=_texts(data, "cpes"),
    )
    check_id = _text(data, "check_id", PORT_OPEN) or PORT_OPEN
    return Finding(
        host=host,
        protocol=protocol,
        port=port,
        check_id=check_id,
        title=_text(data, "title", check_id),
        severity=_severity(data, fail),
        source=_source(data.get("source") or {}, fail.at("source"), display),
        service=service if port else None,
        evidence=clip_evidence(_text(data, "evidence", limit=1 << 20)),
        cves=_texts(data, "cves"),
        tls=_tls(data.get("tls")),
        certificate=_certificate(data.get("certificate"), fail.at("certificate")),
        extra=tuple(sorted((str(k), str(v)) for k, v in (data.get("extra") or {}).items())),
    )


class _FindingFailer:
    """Makes the error of a value the schema allows but a finding cannot hold."""

    def __init__(self, where: str, display: str) -> None:
        self.where = where
        self.display = display

    def at(self, key: str) -> _FindingFailer:
        return _FindingFailer(f"{self.where}.{key}", self.display)

    def __call__(self, key: str, problem: str) -> ScanParseError:
        return ScanParseError(self.display, f"{self.where}.{key}: {problem}")


def _text(data: Mapping[str, Any], key: str, default: str = "", limit: int = 512) -> str:
    """A text field (a number counts as its text), capped; null or missing is ``default``."""
    value = data.get(key)
    return default if value is None else clip(str(value), limit)


def _texts(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """A list of text; one text counts as a list of one, null or empty as none."""
    value = data.get(key) or []
    return tuple(clip(v) for v in ([value] if isinstance(value, str) else value))


def _port(value: int | str, fail: _FindingFailer) -> int:
    """The port: the schema took an integer or text of digits; 80.0 and 70000 stop here."""
    if isinstance(value, float) or not 0 <= int(value) <= 65535:
        raise fail("port", f"{value!r} is not a port")
    return int(value)


def _severity(data: Mapping[str, Any], fail: _FindingFailer) -> Severity:
    value = data.get("severity", 0.0)
    label = _text(data, "scanner_severity")
    if isinstance(value, str):
        return Severity.from_label(SeverityLabel(value.lower()), label or value)
    if math.isnan(value):  # NaN passes every JSON Schema bound
        raise fail("severity", f"{value} is outside 0-10")
    return Severity(float(value), label)


def _source(data: Mapping[str, Any], fail: _FindingFailer, display: str) -> Source:
    when = _text(data, "scan_time")
    try:
        scan_time = datetime.fromisoformat(when) if when else None
    except ValueError:
        raise fail("scan_time", f"{when!r} is not an ISO 8601 time") from None
    return Source(
        format=_text(data, "format", "json"),
        file=_text(data, "file", display),
        scanner=_text(data, "scanner"),
        version=_text(data, "version"),
        scan_time=scan_time,
    )


def _tls(data: Mapping[str, Any] | None) -> TlsFacts | None:
    if data is None:
        return None
    ciphers = tuple(Cipher(_text(c, "name"), _text(c, "grade")) for c in data.get("ciphers") or [])
    return TlsFacts(_text(data, "protocol"), ciphers, _text(data, "least_grade"))


def _certificate(data: Mapping[str, Any] | None, fail: _FindingFailer) -> CertificateFacts | None:
    if data is None:
        return None
    bits = data.get("key_bits") or 0
    if isinstance(bits, float):  # JSON Schema counts 2048.0 as an integer; a key size is not
        raise fail("key_bits", "expected a number")
    return CertificateFacts(
        subject=_text(data, "subject"),
        issuer=_text(data, "issuer"),
        not_before=_text(data, "not_before"),
        not_after=_text(data, "not_after"),
        key_type=_text(data, "key_type"),
        key_bits=bits,
        signature_algorithm=_text(data, "signature_algorithm"),
        self_signed=data.get("self_signed"),
        expired=data.get("expired"),
        alt_names=_texts(data, "alt_names"),
    )


class FindingsSink:
    """The findings document as it streams: one finding at a time, then the unmatched list.

    Streaming keeps ``ingest`` in bounded memory on a scan of any size; each finding is
    written as :func:`finding_to_dict` makes it, whose output the findings schema allows
    (``tests/unit/ingest/test_findings_schema.py``).
    """

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._first = True
        stream.write(f'{{"schema": "{SCHEMA}", "findings": [')

    def add(self, findings: Iterable[Finding], host: str | None) -> None:
        """Append ``findings``, each mapped to inventory ``host`` (None: unmatched)."""
        for finding in findings:
            self._stream.write("\n" if self._first else ",\n")
            self._stream.write(json.dumps(finding_to_dict(finding, host), ensure_ascii=False))
            self._first = False

    def finish(self, unmatched: Iterable[str]) -> None:
        """Close the document with the addresses no inventory host matched."""
        self._stream.write(f'\n], "unmatched": {json.dumps(list(unmatched))}}}\n')


@contextmanager
def findings_writer(output: Path | None, *, to_stdout: bool) -> Iterator[FindingsSink | None]:
    """Where the findings stream: a file that replaces ``output`` only when all went well.

    ``to_stdout`` without a file (or ``output`` ``-``) spools to an anonymous temp file
    first, so a scan that fails halfway prints nothing rather than half a document. A file
    goes through the one file writer, which refuses to replace anything but a regular file
    (a device, FIFO, symlink or directory is an input error) and leaves no temp file on any
    way out. Neither asked: None, nothing is written.
    """
    if not to_stdout and output is None:
        yield None
        return
    if output is not None and str(output) != "-":
        with replacing(output) as raw, _text_over(raw) as stream:
            yield FindingsSink(stream)
        return
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        yield FindingsSink(spool)
        spool.seek(0)
        shutil.copyfileobj(spool, sys.stdout)


@contextmanager
def _text_over(raw: IO[bytes]) -> Iterator[IO[str]]:
    """UTF-8 text over ``raw``, flushed but not closed (the writer closes and renames it)."""
    stream = io.TextIOWrapper(raw, encoding="utf-8", write_through=False)
    try:
        yield stream
        stream.flush()
    finally:
        stream.detach()
