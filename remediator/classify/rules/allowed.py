"""An exposure the policy approves: kept, or firewalled down to the approved sources."""

from __future__ import annotations

from remediator.classify.context import EXPOSURE_KINDS, FindingContext, RuleOutcome
from remediator.classify.model import Action, FirewallRestrict, Keep, Manual
from remediator.classify.rules.base import Rule, asv_note


class AllowedServiceRule(Rule):
    """The port is allowed: from any source it stays; from named sources it is restricted."""

    id = "allowed-service"
    pci = ("1.2.5", "1.3.1")
    summary = "allowed service: keep (from any) or firewall_restrict to the allowed sources"

    def applies(self, ctx: FindingContext) -> bool:
        return ctx.host is not None and ctx.exposure_allowed and ctx.kind.id in EXPOSURE_KINDS

    def decide(self, ctx: FindingContext) -> RuleOutcome:
        entry = ctx.allowed[0]
        sources = ctx.allowed_sources
        cited = f"{entry.path}: {entry.justification}; owner {entry.owner}"
        if not sources.any:
            return RuleOutcome(
                actions=(FirewallRestrict(ctx.finding.protocol, ctx.finding.port, sources),),
                reason=(
                    f"The policy allows {ctx.label} only from {sources.describe()} ({cited}); "
                    f"the scanner reached it, so the firewall restricts it to those sources "
                    f"(PCI DSS 1.3.1). {asv_note(ctx)}"
                ),
                policy_fail=True,
                entry=entry,
            )
        actions: tuple[Action, ...] = (Keep(ctx.finding.protocol, ctx.finding.port, sources),)
        if ctx.failing:
            actions += (
                Manual(
                    f"Restrict {ctx.label} to the networks that need it, or dispute "
                    f"the ASV result with compensating controls"
                ),
            )
        return RuleOutcome(
            actions=actions,
            reason=f"The policy allows {ctx.label} from any source ({cited}). {asv_note(ctx)}",
            policy_fail=False,
            entry=entry,
        )
