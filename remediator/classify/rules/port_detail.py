"""Informational findings on a port that is being closed: reported, nothing of their own.

A "TLSv1.2 offered" or banner finding on an unapproved port does not fail anything by
itself; the port's own exposure decision closes it, and the finding goes with it.
Failing findings on such ports keep the exposure rules' actions, so each stays fixable
and verifiable on its own.
"""

from __future__ import annotations

from remediator.classify.context import ASV_PASS, EXPOSURE_KINDS, FindingContext, RuleOutcome
from remediator.classify.rules.base import Rule, asv_note, policy_denial, unapproved


class PortDetailRule(Rule):
    """Non-failing detail (not the exposure itself) on an unapproved port."""

    id = "port-detail"
    pci = ("1.2.5",)
    summary = "informational detail of an unapproved port: reported; the port's decision closes it"

    def applies(self, ctx: FindingContext) -> bool:
        return unapproved(ctx) and ctx.kind.id not in EXPOSURE_KINDS and ctx.asv == ASV_PASS

    def decide(self, ctx: FindingContext) -> RuleOutcome:
        return RuleOutcome(
            actions=(),
            reason=(
                f"'{ctx.finding.title}' on {ctx.label}: reported only. {asv_note(ctx)} The "
                f"port itself is not allowed ({policy_denial(ctx)}); its open-port decision "
                f"closes it, and this finding with it."
            ),
            policy_fail=False,
        )
