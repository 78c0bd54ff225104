"""Gather a run record into :class:`~remediator.report.model.Evidence`.

Reads only the record's own copies: ``run.json``, ``plan.json`` (the decisions),
``verify.json`` (written by ``remediator verify``), and when present ``findings.json``
(the scanner's own evidence), ``summary.json`` (an apply's per-host end and per-finding
changes) and ``snapshots/<host>/``. Nothing is re-run and nothing is fetched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from remediator.classify.plan_document import PlanDoc, load_plan
from remediator.errors import InputError
from remediator.ingest.findingset import load_findings
from remediator.ingest.model import Finding
from remediator.report.model import (
    Change,
    Evidence,
    FindingEvidence,
    HostEvidence,
    RunFacts,
    ScannerEvidence,
)
from remediator.run.apply.rollback import snapshotted
from remediator.run.preview.verdicts import HostPreview
from remediator.run.records.outcome import ApplySummary, HostEnding, read_summary
from remediator.run.records.record import RUN_FILE, ApplyTerms, RunInfo, RunRecord
from remediator.verify.compare import judged_again
from remediator.verify.model import Outcome, Verification
from remediator.verify.originals import originals_of
from remediator.verify.store import VERIFY_FILE, read_verification


def load_evidence(run_dir: Path, now: datetime | None = None) -> Evidence:
    """The evidence of the run record at ``run_dir``, its exceptions re-judged on ``now``'s day.

    A report written after an exception expired must not call it active: the plan's
    exceptions are re-judged on the report's day and an ``excepted`` outcome whose exception
    has since run out is judged again from what verify recorded (``open``, "exception
    expired on ...", when the rescan still saw it).
    """
    now = now or datetime.now(UTC)
    record = RunRecord(run_dir, run_dir.name)
    _require(run_dir / RUN_FILE)
    info = record.info()
    _require(run_dir / "plan.json")
    plan = load_plan(run_dir / "plan.json")
    originals = originals_of(plan, now.date())
    _require(run_dir / VERIFY_FILE)
    verification = _rejudged(read_verification(run_dir, originals))
    summary = read_summary(run_dir)
    findings = _findings(run_dir / "findings.json")
    snapshots = set(snapshotted(record))
    return build_evidence(
        facts=_facts(info, summary, plan),
        verification=verification,
        findings=findings,
        summary=summary,
        snapshots=snapshots,
        now=now,
    )


def _rejudged(verification: Verification) -> Verification:
    """``verification`` with outcomes whose exception expired since judged again."""
    return replace(verification, outcomes=tuple(judged_again(o) for o in verification.outcomes))


def build_evidence(
    *,
    facts: RunFacts,
    verification: Verification,
    findings: Iterable[Finding],
    summary: ApplySummary | None,
    snapshots: set[str],
    now: datetime,
) -> Evidence:
    """Join the verification with the scanner's evidence and the apply's changes."""
    scanner = {str(f.key): _scanner(f) for f in findings}
    changes = _changes(summary.findings if summary else ())
    proofs = {(p.host, p.key): p for p in (summary.proof if summary else ())}
    patches = {(v.host, v.key): v for v in (summary.patch if summary else ())}
    ends = summary.hosts if summary else {}
    by_host: dict[str, list[Outcome]] = {}
    for outcome in verification.outcomes:
        by_host.setdefault(outcome.original.host or outcome.original.address, []).append(outcome)
    hosts = []
    for name in sorted(by_host):
        end = ends.get(name, HostEnding(name))
        hosts.append(
            HostEvidence(
                name=name,
                end="not applied" if end.end is None else end.end,
                batch=end.batch,
                detail=end.detail or "",
                snapshot_kept=name in snapshots,
                findings=tuple(
                    FindingEvidence(
                        o,
                        scanner.get(o.original.finding_key),
                        changes.get((name, o.original.finding_key)),
                        proofs.get((name, o.original.finding_key)),
                        patches.get((name, o.original.finding_key)),
                    )
                    for o in by_host[name]
                ),
            )
        )
    return Evidence(
        facts,
        verification,
        tuple(hosts),
        now.isoformat(timespec="seconds"),
        idempotence=summary.idempotence if summary else None,
    )


def _facts(info: RunInfo, summary: ApplySummary | None, plan: PlanDoc) -> RunFacts:
    """The run's facts: its ``run.json`` first, an apply's terms from its summary if not there."""
    terms = info.terms or (summary.terms if summary else None) or ApplyTerms()

    def text(value: str | None) -> str:
        return "" if value is None else value

    return RunFacts(
        run_id=info.id,
        kind=info.kind,
        created=text(info.created),
        status=text(summary.status if summary else None),
        window=text(terms.window),
        window_closes=text(terms.window_closes),
        approved_by=text(terms.approval.approved_by if terms.approval else None),
        ticket=text(terms.approval.ticket if terms.approval else None),
        approval=terms.approval,
        plan_as_of=plan.as_of,
        scan_files=plan.scan_files,
    )


def _changes(previews: Iterable[HostPreview]) -> dict[tuple[str, str], Change]:
    """What the apply did per (host, finding key), from its summary's per-finding previews."""
    return {
        (host.name, item.key): Change(
            status=item.status.value,
            what=item.what,
            diffs=tuple((d.header, d.text) for d in item.diffs),
            irreversible=item.irreversible,
            why=item.why,
        )
        for host in previews
        for item in host.findings
    }


def _findings(path: Path) -> tuple[Finding, ...]:
    """The run's copy of its findings, read by the findings document's own reader (none if
    the run was made without them)."""
    if not path.is_file():
        return ()
    return load_findings([path], family="json").findings


def _scanner(finding: Finding) -> ScannerEvidence:
    source = finding.source
    return ScannerEvidence(
        title=finding.title,
        evidence=finding.evidence,
        scanner=f"{source.scanner} {source.version}".strip(),
        file=source.file,
        scan_time=source.scan_time.isoformat() if source.scan_time else "",
    )


def _require(path: Path) -> None:
    """InputError unless the record holds ``path``."""
    if not path.is_file():
        raise InputError(f"{path}: missing from the run record")
