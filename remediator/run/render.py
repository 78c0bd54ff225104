"""The human-readable reports of ``dry-run``, ``apply`` and ``rollback`` (stdout).

Scan text (finding keys carry scanned addresses and check ids, reasons quote banners)
is printed as data through :func:`remediator.common.text.shown`: control, bidi and
zero-width characters are escaped so a hostile value cannot move the cursor, clear the
screen, reorder what is read or fake a line of the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from remediator.common.text import shown
from remediator.run.apply.rollback import RestoreResult
from remediator.run.preview.dryrun import DryRun
from remediator.run.preview.verdicts import FindingPreview, HostPreview, Status
from remediator.run.records.approval import Approval
from remediator.run.records.outcome import ApplyReport

DIFF_LINES: Final = 40
LABELS: Final = {
    Status.WOULD_CHANGE: "WOULD CHANGE",
    Status.CHANGED: "CHANGED",
    Status.COMPLIANT: "compliant",
    Status.UNKNOWN: "UNKNOWN",
}


def safe(text: str) -> str:
    """``text`` for the terminal: one line, every control, bidi and zero-width escaped."""
    return shown(text)


def dry_run_text(dry: DryRun) -> str:
    totals = ", ".join(
        f"{LABELS[s].lower()} {dry.count(s)}"
        for s in (Status.WOULD_CHANGE, Status.COMPLIANT, Status.UNKNOWN)
    )
    lines = [
        f"dry-run {dry.run_id}: {safe(dry.project)} (plan {dry.plan_sha256[:12]})",
        f"  inventory {safe(dry.inventory)}"
        + (f", limit {safe(dry.limit)}" if dry.limit else "")
        + f"; check run {dry.status} in {dry.seconds:.0f} s",
        f"  {totals}",
    ]
    for host in dry.hosts:
        lines.extend(host_lines(host))
    lines.append("")
    lines.append(
        f"apply exactly this: remediator apply {safe(dry.project)} --dry-run-id "
        f"{dry.run_id} --window SPEC"
    )
    return "\n".join(lines) + "\n"


def host_lines(host: HostPreview) -> list[str]:
    counts = ", ".join(f"{host.count(s)} {LABELS[s].lower()}" for s in Status if host.count(s))
    lines = ["", f"{safe(host.name)}  ({counts or 'nothing to do'})"]
    if host.problem:
        lines.append(f"  ! {safe(host.problem)}")
    seen: set[str] = set()
    for finding in host.findings:
        lines.extend(_finding_lines(finding, seen))
    for key, task in host.manual:
        lines.append(f"  manual        {safe(key)}: {safe(task)}")
    return lines


def _finding_lines(finding: FindingPreview, seen: set[str]) -> list[str]:
    """A finding's lines; a diff already shown for the host is referred to, not repeated."""
    lines = [f"  {LABELS[finding.status]:<13} {safe(finding.key)}  {safe('; '.join(finding.what))}"]
    pad = " " * 16
    if finding.irreversible:
        lines.append(f"{pad}! irreversible: package removal cannot be undone by the snapshot")
    if finding.why:
        lines.append(f"{pad}why: {safe(finding.why)}")
    if finding.status in (Status.WOULD_CHANGE, Status.CHANGED):
        for task in finding.tasks[:8]:
            lines.append(f"{pad}- {safe(task)}")
        for diff in finding.diffs:
            if diff.text in seen:
                lines.append(f"{pad}  (diff of {safe(diff.header)} shown above)")
                continue
            seen.add(diff.text)
            body = diff.text.splitlines()
            lines.extend(f"{pad}  {shown(line, keep=chr(9))}" for line in body[:DIFF_LINES])
            if len(body) > DIFF_LINES:
                lines.append(f"{pad}  ... ({len(body) - DIFF_LINES} more lines in --json)")
    return lines


def _approval(request: Mapping[str, object]) -> str:
    """The apply's approval as one line (its request is :meth:`ApplyTerms.to_json`)."""
    approval = request.get("approval")
    if isinstance(approval, Mapping):
        return Approval.from_json(approval).statement()
    return "approval not recorded"


def apply_text(report: ApplyReport) -> str:
    request = report.request
    lines = [
        f"apply {report.record.id}: {report.status}",
        f"  {safe(_approval(request))}; "
        f"window {safe(str(request.get('window')))}; "
        f"dry-run {report.dry.run_id if report.dry else 'none'}",
    ]
    for batch in report.batches:
        hosts = ", ".join(safe(h) for h in batch["hosts"])
        lines.append(f"  batch {batch['batch']}: {batch['status']} ({hosts}, {batch['seconds']} s)")
    if report.stopped:
        lines.append(f"  stopped: {safe(report.stopped)}")
    lines.append("")
    width = max((len(h) for h in report.hosts), default=4)
    for name, result in sorted(report.hosts.items()):
        changed = sum(1 for host, _ in report.changed if host == name)
        lines.append(
            f"  {safe(name):<{width}}  {result.end.value:<19} {changed:>3} findings "
            f"changed  {safe(result.detail)}"
        )
    lines.append("")
    lines.extend(_proof_lines(report))
    lines.append(f"record: {report.record.path}")
    return "\n".join(lines) + "\n"


def _proof_lines(report: ApplyReport) -> list[str]:
    """Before/after shown, each mismatch with the dry-run named, and the idempotence pass."""
    proofs = [p for p in report.proofs() if p.applied is not None]
    shown = sum(1 for p in proofs if p.weakness_shown and p.fixed_shown)
    lines = [f"  proof: {shown} findings failed a fix check before the change and pass after"]
    for p in (p for p in proofs if p.mismatch):
        lines.append(
            f"  mismatch: {safe(p.host)} {safe(p.key)}: the dry-run said {p.predicted}, "
            f"the apply found it {p.applied} (changed since the dry-run?)"
        )
    pass_ = report.idempotence
    if pass_ is None:
        lines.append("  idempotence: not checked (no host ended applied)")
    elif pass_.idempotent:
        lines.append(
            f"  idempotence: a check-mode pass over {len(pass_.hosts)} hosts changes nothing"
        )
    else:
        lines.append(
            f"  idempotence: NOT idempotent ({pass_.status}): would change "
            f"{len(pass_.would_change)}, unknown {len(pass_.unknown)}: "
            + ", ".join(safe(f"{h} {k}") for h, k in (*pass_.would_change, *pass_.unknown)[:5])
        )
    return [*lines, ""]


def rollback_text(run_id: str, results: Mapping[str, RestoreResult]) -> str:
    lines = [f"rollback of {run_id}:"]
    lines.extend(
        f"  {safe(host)}: {r.outcome.value} ({safe(r.detail)})"
        for host, r in sorted(results.items())
    )
    return "\n".join(lines) + "\n"


def warnings_text(warnings: Iterable[str]) -> str:
    return "".join(f"warning: {safe(w)}\n" for w in warnings)
