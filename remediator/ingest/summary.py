"""A streaming tally of what a scan holds, for the human summary of ``remediator ingest``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from remediator.common.text import shown
from remediator.ingest.model import HostReport, SeverityLabel

SEVERITY_ORDER = (
    SeverityLabel.CRITICAL,
    SeverityLabel.HIGH,
    SeverityLabel.MEDIUM,
    SeverityLabel.LOW,
    SeverityLabel.INFO,
)


@dataclass
class FileTally:
    """Counts for one scan file, kept while its hosts stream past."""

    file: str
    format: str = ""
    hosts_total: int = 0
    hosts_up: int = 0
    open_services: int = 0
    findings: int = 0
    by_severity: Counter[SeverityLabel] = field(default_factory=Counter)

    def add(self, report: HostReport) -> None:
        """Count one host's report."""
        self.hosts_total += 1
        self.hosts_up += report.host.state == "up"
        self.open_services += sum(1 for s in report.services if s.is_open)
        self.findings += len(report.findings)
        self.by_severity.update(f.severity.label for f in report.findings)

    def lines(self) -> list[str]:
        """The human summary of this file."""
        severities = ", ".join(
            f"{self.by_severity[label]} {label.value}" for label in SEVERITY_ORDER
        )
        return [
            f"{shown(self.file)} ({self.format})",
            f"  hosts: {self.hosts_up} up of {self.hosts_total}",
            f"  open services: {self.open_services}",
            f"  findings: {self.findings} ({severities})",
        ]


def unmatched_text(address: str, names: Sequence[str]) -> str:
    """An unmatched address for a terminal, the scan's names beside it as a hint."""
    if not names:
        return shown(address)
    return f"{shown(address)} (scan calls it {' / '.join(shown(n) for n in names)})"
