"""The first pass over a Nexpose report: scan runs and vulnerability definitions.

Nexpose writes what a vulnerability *is* (title, severity, CVSS, CVEs) once, in
``<VulnerabilityDefinitions>`` after all the nodes; nodes only name test ids. This pass
keeps the definitions and the ``<scans>`` summary so that the second pass can stream
nodes and join them. Nodes are matched here only so that they are freed as they pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final
from xml.etree.ElementTree import Element

from remediator.ingest.model import clip
from remediator.ingest.xmlsafe import iter_elements

_FIRST_PASS: Final = frozenset({"scan", "node", "vulnerability"})
_COMPLETE: Final = frozenset({"", "finished", "completed"})
_TIME_FORMAT: Final = "%Y%m%dT%H%M%S%f"


@dataclass(frozen=True, slots=True)
class Definition:
    """What Nexpose says about one vulnerability id."""

    title: str
    severity: str
    scores: tuple[str, ...]
    pci_severity: str
    cves: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReportSummary:
    """The definitions by lower-case id, and what the ``<scans>`` list says about the run."""

    definitions: dict[str, Definition]
    incomplete: tuple[str, ...]
    started: datetime | None


def read_summary(path: Path, display: str) -> ReportSummary:
    """Read definitions and scan runs; nodes are skipped (and freed)."""
    definitions: dict[str, Definition] = {}
    statuses: list[str] = []
    starts: list[datetime] = []
    for element in iter_elements(path, display, _FIRST_PASS):
        if element.tag == "vulnerability":
            definitions[element.get("id", "").strip().lower()] = _definition(element)
        elif element.tag == "scan":
            statuses.append(clip(element.get("status", "").strip().lower(), 40))
            start = _timestamp(element.get("startTime", ""))
            if start is not None:
                starts.append(start)
    incomplete = tuple(dict.fromkeys(s for s in statuses if s not in _COMPLETE))
    return ReportSummary(definitions, incomplete, min(starts, default=None))


def _definition(element: Element) -> Definition:
    # cvssV3Score is read when a newer export carries it; 2013-era reports have only v2.
    cves = (
        (reference.text or "").strip().upper()
        for reference in element.iter("reference")
        if reference.get("source", "").upper() == "CVE"
    )
    return Definition(
        title=element.get("title", ""),
        severity=element.get("severity", ""),
        scores=(element.get("cvssV3Score", ""), element.get("cvssScore", "")),
        pci_severity=element.get("pciSeverity", ""),
        cves=tuple(dict.fromkeys(cve for cve in cves if cve.startswith("CVE-"))),
    )


def _timestamp(text: str) -> datetime | None:
    """Nexpose's compact local time, e.g. ``20131127T050242739`` (no zone is given)."""
    try:
        return datetime.strptime(text.strip(), _TIME_FORMAT) if text.strip() else None
    except ValueError:
        return None
