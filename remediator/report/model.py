"""The auditor's evidence: per host and finding, what was found, decided, changed and proven.

One frozen :class:`Evidence` feeds both ``evidence.json`` and ``evidence.html``, so the
two can never disagree on a finding's state. Every string that came from a scan stays
raw here; escaping is the renderer's job (jinja2 autoescape), never this module's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from remediator.run.records.approval import Approval
from remediator.run.records.patches import PatchVerdict
from remediator.run.records.proof import FindingProof, Idempotence, Observation
from remediator.verify.model import NewFinding, Outcome, Role, State, Verification


@dataclass(frozen=True)
class ScannerEvidence:
    """What the original scanner said: its words, the file and when."""

    title: str
    evidence: str
    scanner: str
    file: str
    scan_time: str

    def to_json(self) -> dict[str, object]:
        """The report form."""
        return {
            "title": self.title,
            "evidence": self.evidence,
            "scanner": self.scanner,
            "file": self.file,
            "scan_time": self.scan_time,
        }


@dataclass(frozen=True)
class Change:
    """What the apply did about one finding: its status, the work and the diffs."""

    status: str
    what: tuple[str, ...]
    diffs: tuple[tuple[str, str], ...]
    irreversible: bool
    why: str = ""
    """What the run could not vouch for, or what the change still waits for (``not run``
    on a Windows host the run never reached, ``pending_reboot``)."""

    def to_json(self) -> dict[str, object]:
        """The report form."""
        return {
            "status": self.status,
            "why": self.why,
            "what": list(self.what),
            "diffs": [{"file": f, "diff": d} for f, d in self.diffs],
            "irreversible": self.irreversible,
        }


@dataclass(frozen=True)
class FindingEvidence:
    """One finding: scanner evidence, the plan's decision, the change, the verification."""

    outcome: Outcome
    scanner: ScannerEvidence | None
    change: Change | None
    proof: FindingProof | None = None
    """Checks before and after, predicted against applied (None: the run changed nothing
    here, or its summary predates the proof)."""
    patch: PatchVerdict | None = None
    """What the host's package changelogs say about the finding's CVEs (patch findings)."""

    @property
    def backported(self) -> bool:
        """The installed package's changelog names every CVE while the version string stays
        old: a scanner keeps flagging it, and the changelog lines are the dispute."""
        return self.patch is not None and self.patch.state == "backported"

    @property
    def ident(self) -> str:
        """The finding key, used as the HTML anchor and the JSON key."""
        return self.outcome.original.finding_key

    def to_json(self) -> dict[str, object]:
        """The report form."""
        o = self.outcome.original
        return {
            "key": self.ident,
            **self.outcome.to_json(),
            "title": o.title,
            "severity": o.severity,
            "verdict": o.verdict,
            "decision_reason": o.reason,
            "actions": list(o.actions),
            "policy_entry": o.policy_entry,
            "justification": o.justification,
            "exception": None
            if o.exception is None
            else {
                "entry": o.exception.entry,
                "justification": o.exception.justification,
                "approved_by": o.exception.approved_by,
                "expires": o.exception.expires,
                "active": o.exception.active,
            },
            "manual_tasks": list(o.manual_tasks),
            "scanner": self.scanner.to_json() if self.scanner else None,
            "change": self.change.to_json() if self.change else None,
            **self._audit_json(),
        }

    def _audit_json(self) -> dict[str, object]:
        """The keys an auditor reads on every finding, null where they do not apply."""
        o, p = self.outcome.original, self.proof
        return {
            "asv": {"outcome": o.asv, "reason": o.asv_reason} if o.asv else None,
            "pci": list(o.pci) if o.pci else None,
            "owner": o.owner,
            "before": _seen(p.before if p else None),
            "after": _seen(p.after if p else None),
            "predicted": p.predicted if p else None,
            "applied": p.applied if p else None,
            "mismatch": p.mismatch if p and p.applied is not None else None,
            "rescan": self.outcome.seen.value,
            "patch": None if self.patch is None else _patch_json(self.patch),
        }


def _patch_json(verdict: PatchVerdict) -> dict[str, object]:
    data = verdict.to_json()
    data.pop("host")
    data.pop("key")
    return data


def _seen(observations: tuple[Observation, ...] | None) -> list[dict[str, object]] | None:
    return None if observations is None else [o.to_json() for o in observations]


@dataclass(frozen=True)
class HostEvidence:
    """One host: how the apply ended on it, its snapshot, and its findings."""

    name: str
    end: str
    batch: int | None
    detail: str
    snapshot_kept: bool
    findings: tuple[FindingEvidence, ...]

    def to_json(self) -> dict[str, object]:
        """The report form."""
        return {
            "host": self.name,
            "apply_end": self.end,
            "batch": self.batch,
            "detail": self.detail,
            "snapshot_kept": self.snapshot_kept,
            "findings": [f.to_json() for f in self.findings],
        }


