"""Known-vulnerable or unsupported software: patch or upgrade, a person's job."""

from __future__ import annotations

import re

from remediator.classify.context import FindingContext, RuleOutcome
from remediator.classify.model import Manual, Patch
from remediator.classify.rules.base import Rule, asv_note

KINDS = frozenset({"vulnerable-version", "unsupported-software"})
CVE_LIST_LIMIT = 5
MAX_CVES = 50
"""CVEs one patch action judges (the plan schema's limit); a scanner listing hundreds
against one old version is answered by the first fifty, the rest stay in the finding."""
CVE = re.compile(r"CVE-\d{4}-\d{4,7}")


class VulnerableVersionRule(Rule):
    """Version-based findings (CVE lists, "< x.y" titles, end-of-life software)."""

    id = "vulnerable-version"
    pci = ("6.3.3",)
    summary = "vulnerable or unsupported version: report (manual: patch or upgrade)"

    def applies(self, ctx: FindingContext) -> bool:
        return ctx.kind.id in KINDS

    def decide(self, ctx: FindingContext) -> RuleOutcome:
        finding = ctx.finding
        what = f"{ctx.product} " if ctx.product else "the software "
        if not ctx.failing:
            return RuleOutcome(
                (),
                f"'{finding.title}' on {ctx.label}: reported only. {asv_note(ctx)}",
                policy_fail=False,
            )
        cves = ", ".join(finding.cves[:CVE_LIST_LIMIT])
        more = (
            f" and {len(finding.cves) - CVE_LIST_LIMIT} more"
            if len(finding.cves) > CVE_LIST_LIMIT
            else ""
        )
        refs = f" ({cves}{more})" if cves else ""
        patchable = [c for c in finding.cves if CVE.fullmatch(c)][:MAX_CVES]
        if ctx.host is not None and finding.port > 0 and patchable:
            protocol, port = ctx.port_key
            return RuleOutcome(
                actions=(Patch(protocol, port, tuple(patchable)),),
                reason=(
                    f"'{finding.title}' on {ctx.label} is a known-vulnerable version{refs}; "
                    f"PCI DSS 6.3.3 requires the fix. {asv_note(ctx)} Distributions often fix "
                    f"it by a backport, so the host's own package changelogs decide: a CVE "
                    f"the installed package names is recorded as the dispute's evidence and "
                    f"nothing changes; one a candidate from the host's repositories names is "
                    f"upgraded to in the window, the installed package kept for rollback; "
                    f"anything else is left to a person, naming what is missing."
                ),
                policy_fail=False,
                entry=ctx.allowed[0] if ctx.allowed else None,
            )
        task = (
            f"Patch or upgrade {what}on {ctx.label}{refs}; if the distribution backported "
            f"the fix, dispute it as a false positive with the package changelog"
        )
        return RuleOutcome(
            actions=(Manual(task),),
            reason=(
                f"'{finding.title}' on {ctx.label} is a known-vulnerable or unsupported "
                f"version; PCI DSS 6.3.3 requires the patch. {asv_note(ctx)} Patching is a "
                f"person's decision, not a playbook's."
            ),
            policy_fail=False,
            entry=ctx.allowed[0] if ctx.allowed else None,
        )
