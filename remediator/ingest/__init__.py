"""Ingest: read any scanner's report into frozen findings, and map them to inventory hosts.

Public face::

    read_scan(path, family="auto") -> Iterator[HostReport]
    FORMATS, detect, choose_format
    Finding, FindingKey, ScannedHost, Service, Severity, Source, HostReport
"""

from remediator.ingest.model import (
    PORT_OPEN,
    CertificateFacts,
    Cipher,
    Finding,
    FindingKey,
    HostReport,
    ScannedHost,
    Service,
    Severity,
    SeverityLabel,
    Source,
    TlsFacts,
)
from remediator.ingest.reader import choose_format, read_scan
from remediator.ingest.registry import FORMATS, ScanFormat

__all__ = [
    "FORMATS",
    "PORT_OPEN",
    "CertificateFacts",
    "Cipher",
    "Finding",
    "FindingKey",
    "HostReport",
    "ScanFormat",
    "ScannedHost",
    "Service",
    "Severity",
    "SeverityLabel",
    "Source",
    "TlsFacts",
    "choose_format",
    "read_scan",
]
