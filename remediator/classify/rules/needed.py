"""A service the policy does not allow itself, but an allowed service needs: kept."""

from __future__ import annotations

from functools import reduce

from remediator.classify.context import FindingContext, RuleOutcome
from remediator.classify.model import Action, FirewallBlock, FirewallRestrict, Keep
from remediator.classify.policy.sources import Sources
from remediator.classify.rules.base import Rule, asv_note


class NeededServiceRule(Rule):
    """Dependencies: rpcbind for allowed NFS (network), MariaDB for the allowed web app (local)."""

    id = "needed-service"
    pci = ("1.2.5", "1.3.1")
    summary = "needed by an allowed service: kept; firewalled to its sources or port blocked"

    def applies(self, ctx: FindingContext) -> bool:
        return (
            ctx.host is not None
            and ctx.finding.port > 0
            and not ctx.allowed
            and ctx.denied is None
            and bool(ctx.needs)
        )

    def decide(self, ctx: FindingContext) -> RuleOutcome:
        protocol, port = ctx.port_key
        network = [n for n in ctx.needs if not n.local]
        first = (network or list(ctx.needs))[0]
        why = "; ".join(
            f"{n.by} ({n.entry.path}{'.needs' if n.local else ''}) needs it"
            f"{' on the host' if n.local else ' reachable by its clients'}"
            for n in ctx.needs
        )
        action: Action
        if network:
            sources = reduce(lambda a, b: a.union(b), (n.entry.sources for n in network), Sources())
            if sources.any:
                action = Keep(protocol, port, sources)
                text = "It stays reachable like the service that needs it."
            else:
                action = FirewallRestrict(protocol, port, sources)
                text = f"It is kept running and firewalled to {sources.describe()}."
        else:
            action = FirewallBlock(protocol, port)
            text = "It is kept running; only its port is blocked, since it is used on the host."
        return RuleOutcome(
            actions=(action,),
            reason=f"{ctx.label} is not allowed by itself, but {why}. {text} {asv_note(ctx)}",
            policy_fail=action.type != "keep",
            entry=first.entry,
        )
