"""What ``remediator watch`` says: one word per thing that changed since the accepted state.

The accepted state is what ``remediator verify`` recorded for a run (``verify.json``):
each finding of the run's plan ``resolved``, ``kept``, ``excepted``, ``open``, ...  A new
scan is judged against it, per finding key (address, protocol, port and the classifier's
scanner-neutral kind), so a Nessus scan can be watched against an nmap-verified run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Final


class Drift(StrEnum):
    """What became of one thing since the accepted state (the JSON and HTML word)."""

    NEW = "new"
    """An exposure the accepted state never had: an open port, or a weakness that fails
    an ASV scan (CVSS 4.0 or more), on no finding key the run knew."""
    REOPENED = "reopened"
    """Resolved at verify, reported again by the new scan."""
    EXPIRED = "expired"
    """Excepted at verify; its exception has expired since and the scan does not show it
    gone: the finding is open."""
    EXPIRING = "expiring"
    """Excepted; its exception ends within the days asked (``--expiring-within``)."""
    STILL_OPEN = "still_open"
    """Verify already left it unresolved (open, manual, pending reboot, unknown) and the
    scan still reports it: known since verify, whose exit code said so; listed, no alarm."""
    NOTED = "noted"
    """New, but neither an open port nor a weakness that fails an ASV scan: listed, no alarm."""


ALARMS: Final = frozenset({Drift.NEW, Drift.REOPENED, Drift.EXPIRED, Drift.EXPIRING})
"""The words that make ``watch`` exit 1."""


@dataclass(frozen=True)
class DriftItem:
    """One thing the new scan (or the calendar) changed since the accepted state."""

    drift: Drift
    host: str | None
    """The inventory host of the address (None: the run's inventory has none): never a
    name the scan gave."""
    address: str
    protocol: str
    port: int
    kind: str
    check_id: str
    title: str
    severity: float
    reason: str
    evidence: str = ""
    """What the new scan reported on it (scan text: shown, never interpreted)."""
    accepted: str | None = None
    """The state verify recorded (None for a finding the run never had)."""
    expires: str | None = None
    """The expiry of its policy exception, when it has one."""
    days_left: int | None = None
    """Days from ``--as-of`` to that expiry (negative once expired)."""

    @property
    def alarm(self) -> bool:
        """Whether it makes watch exit 1."""
        return self.drift in ALARMS

    def to_json(self) -> dict[str, object]:
        """The ``remediator/watch/v1`` form of one item."""
        return {
            "drift": self.drift.value,
            "alarm": self.alarm,
            "host": self.host,
            "address": self.address,
            "protocol": self.protocol,
            "port": self.port,
            "kind": self.kind,
            "check_id": self.check_id,
            "title": self.title,
            "severity": self.severity,
            "reason": self.reason,
            "evidence": self.evidence,
            "accepted": self.accepted,
            "expires": self.expires,
            "days_left": self.days_left,
        }


@dataclass(frozen=True)
class Silent:
    """An address of the accepted state the new scan says nothing about."""

    address: str
    host: str | None
    scanned: bool
    """True: scanned, nothing open (down, or cut off); False: not in the scan at all."""

    def to_json(self) -> dict[str, object]:
        """The watch document's form."""
        return {"address": self.address, "host": self.host, "scanned": self.scanned}


@dataclass(frozen=True)
class ScanFacts:
    """Where the new scan came from."""

    source: str
    """``file`` (``--scan``) or ``rescan`` (``--rescan``, ``--rescan-command``)."""
    files: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    scanned_from: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        """The watch document's form."""
        return {
            "source": self.source,
            "files": list(self.files),
            "formats": list(self.formats),
            "scanned_from": list(self.scanned_from),
        }


@dataclass(frozen=True)
class WatchReport:
    """The whole answer: every item, what the scan did not cover, the counts."""

    run_id: str
    verified_on: str | None
    as_of: str
    expiring_within: int
    checked_at: str
    scan: ScanFacts
    items: tuple[DriftItem, ...]
    unchanged: int
    """Outcomes of the accepted state with nothing to report, on addresses that answered."""
    unjudged: int = 0
    """Outcomes on addresses the scan did not cover or that did not answer."""
    silent: tuple[Silent, ...] = field(default=())

    @property
    def alarms(self) -> tuple[DriftItem, ...]:
        """The items that make watch exit 1."""
        return tuple(i for i in self.items if i.alarm)

    @property
    def clean(self) -> bool:
        """Nothing new, reopened, expired or expiring."""
        return not self.alarms

    def counts(self) -> Mapping[str, int]:
        """Items per word, every word listed, then the outcomes unchanged and not judged."""
        words = [i.drift for i in self.items]
        return {
            **{d.value: words.count(d) for d in Drift},
            "unchanged": self.unchanged,
            "unjudged": self.unjudged,
        }

    def of(self, drift: Drift) -> tuple[DriftItem, ...]:
        """The items of one word."""
        return tuple(i for i in self.items if i.drift is drift)

    def to_json(self) -> dict[str, object]:
        """The ``remediator/watch/v1`` document."""
        return {
            "schema": SCHEMA,
            "run": self.run_id,
            "verified_on": self.verified_on,
            "as_of": self.as_of,
            "expiring_within": self.expiring_within,
            "checked_at": self.checked_at,
            "clean": self.clean,
            "scan": self.scan.to_json(),
            "counts": dict(self.counts()),
            "items": [i.to_json() for i in self.items],
            "silent": [s.to_json() for s in self.silent],
        }


SCHEMA: Final = "remediator/watch/v1"
DOCUMENT: Final = "watch"
"""The name of the watch document's shipped schema."""


@dataclass(frozen=True)
class WatchOptions:
    """What ``remediator watch`` was asked (see ``remediator watch --help``)."""

    run: str | None = None
    """Run id or directory; None: the newest verified run under ``runs_dir``."""
    runs_dir: Path = Path("runs")
    scan: tuple[Path, ...] = ()
    rescan: bool = False
    rescan_command: str | None = None
    rescan_source: tuple[str, ...] = ()
    lab_state_dir: Path | None = None
    expiring_within: int = 30
    as_of: date | None = None
    """The day exceptions are judged on (None: today, UTC)."""
    json: str | None = None
    """A file to write the JSON document to, ``-`` for standard output."""
    html: Path | None = None
