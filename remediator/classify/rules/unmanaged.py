"""A finding on an address no inventory host claims: no policy applies, a person decides."""

from __future__ import annotations

from remediator.classify.context import EXPOSURE_KINDS, FindingContext, RuleOutcome
from remediator.classify.model import Manual
from remediator.classify.rules.base import Rule, asv_note


class UnmanagedHostRule(Rule):
    """The scanned address matches no inventory host (ansible_host, remediator_addresses, name)."""

    id = "unmanaged-host"
    pci = ("12.5.1", "11.3.2")
    summary = "address not in the inventory: no policy applies; a person must add or exclude it"

    def applies(self, ctx: FindingContext) -> bool:
        return ctx.host is None

    def decide(self, ctx: FindingContext) -> RuleOutcome:
        exposure = ctx.kind.id in EXPOSURE_KINDS and ctx.finding.port > 0
        address = ctx.finding.address
        task = (
            f"Add {address} to the inventory (ansible_host or remediator_addresses) so the "
            f"policy covers it, or record why it is out of scope"
        )
        acts = exposure or ctx.failing
        return RuleOutcome(
            actions=(Manual(task),) if acts else (),
            reason=(
                f"{address} matches no inventory host, so no policy group applies to "
                f"{ctx.label} (PCI DSS 12.5.1 asks for an inventory of in-scope systems). "
                f"{asv_note(ctx)}"
            ),
            policy_fail=exposure,
        )
