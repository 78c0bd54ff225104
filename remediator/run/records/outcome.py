"""What an apply did, host by host and batch by batch: ``summary.json`` and the exit code.

Every host the apply was about ends in exactly one :class:`HostEnd`, which is the
promise an interrupted or failed apply keeps: applied and verified, or rolled back to its
snapshot, or (unreachable) left to its host-side revert timer, or never touched. The
summary is rewritten after each batch, so a killed controller still leaves a true record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

from remediator.run.apply.postcheck import Check
from remediator.run.preview.dryrun import DryRun
from remediator.run.preview.verdicts import HostPreview
from remediator.run.records.record import RunRecord

SCHEMA: Final = "remediator/apply/v1"
SUMMARY: Final = "summary.json"


class HostEnd(StrEnum):
    APPLIED = "applied"
    ROLLED_BACK = "rolled_back"
    RESTORE_FAILED = "restore_failed"
    PENDING_REVERT = "pending_host_revert"
    UNTOUCHED = "untouched"
    NOT_STARTED = "not_started"


FAILED_ENDS: Final = frozenset(
    {HostEnd.ROLLED_BACK, HostEnd.RESTORE_FAILED, HostEnd.PENDING_REVERT}
)

FAILED_BATCHES: Final = frozenset({"rolled_back", "failed_hosts_restored"})


@dataclass(frozen=True)
class HostResult:
    """How one host ended, and why."""

    host: str
    end: HostEnd
    batch: int
    detail: str = ""
    checks: tuple[Check, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "end": self.end.value,
            "batch": self.batch,
            "detail": self.detail,
            "checks": [c.to_json() for c in self.checks],
        }


@dataclass
class ApplyReport:
    """The apply as it stands; :meth:`save` writes it to the run record."""

    record: RunRecord
    dry: DryRun
    request: dict[str, Any]
    batches: list[dict[str, Any]] = field(default_factory=list)
    hosts: dict[str, HostResult] = field(default_factory=dict)
    findings: dict[str, HostPreview] = field(default_factory=dict)
    changed: set[tuple[str, str]] = field(default_factory=set)
    stopped: str = ""
    status: str = "running"
    started: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def add_batch(self, index: int, hosts: Sequence[str], seconds: float, status: str) -> None:
        self.batches.append(
            {"batch": index, "hosts": list(hosts), "seconds": round(seconds, 1), "status": status}
        )

    def not_started(self, batches: list[tuple[str, ...]], first: int, reason: str) -> None:
        """Batches from ``first`` (1-based) on were not started, because of ``reason``."""
        self.stopped = reason
        for index, hosts in enumerate(batches[first - 1 :], first):
            self.add_batch(index, hosts, 0.0, "not_started")
            for host in hosts:
                self.hosts[host] = HostResult(host, HostEnd.NOT_STARTED, index, reason)

    @property
    def failed(self) -> bool:
        """A host ended failed, or a batch failed (its hosts may all be untouched: a batch
        whose hosts were unreachable before any change is still a failed apply)."""
        return any(h.end in FAILED_ENDS for h in self.hosts.values()) or any(
            b["status"] in FAILED_BATCHES for b in self.batches
        )

    def finish(self) -> None:
        if self.status == "running":
            self.status = "failed" if self.failed else "stopped" if self.stopped else "applied"
        self.save()

    def save(self) -> None:
        self.record.write(SUMMARY, self.to_json())

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "run": self.record.id,
            "status": self.status,
            "started": self.started,
            "updated": datetime.now(UTC).isoformat(timespec="seconds"),
            **self.request,
            "dry_run": self.dry.run_id,
            "stopped": self.stopped,
            "batches": self.batches,
            "hosts": {name: result.to_json() for name, result in sorted(self.hosts.items())},
            "changed": sorted([host, key] for host, key in self.changed),
            "findings": [p.to_json() for _, p in sorted(self.findings.items())],
        }
