"""Gather a run record into :class:`~remediator.report.evidence.Evidence`.

Reads only the record's own copies: ``run.json``, ``plan.json`` (the decisions),
``verify.json`` (written by ``remediator verify``), and when present ``findings.json``
(the scanner's own evidence), ``summary.json`` (an apply's per-host end and per-finding
changes) and ``snapshots/<host>/``. Nothing is re-run and nothing is fetched.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from remediator.classify.plan_document import PlanDoc, load_plan
from remediator.errors import InputError
from remediator.report.evidence import (
    Change,
    Evidence,
    FindingEvidence,
    HostEvidence,
    RunFacts,
    ScannerEvidence,
)
from remediator.run.apply.rollback import snapshotted
from remediator.run.records.record import RunRecord
from remediator.verify.model import Outcome, Verification
from remediator.verify.originals import originals_of
from remediator.verify.store import VERIFY_FILE, verification_from_json


def load_evidence(run_dir: Path, now: datetime | None = None) -> Evidence:
    """The evidence of the run record at ``run_dir``."""
    info = _read(run_dir / "run.json", required=True)
    plan = _plan(run_dir / "plan.json")
    originals = originals_of(plan)
    verify = _read(run_dir / VERIFY_FILE, required=True)
    verification = verification_from_json(verify, originals, str(run_dir / VERIFY_FILE))
    summary = _read(run_dir / "summary.json", required=False)
    findings = _read(run_dir / "findings.json", required=False)
    snapshots = set(snapshotted(RunRecord(run_dir, run_dir.name)))
    return build_evidence(
        facts=_facts(info, summary, plan),
        verification=verification,
        findings=findings.get("findings", ()),
        summary=summary,
        snapshots=snapshots,
        now=now or datetime.now(UTC),
    )


def build_evidence(
    *,
    facts: RunFacts,
    verification: Verification,
    findings: Iterable[Mapping[str, Any]],
    summary: Mapping[str, Any],
    snapshots: set[str],
    now: datetime,
) -> Evidence:
    """Join the verification with the scanner's evidence and the apply's changes."""
    scanner = {_key(f): _scanner(f) for f in findings if isinstance(f, Mapping)}
    changes = _changes(summary)
    ends = _mapping(summary.get("hosts"))
    by_host: dict[str, list[Outcome]] = {}
    for outcome in verification.outcomes:
        by_host.setdefault(outcome.original.host or outcome.original.address, []).append(outcome)
    hosts = []
    for name in sorted(by_host):
        end = _mapping(ends.get(name))
        hosts.append(
            HostEvidence(
                name=name,
                end=str(end.get("end", "not applied")),
                batch=int(end["batch"]) if isinstance(end.get("batch"), int) else None,
                detail=str(end.get("detail", "")),
                snapshot_kept=name in snapshots,
                findings=tuple(
                    FindingEvidence(
                        o,
                        scanner.get(o.original.finding_key),
                        changes.get((name, o.original.finding_key)),
                    )
                    for o in by_host[name]
                ),
            )
        )
    return Evidence(facts, verification, tuple(hosts), now.isoformat(timespec="seconds"))


def _facts(info: Mapping[str, Any], summary: Mapping[str, Any], plan: PlanDoc) -> RunFacts:
    def text(key: str) -> str:
        value = info.get(key, summary.get(key))
        return "" if value is None else str(value)

    return RunFacts(
        run_id=text("id"),
        kind=text("kind"),
        created=text("created"),
        status=str(summary.get("status", "")),
        window=text("window"),
        window_closes=text("window_closes"),
        approved_by=text("approved_by"),
        ticket=text("ticket"),
        plan_as_of=plan.as_of,
        scan_files=plan.scan_files,
    )


def _changes(summary: Mapping[str, Any]) -> dict[tuple[str, str], Change]:
    found: dict[tuple[str, str], Change] = {}
    for host in summary.get("findings", ()):
        if not isinstance(host, Mapping):
            continue
        for item in host.get("findings", ()):
            if not isinstance(item, Mapping):
                continue
            found[(str(host.get("host")), str(item.get("key")))] = Change(
                status=str(item.get("status", "")),
                what=tuple(str(w) for w in item.get("what", ())),
                diffs=tuple(
                    (str(d.get("file", "")), str(d.get("diff", "")))
                    for d in item.get("diffs", ())
                    if isinstance(d, Mapping)
                ),
                irreversible=bool(item.get("irreversible")),
            )
    return found


def _key(finding: Mapping[str, Any]) -> str:
    return (
        f"{finding.get('address')}/{finding.get('protocol')}/{finding.get('port')}/"
        f"{finding.get('check_id')}"
    )


def _scanner(finding: Mapping[str, Any]) -> ScannerEvidence:
    source = _mapping(finding.get("source"))
    return ScannerEvidence(
        title=str(finding.get("title", "")),
        evidence=str(finding.get("evidence", "")),
        scanner=f"{source.get('scanner', '')} {source.get('version', '')}".strip(),
        file=str(source.get("file", "")),
        scan_time=str(source.get("scan_time") or ""),
    )


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _plan(path: Path) -> PlanDoc:
    """The run's copy of its plan, read (and schema-checked) by the plan's own module."""
    if not path.is_file():
        raise InputError(f"{path}: missing from the run record")
    return load_plan(path)


def _read(path: Path, *, required: bool) -> dict[str, Any]:
    if not path.is_file():
        if required:
            raise InputError(f"{path}: missing from the run record")
        return {}
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: unreadable: {exc}") from None
    if not isinstance(document, dict):
        raise InputError(f"{path}: not a JSON object")
    return document
