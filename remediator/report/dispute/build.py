"""Choose the findings that get a dispute page and gather each page's evidence.

A page is for a finding a person answers for: one under a policy exception (active, or
expired since: the page then says so), or one only a person can fix (manual). A finding
the rescan and tests show resolved needs no dispute. Everything comes from the run
record: the evidence the report already built, the plan the run kept, and the scanner's
fingerprint of the port.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from remediator.classify.model import (
    Action,
    EnforceTls,
    FirewallBlock,
    FirewallRestrict,
    Harden,
    Keep,
    Manual,
)
from remediator.classify.plan_document import PlanDecision, PlanDoc, load_plan
from remediator.ingest.findingset import load_findings
from remediator.ingest.model import Finding
from remediator.report.dispute.model import DisputeCase, DisputePackage, PortControl
from remediator.report.dispute.names import host_part, page_stem
from remediator.report.model import Evidence, FindingEvidence
from remediator.verify.model import Role, State

PortKey = tuple[str, str, int]
"""``(address, protocol, port)``: where a control and a finding meet."""


def load_package(run_dir: Path, evidence: Evidence) -> DisputePackage:
    """The dispute package of the run record at ``run_dir`` whose ``evidence`` the report
    built (its exceptions already re-judged on the report's day)."""
    plan = load_plan(run_dir / "plan.json")
    findings_file = run_dir / "findings.json"
    findings = (
        load_findings([findings_file], family="json").findings if findings_file.is_file() else ()
    )
    return build_package(evidence, plan, findings)


def build_package(evidence: Evidence, plan: PlanDoc, findings: Iterable[Finding]) -> DisputePackage:
    """One :class:`DisputeCase` per disputable finding, in host, port and address order."""
    judged_on = evidence.generated[:10]
    everything = [f for h in evidence.hosts for f in h.findings]
    decisions = {d.key: d for d in plan.decisions}
    banners = {str(f.key): _banner(f) for f in findings}
    controls = _controls_by_port(plan.decisions, {f.ident: f for f in everything})
    inventory = {h.name for h in plan.hosts}
    chosen = sorted((f for f in everything if disputable(f)), key=_order)
    counted: dict[tuple[str, str, int], int] = {}
    cases = []
    for finding in chosen:
        o = finding.outcome.original
        place = (host_part(o.host, o.address, inventory), o.protocol, o.port)
        counted[place] = counted.get(place, 0) + 1
        cases.append(
            DisputeCase(
                stem=page_stem(*place, counted[place]),
                finding=finding,
                decision=decisions.get(finding.ident),
                banner=banners.get(finding.ident, ""),
                controls=controls.get((o.address, o.protocol, o.port), ()),
                judged_on=judged_on,
            )
        )
    v = evidence.verification
    return DisputePackage(evidence.run, evidence.generated, v.rescanned, v.tested, tuple(cases))


def disputable(finding: FindingEvidence) -> bool:
    """An excepted or manual finding, or one whose exception has expired, not resolved; or
    a backport, resolved on the host but still flagged by any scanner reading versions."""
    outcome = finding.outcome
    o = outcome.original
    if finding.backported:
        return True
    if outcome.state is State.RESOLVED:
        return False
    return o.role in (Role.EXCEPTED, Role.MANUAL) or o.exception is not None


def _order(finding: FindingEvidence) -> tuple[str, str, int, str, str]:
    o = finding.outcome.original
    return (o.host or o.address, o.protocol, o.port, o.address, o.check_id)


def _controls_by_port(
    decisions: Iterable[PlanDecision], evidence: Mapping[str, FindingEvidence]
) -> dict[PortKey, tuple[PortControl, ...]]:
    """Every action of the plan that guards or changes a port, with its proof."""
    found: dict[PortKey, list[PortControl]] = {}
    for decision in decisions:
        proof = evidence.get(decision.key)
        for action in decision.actions:
            words = describe(action)
            if words is None:
                continue
            found.setdefault((decision.address, decision.protocol, decision.port), []).append(
                _control(decision, action, words, proof)
            )
    return {port: tuple(items) for port, items in found.items()}


def _control(
    decision: PlanDecision, action: Action, words: str, proof: FindingEvidence | None
) -> PortControl:
    """One control with what the apply recorded for its finding and what verify judged."""
    unchanged = "nothing to change" if isinstance(action, Keep) else "no change recorded"
    if proof is None:
        return PortControl(decision.check_id, words, unchanged, "not verified", "")
    return PortControl(
        check_id=decision.check_id,
        action=words,
        applied=proof.change.status if proof.change else unchanged,
        state=proof.outcome.state.value,
        reason=proof.outcome.reason,
        tests=proof.outcome.tests,
    )


def describe(action: Action) -> str | None:
    """An action that guards or changes a port, in words; None for manual work."""
    if isinstance(action, Manual):
        return None
    port = f"{action.port}/{action.protocol}"
    if isinstance(action, FirewallRestrict | FirewallBlock | Keep):
        return _reach(action, port)
    if isinstance(action, EnforceTls):
        daemon = action.daemon or "the service"
        protocols = ", ".join(action.protocols)
        return f"TLS enforced on {port} ({daemon}): {protocols} only, {action.profile} profile"
    if isinstance(action, Harden):
        return f"{action.daemon} hardened on {port}: {', '.join(action.settings)}"
    return f"service on {port} stopped, disabled and masked"


def _reach(action: FirewallRestrict | FirewallBlock | Keep, port: str) -> str:
    """Who may still reach ``port`` after the action."""
    if isinstance(action, FirewallBlock):
        return f"firewall: {port} dropped from every source"
    sources = action.sources
    if sources is None or sources.any:
        return f"kept open on {port} to any source (no firewall restriction)"
    named = f"{sources.describe()} ({', '.join(sources.cidrs())})"
    if isinstance(action, FirewallRestrict):
        return f"firewall: {port} accepted only from {named}, dropped from every other source"
    return f"kept open on {port} to {named}"


def _banner(finding: Finding) -> str:
    """The scanner's fingerprint of the port: service name, product, version, extra."""
    service = finding.service
    if service is None:
        return ""
    parts = (service.name, service.product, service.version, service.extra_info)
    return " ".join(p for p in parts if p)
