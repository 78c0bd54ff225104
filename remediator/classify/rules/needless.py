"""Any other service reachable without a business need the policy records."""

from __future__ import annotations

from remediator.classify.context import FindingContext, RuleOutcome
from remediator.classify.rules.base import Rule, policy_denial, remove_unapproved, unapproved

NEED = "every exposed service needs an approved business need (PCI DSS 1.2.5, 2.2.4)."


class NeedlessExposureRule(Rule):
    """Known service, not allowed: the seed's "disable what is not needed"."""

    id = "needless-exposure"
    pci = ("1.2.5", "2.2.4", "1.3.1")
    summary = "service without an approved business need: disabled and its port blocked"

    def applies(self, ctx: FindingContext) -> bool:
        return unapproved(ctx) and ctx.service is not None

    def decide(self, ctx: FindingContext) -> RuleOutcome:
        return remove_unapproved(ctx, f"{ctx.label} is reachable but {policy_denial(ctx)}: {NEED}")
