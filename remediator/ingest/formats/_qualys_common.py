"""What the Qualys XML and CSV readers share: QID kinds, severities, PCI flags.

Qualys writes the same facts in several spellings depending on the export (scan results
XML, asset data report XML, detection CSV, monthly PCI CSV, and the Qualys-engine ASV
resellers' CSV). This module turns every spelling into one meaning, so a QID reads the
same whichever export it came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Final

from remediator.ingest.model import Severity, SeverityLabel

SCANNER: Final = "Qualys"

HOST_PROTOCOL: Final = "tcp"
"""Protocol of a host-level QID (no port): Qualys names none, and Nessus uses tcp/0 too."""


class QidKind(StrEnum):
    """What Qualys claims about a QID on a host, whatever the export called it."""

    CONFIRMED = "confirmed"
    POTENTIAL = "potential"
    INFO = "info"


_KINDS: Final[dict[str, QidKind]] = {
    "vuln": QidKind.CONFIRMED,
    "vulnerability": QidKind.CONFIRMED,
    "confirmed": QidKind.CONFIRMED,
    "practice": QidKind.POTENTIAL,
    "potential": QidKind.POTENTIAL,
    "potential vuln": QidKind.POTENTIAL,
    "potential vulnerability": QidKind.POTENTIAL,
    "ig": QidKind.INFO,
    "info": QidKind.INFO,
    "information gathered": QidKind.INFO,
    "service": QidKind.INFO,
}


def qid_kind(qualys_type: str) -> QidKind:
    """The kind a Qualys type names; an unknown type counts as confirmed.

    Treating the unknown as confirmed keeps it scored by CVSS instead of hiding it as info.
    """
    return _KINDS.get(qualys_type.strip().lower(), QidKind.CONFIRMED)


_BANDS: Final[dict[int, SeverityLabel]] = {
    1: SeverityLabel.INFO,
    2: SeverityLabel.LOW,
    3: SeverityLabel.MEDIUM,
    4: SeverityLabel.HIGH,
    5: SeverityLabel.CRITICAL,
}
"""Qualys vulnerability levels 1 (minimal) to 5 (urgent) as CVSS rating bands."""

_LABELS: Final[dict[str, SeverityLabel]] = {
    "i": SeverityLabel.INFO,
    "info": SeverityLabel.INFO,
    "informational": SeverityLabel.INFO,
    "l": SeverityLabel.LOW,
    "low": SeverityLabel.LOW,
    "m": SeverityLabel.MEDIUM,
    "medium": SeverityLabel.MEDIUM,
    "h": SeverityLabel.HIGH,
    "high": SeverityLabel.HIGH,
    "c": SeverityLabel.CRITICAL,
    "critical": SeverityLabel.CRITICAL,
}
"""The CVSS-band words and letters of PCI exports ('Medium', HackerGuardian's 'M')."""

_SCORE = re.compile(r"\s*(\d{1,2}(?:\.\d+)?)")


def cvss_score(text: str) -> float | None:
    """The score at the start of a CVSS field ('9.0 (AV:N/...)', '5'), None when absent.

    Qualys writes '', '-' or "'-" for "no score"; anything outside 0-10 is not a score.
    """
    match = _SCORE.match(text)
    if match is None:
        return None
    score = float(match.group(1))
    return score if 0.0 <= score <= 10.0 else None


def qualys_severity(
    kind: QidKind, level: str, scores: Iterable[str], band_label: str = ""
) -> Severity:
    """A QID's severity: first valid CVSS score (v3 before v2), else its band.

    Information-gathered QIDs are facts about a host, not weaknesses: they score 0 whatever
    their level. ``band_label`` is the CVSS-band word of PCI exports, ``level`` the Qualys
    1-5 level. A weakness with neither score nor band is taken as medium, so an
    unexplained confirmed finding still fails PCI and gets a human look.
    """
    scanner_label = _scanner_label(level, band_label)
    if kind is QidKind.INFO:
        return Severity(0.0, scanner_label)
    for text in scores:
        score = cvss_score(text)
        if score is not None:
            return Severity(score, scanner_label)
    label = _LABELS.get(band_label.strip().lower()) or _level_band(level)
    return Severity.from_label(label or SeverityLabel.MEDIUM, scanner_label)


def _level_band(level: str) -> SeverityLabel | None:
    text = level.strip()
    return _BANDS.get(int(text)) if text.isdecimal() and len(text) == 1 else None


def _scanner_label(level: str, band_label: str) -> str:
    level_text = f"severity {level.strip()}" if level.strip() else ""
    if band_label.strip() and level_text:
        return f"{band_label.strip()} ({level_text})"
    return band_label.strip() or level_text or "unrated"


_PCI_YES: Final = frozenset({"1", "yes", "y", "true", "fail", "failed"})


def pci_flag(text: str) -> str:
    """'1' when Qualys says the QID counts against PCI compliance, else '0'.

    XML writes 1/0, the detection CSV yes/no, HackerGuardian Y/N, the monthly PCI
    report Fail/Pass: all mean "must be fixed to pass".
    """
    return "1" if text.strip().lower() in _PCI_YES else "0"


def is_fixed(vuln_status: str) -> bool:
    """Whether Qualys marks a detection as fixed: a record that it is gone, not a finding."""
    return vuln_status.strip().lower() == "fixed"


def split_cves(text: str) -> tuple[str, ...]:
    """CVE ids from a comma/space separated field, in order, without repeats."""
    found = re.findall(r"CVE-\d{4}-\d{4,}", text, flags=re.IGNORECASE)
    return tuple(dict.fromkeys(cve.upper() for cve in found))
