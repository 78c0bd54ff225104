"""An unapproved port the catalog cannot name: a person identifies it before anything stops."""

from __future__ import annotations

from remediator.classify.context import FindingContext, RuleOutcome
from remediator.classify.model import Action, FirewallBlock, Manual
from remediator.classify.rules.base import Rule, asv_note, policy_denial, unapproved


class UnknownServiceRule(Rule):
    """Open, not allowed, and not in the catalog: disabling blind could stop anything."""

    id = "unknown-service"
    pci = ("1.2.5", "2.2.4")
    summary = (
        "unknown service on an unapproved port: needs a person (identify, then allow or disable)"
    )

    def applies(self, ctx: FindingContext) -> bool:
        return unapproved(ctx) and ctx.service is None

    def decide(self, ctx: FindingContext) -> RuleOutcome:
        protocol, port = ctx.port_key
        identify = Manual(
            f"Identify what listens on {port}/{protocol} (ss -lpn 'sport = :{port}'), then allow "
            f"it in the policy with a justification and owner, or disable it"
        )
        actions: tuple[Action, ...] = (identify,)
        extra = ""
        if ctx.denied is not None or ctx.failing:
            # Blocking an unapproved port is safe; stopping an unknown daemon is not.
            actions = (FirewallBlock(protocol, port), identify)
            why = "the policy denies it" if ctx.denied is not None else "the ASV fails it"
            extra = f"Its port is blocked now ({why}); stopping the daemon waits for a person."
        return RuleOutcome(
            actions=actions,
            reason=(
                f"{ctx.label} is reachable and {policy_denial(ctx)}; the catalog does not "
                f"know the service, so a person must identify it (PCI DSS 1.2.5). "
                f"{extra + ' ' if extra else ''}{asv_note(ctx)}"
            ),
            policy_fail=True,
        )