@dataclass(frozen=True)
class RunFacts:
    """When and under whose authority the run happened."""

    run_id: str
    kind: str
    created: str
    status: str
    window: str
    window_closes: str
    approved_by: str
    ticket: str
    plan_as_of: str
    scan_files: tuple[str, ...]
    approval: Approval | None = None
    """None when the record holds none (a dry-run, or an apply from before it was required)."""
    previous_manifest: str | None = None
    """The sha256 of the previous run's evidence manifest in the same runs directory (the
    link the bundle's ``manifest.json`` chains to); None when there is none."""

    @property
    def approval_statement(self) -> str:
        """One line for a person: who approved under which ticket, or plainly the waiver."""
        return self.approval.statement() if self.approval else "approval not recorded"

    def to_json(self) -> dict[str, object]:
        """The report form."""
        return {
            "run": self.run_id,
            "kind": self.kind,
            "created": self.created,
            "status": self.status,
            "window": self.window,
            "window_closes": self.window_closes,
            "approved_by": self.approved_by,
            "ticket": self.ticket,
            "approval": self.approval.to_json() if self.approval else None,
            "approval_statement": self.approval_statement,
            "plan_as_of": self.plan_as_of,
            "scan_files": list(self.scan_files),
            "previous_manifest": self.previous_manifest,
        }


@dataclass(frozen=True)
class Evidence:
    """Everything the report shows, for ``evidence.json`` and ``evidence.html`` alike."""

    run: RunFacts
    verification: Verification
    hosts: tuple[HostEvidence, ...]
    generated: str
    idempotence: Idempotence | None = None
    """The apply's check-mode pass after its last batch (None: no apply, or none ran)."""

    @property
    def mismatches(self) -> tuple[FindingEvidence, ...]:
        """Findings the apply changed otherwise than its dry-run predicted."""
        return tuple(
            f for h in self.hosts for f in h.findings if f.proof is not None and f.proof.mismatch
        )

    @property
    def new(self) -> tuple[NewFinding, ...]:
        """Findings the rescan reports that the original scan did not."""
        return self.verification.new

    @property
    def for_a_person(self) -> tuple[FindingEvidence, ...]:
        """What remains for a person: manual work, anything fixable not yet resolved, and
        anything else ``open`` (a finding whose exception expired, an allowed service that
        broke)."""
        return tuple(
            f
            for h in self.hosts
            for f in h.findings
            if f.outcome.state in (State.MANUAL, State.OPEN)
            or (f.outcome.original.role is Role.FIX and f.outcome.state is not State.RESOLVED)
        )

    def summary_lines(self) -> tuple[str, ...]:
        """The summary an admin attaches to an ASV rescan request or dispute."""
        v = self.verification
        fixable = v.fixable()
        resolved = sum(1 for o in fixable if o.state is State.RESOLVED)
        counts = v.counts()
        lines = [
            f"{resolved} of {len(fixable)} findings the run was to fix are resolved" + _proof(v),
            f"{counts['kept']} allowed services are kept: still answering, as the policy wants.",
            f"{counts['excepted']} findings are left under a dated policy exception.",
            f"{counts['manual']} findings need a person (patch, certificate, replacement).",
            f"{counts['unknown']} findings could not be judged (host did not answer, "
            "or no test or rescan covers them).",
            f"{counts['new']} findings are new in the rescan.",
        ]
        if v.broken_allowed:
            lines.append(f"{len(v.broken_allowed)} allowed services no longer answer.")
        expired = [o for o in v.outcomes if o.original.expired_on and o.state is State.OPEN]
        if expired:
            lines.append(
                f"{len(expired)} findings are open because their policy exception expired."
            )
        lines.append(
            "Verification passed." if v.passed else "Verification did not pass: see below."
        )
        return tuple(lines)

    def to_json(self) -> dict[str, object]:
        """The ``remediator/evidence/v1`` document."""
        return {
            "schema": "remediator/evidence/v1",
            "generated": self.generated,
            "run": self.run.to_json(),
            "passed": self.verification.passed,
            "rescanned": self.verification.rescanned,
            "tested": self.verification.tested,
            "counts": self.verification.counts(),
            "summary": list(self.summary_lines()),
            "hosts": [h.to_json() for h in self.hosts],
            "new": [n.to_json() for n in self.new],
            "for_a_person": [f.ident for f in self.for_a_person],
            "idempotence": None if self.idempotence is None else self.idempotence.to_json(),
            "mismatches": [f.ident for f in self.mismatches],
        }


def _proof(v: Verification) -> str:
    """What the resolved states rest on, for the summary's first line."""
    if v.rescanned and v.tested:
        return " (confirmed by the rescan and the host tests)."
    if v.rescanned:
        return " (confirmed by the rescan; no host tests ran)."
    return " (by the host tests only; no rescan)." if v.tested else " (nothing checked them)."


@dataclass(frozen=True)
class ReportOptions:
    """What ``remediator report`` was asked: the run, and where its evidence goes."""

    run: str | None
    output: Path | None
    runs_dir: Path = Path("runs")
    verify: Path | None = None
    """``--verify DIR``: check the bundle at DIR instead of writing one."""
    chain: bool = False
    """``--runs-dir`` given with ``--verify``: check the whole chain of that runs directory too."""
    sign_key: Path | None = None
    """``--sign-key KEY``: sign the bundle's manifest with this SSH key (writing only)."""
    allowed_signers: Path | None = None
    """``--allowed-signers FILE``: with ``--verify``, the signature must be good by this file."""
    signer: str | None = None
    """``--signer IDENTITY``: who must have signed (default: the file's identity for the key)."""
    dispute: bool = True
    """Write the ASV dispute pages (``dispute/``); ``--no-dispute`` skips them (PDFs take time)."""
