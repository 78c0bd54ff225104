"""The findings model: what every scanner's report is read into.

These frozen dataclasses are the only thing the ingest stage hands on. A finding is
identified by its :attr:`Finding.key` ``(address, protocol, port, check_id)`` so that
"before vs after" of a remediation is plain set arithmetic on keys.

Strings in here come from a scan and are hostile: they are capped in size but otherwise
kept verbatim. Later stages must treat them as inert data.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Final

EVIDENCE_LIMIT: Final = 4096
"""Evidence text longer than this is cut: scanners paste whole banners and HTML pages."""

FIELD_LIMIT: Final = 512
"""Short fields (titles, products, names) longer than this are cut."""

PORT_OPEN: Final = "port-open"
"""The check id of the exposure itself, emitted for every open port whatever else is on it."""


class SeverityLabel(StrEnum):
    """CVSS v3 qualitative rating, the common language of every scanner we read."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @classmethod
    def for_score(cls, score: float) -> SeverityLabel:
        """Map a 0-10 score to the CVSS v3.x rating band it falls in."""
        if score >= 9.0:
            return cls.CRITICAL
        if score >= 7.0:
            return cls.HIGH
        if score >= 4.0:
            return cls.MEDIUM
        if score > 0.0:
            return cls.LOW
        return cls.INFO


#: Representative score for a scanner that only gives a rating band. The values sit inside
#: each CVSS band so that the PCI threshold (>= 4.0 fails) keeps its meaning.
LABEL_SCORES: Final[dict[SeverityLabel, float]] = {
    SeverityLabel.INFO: 0.0,
    SeverityLabel.LOW: 2.0,
    SeverityLabel.MEDIUM: 5.0,
    SeverityLabel.HIGH: 7.5,
    SeverityLabel.CRITICAL: 10.0,
}


@dataclass(frozen=True, slots=True)
class Severity:
    """A finding's severity: a CVSS-like score plus what the scanner itself said."""

    score: float
    scanner_label: str = ""

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 10.0:
            raise ValueError(f"severity score {self.score} is outside 0-10")

    @property
    def label(self) -> SeverityLabel:
        """The CVSS rating band of :attr:`score`."""
        return SeverityLabel.for_score(self.score)

    @classmethod
    def from_label(cls, label: SeverityLabel, scanner_label: str = "") -> Severity:
        """A severity for scanners that report only a band, not a score."""
        return cls(LABEL_SCORES[label], scanner_label or label.value)


@dataclass(frozen=True, slots=True)
class Source:
    """Where a finding came from: the file, its format and the scanner that wrote it."""

    format: str
    file: str
    scanner: str = ""
    version: str = ""
    scan_time: datetime | None = None

    def __post_init__(self) -> None:
        # Old Nessus and CSV exports give local times with no zone. Scan ages are compared
        # with "now", which needs an aware time: a time with no zone is taken as UTC.
        if self.scan_time is not None and self.scan_time.tzinfo is None:
            object.__setattr__(self, "scan_time", self.scan_time.replace(tzinfo=UTC))


@dataclass(frozen=True, slots=True)
class ScannedHost:
    """A host as the scanner saw it. ``address`` is an IP where the scan gave one."""

    address: str
    hostnames: tuple[str, ...] = ()
    state: str = "up"
    os: str = ""

    @property
    def is_ip(self) -> bool:
        """Whether :attr:`address` is a valid IPv4/IPv6 address (not a name or a mask)."""
        return parse_ip(self.address) is not None


@dataclass(frozen=True, slots=True)
class Service:
    """A port as the scanner saw it on one host."""

    address: str
    protocol: str
    port: int
    state: str = "open"
    name: str = ""
    product: str = ""
    version: str = ""
    extra_info: str = ""
    tunnel: str = ""
    cpes: tuple[str, ...] = ()

    @property
    def is_open(self) -> bool:
        """Open for the purposes of exposure (``open|filtered`` UDP counts as open)."""
        return self.state in {"open", "open|filtered"}


@dataclass(frozen=True, slots=True)
class Cipher:
    """One TLS cipher suite a server accepted, with the scanner's strength grade."""

    name: str
    grade: str = ""


@dataclass(frozen=True, slots=True)
class TlsFacts:
    """What a TLS scanner found for one protocol version on one port."""

    protocol: str
    ciphers: tuple[Cipher, ...] = ()
    least_grade: str = ""


@dataclass(frozen=True, slots=True)
class CertificateFacts:
    """Certificate facts a TLS scanner reported (ssl-cert and friends)."""

    subject: str = ""
    issuer: str = ""
    not_before: str = ""
    not_after: str = ""
    key_type: str = ""
    key_bits: int = 0
    signature_algorithm: str = ""
    self_signed: bool | None = None
    expired: bool | None = None
    alt_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a scanner said about one port (or about a host, on port 0)."""

    host: ScannedHost
    protocol: str
    port: int
    check_id: str
    title: str
    severity: Severity
    source: Source
    service: Service | None = None
    evidence: str = ""
    cves: tuple[str, ...] = ()
    tls: TlsFacts | None = None
    certificate: CertificateFacts | None = None
    extra: tuple[tuple[str, str], ...] = field(default=())

    @property
    def address(self) -> str:
        """The scanned address the finding is on."""
        return self.host.address

    @property
    def key(self) -> FindingKey:
        """The stable identity of this finding across scans."""
        return FindingKey(self.host.address, self.protocol, self.port, self.check_id)


@dataclass(frozen=True, slots=True, order=True)
class FindingKey:
    """``(address, protocol, port, check_id)``: equal keys mean the same weakness.

    The one key type of every stage. A finding as a scanner reported it is keyed by the
    scanner's check id; verify matches a rescan to the plan across scanners, so there the
    fourth part holds the classifier's scanner-neutral kind (read as :attr:`kind`).
    ``str(key)`` is ``address/protocol/port/check_id``, the form the roles and tests cite.
    """

    address: str
    protocol: str
    port: int
    check_id: str

    @property
    def kind(self) -> str:
        """The fourth part, named for keys that match on the classifier's kind."""
        return self.check_id

    def __str__(self) -> str:
        return f"{self.address}/{self.protocol}/{self.port}/{self.check_id}"


@dataclass(frozen=True, slots=True)
class HostReport:
    """Everything a scan said about one host: the unit parsers stream out."""

    host: ScannedHost
    services: tuple[Service, ...] = ()
    findings: tuple[Finding, ...] = ()


def parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address ``text`` spells, or None when it is a name or garbage."""
    try:
        return ipaddress.ip_address(text.strip().split("%", 1)[0])
    except ValueError:
        return None


def normalize_address(text: str) -> str:
    """Canonical text of an IP address; anything else is kept as the scan wrote it."""
    ip = parse_ip(text)
    return str(ip) if ip is not None else clip(text.strip(), FIELD_LIMIT)


def clip(text: str, limit: int = FIELD_LIMIT) -> str:
    """Cap untrusted text at ``limit`` characters, saying how much was cut."""
    if len(text) <= limit:
        return text
    cut = len(text) - limit
    return f"{text[:limit]}... [{cut} more characters cut]"


def clip_evidence(text: str) -> str:
    """Cap evidence text at :data:`EVIDENCE_LIMIT` characters."""
    return clip(text.strip(), EVIDENCE_LIMIT)


@dataclass(frozen=True)
class IngestOptions:
    """What ``remediator ingest`` was asked: the scans, how to read them, where findings go."""

    scans: tuple[Path, ...]
    format: str = "auto"
    inventory: Path | None = None
    json: bool = False
    output: Path | None = None
