"""Known-vulnerable or unsupported software: patch or upgrade, a person's job."""

from __future__ import annotations

from remediator.classify.context import FindingContext, RuleOutcome
from remediator.classify.model import Manual
from remediator.classify.rules.base import Rule, asv_note

KINDS = frozenset({"vulnerable-version", "unsupported-software"})
CVE_LIST_LIMIT = 5


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
