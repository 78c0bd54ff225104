"""What an apply did, host by host and batch by batch: ``summary.json`` and the exit code.

Every host the apply was about ends in exactly one :class:`HostEnd`, which is the
promise an interrupted or failed apply keeps: applied and verified, or rolled back to its
snapshot, or (unreachable) left to its host-side revert timer, or never touched. The
summary is rewritten after each batch, so a killed controller still leaves a true record.

``summary.json`` is a schema-checked document (schema ``summary``, version
``remediator/apply/v1``), written and read only here: :class:`ApplyReport` writes it,
:func:`read_summary` reads it back as an :class:`ApplySummary`, :func:`note_rollback`
records a rollback in it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from remediator.common.documents import read_document, write_document
from remediator.run.apply.postcheck import Check
from remediator.run.apply.rollback import Restore, RestoreResult
from remediator.run.preview.dryrun import DryRun
from remediator.run.preview.verdicts import HostPreview
from remediator.run.records.patches import PatchVerdict
from remediator.run.records.proof import FindingProof, Idempotence, Observations, merge, prove
from remediator.run.records.record import ApplyTerms, RunRecord

SCHEMA: Final = "remediator/apply/v1"
SUMMARY: Final = "summary.json"
DOCUMENT: Final = "summary"
"""The name of ``summary.json``'s shipped schema (its version is :data:`SCHEMA`)."""


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

    def to_json(self) -> dict[str, object]:
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
    dry: DryRun | None
    """The dry-run the apply was tied to; None for a job imported without one."""
    request: Mapping[str, object]
    batches: list[dict[str, Any]] = field(default_factory=list)
    hosts: dict[str, HostResult] = field(default_factory=dict)
    findings: dict[str, HostPreview] = field(default_factory=dict)
    changed: set[tuple[str, str]] = field(default_factory=set)
    before: Observations = field(default_factory=dict)
    after: Observations = field(default_factory=dict)
    idempotence: Idempotence | None = None
    patches: dict[tuple[str, str], PatchVerdict] = field(default_factory=dict)
    """The patch role's last verdict per (host, finding key)."""
    stopped: str = ""
    status: str = "running"
    started: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def observed(self, before: Observations, after: Observations) -> None:
        """Add the checks seen before and after a batch's change."""
        self.before = merge(self.before, before)
        self.after = merge(self.after, after)

    def judged(self, verdicts: Mapping[tuple[str, str], PatchVerdict]) -> None:
        """Record the patch role's verdicts; a later run's word replaces an earlier one."""
        self.patches.update(verdicts)

    def proofs(self) -> list[FindingProof]:
        """Per finding: checks before and after, and the dry-run's prediction against the
        change (the hosts the apply was about, whether or not it reached them)."""
        predicted = self.dry.hosts if self.dry else ()
        return prove(predicted, self.findings.values(), self.before, self.after)

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
        write_summary(self.record, self.to_json())

    def to_json(self) -> dict[str, object]:
        return {
            "schema": SCHEMA,
            "run": self.record.id,
            "status": self.status,
            "started": self.started,
            "updated": datetime.now(UTC).isoformat(timespec="seconds"),
            **self.request,
            "dry_run": self.dry.run_id if self.dry else None,
            "stopped": self.stopped,
            "batches": self.batches,
            "hosts": {name: result.to_json() for name, result in sorted(self.hosts.items())},
            "changed": sorted([host, key] for host, key in self.changed),
            "findings": [p.to_json() for _, p in sorted(self.findings.items())],
            "proof": [p.to_json() for p in self.proofs()],
            "idempotence": None if self.idempotence is None else self.idempotence.to_json(),
            "patch": [v.to_json() for _, v in sorted(self.patches.items())],
        }


@dataclass(frozen=True)
class HostEnding:
    """One host's entry in ``summary.json``: how it ended (a rollback may add a host with
    only its detail)."""

    host: str
    end: str | None = None
    batch: int | None = None
    detail: str | None = None


@dataclass(frozen=True)
class ApplySummary:
    """``summary.json`` as a later command reads it (the report, a rollback's caller)."""

    run: str | None
    status: str | None
    terms: ApplyTerms
    dry_run: str | None
    stopped: str | None
    hosts: Mapping[str, HostEnding]
    changed: frozenset[tuple[str, str]]
    findings: tuple[HostPreview, ...]
    proof: tuple[FindingProof, ...] = ()
    idempotence: Idempotence | None = None
    """None: no pass ran (nothing applied, or a summary written before there was one)."""
    patch: tuple[PatchVerdict, ...] = ()
    """The patch role's verdicts (none before the role existed)."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ApplySummary:
        """The summary of a document already checked against the ``summary`` schema."""
        return cls(
            run=data.get("run"),
            status=data.get("status"),
            terms=ApplyTerms.from_json(data),
            dry_run=data.get("dry_run"),
            stopped=data.get("stopped"),
            hosts={
                name: HostEnding(
                    host=entry["host"],
                    end=entry.get("end"),
                    batch=entry.get("batch"),
                    detail=entry.get("detail"),
                )
                for name, entry in data["hosts"].items()
            },
            changed=frozenset((host, key) for host, key in data.get("changed", ())),
            findings=tuple(HostPreview.from_json(h) for h in data.get("findings", ())),
            proof=tuple(FindingProof.from_json(p) for p in data.get("proof") or ()),
            idempotence=(
                Idempotence.from_json(data["idempotence"]) if data.get("idempotence") else None
            ),
            patch=tuple(PatchVerdict.from_json(v) for v in data.get("patch") or ()),
        )


def write_summary(record: RunRecord, document: Mapping[str, object]) -> Path:
    """Write ``summary.json`` (key-sorted); refused (a bug) unless it matches its schema."""
    target = record.path / SUMMARY
    write_document(target, DOCUMENT, document, sort_keys=True)
    return target


def read_summary(run_dir: Path) -> ApplySummary | None:
    """The apply summary of the run at ``run_dir``; None when it has none (a dry-run)."""
    path = run_dir / SUMMARY
    if not path.is_file():
        return None
    return ApplySummary.from_json(read_document(path, DOCUMENT))


def summary_document(record: RunRecord) -> dict[str, Any]:
    """``summary.json`` as written (checked), for a rollback to update; a bare one if none."""
    path = record.path / SUMMARY
    return read_document(path, DOCUMENT) if path.is_file() else {"hosts": {}}


def note_rollback(
    record: RunRecord,
    summary: dict[str, Any],
    results: Mapping[str, RestoreResult],
    label: str,
) -> None:
    """Record a rollback's restores in ``summary`` (from :func:`summary_document`) and save it.

    Every other key stays as the apply wrote it: a restored host ends ``rolled_back``, and
    every host's detail names the rollback and what became of it.
    """
    for name, result in results.items():
        entry = summary.setdefault("hosts", {}).setdefault(name, {"host": name})
        if result.outcome is Restore.RESTORED:
            entry["end"] = HostEnd.ROLLED_BACK.value
        entry["detail"] = f"{label}: {result.outcome.value} ({result.detail})"
    write_summary(record, summary)
