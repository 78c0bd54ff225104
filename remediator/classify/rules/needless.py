"""Any other service reachable without a business need the policy records."""

from __future__ import annotations

from remediator.classify.context import FindingContext, Outcome
from remediator.classify.rules.base import (
    Rule,
    also_resolves,
    asv_note,
    policy_denial,
    removal,
    unapproved,
)


class NeedlessExposureRule(Rule):
    """Known service, not allowed: the seed's "disable what is not needed"."""

    id = "needless-exposure"
    pci = ("1.2.5", "2.2.4", "1.3.1")
    summary = "service without an approved business need: disabled and its port blocked"

    def applies(self, ctx: FindingContext) -> bool:
        return unapproved(ctx) and ctx.service is not None

    def decide(self, ctx: FindingContext) -> Outcome:
        actions, how, notes = removal(ctx)
        return Outcome(
            actions=actions,
            reason=(
                f"{ctx.label} is reachable but {policy_denial(ctx)}: every exposed service "
                f"needs an approved business need (PCI DSS 1.2.5, 2.2.4). {asv_note(ctx)} "
                f"{how}{also_resolves(ctx)}"
            ),
            policy_fail=True,
            notes=notes,
        )
