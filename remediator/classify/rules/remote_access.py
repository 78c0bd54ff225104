"""Remote-access and admin interfaces (RDP, VNC, WinRM, Docker API...) without approval."""

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

CATEGORIES = frozenset({"remote-access", "admin"})


class RemoteAccessRule(Rule):
    """Remote control of the host reachable from the scanner, not in the policy."""

    id = "remote-access-exposed"
    pci = ("1.3.1", "2.2.7", "1.2.5")
    summary = "remote-access/admin service exposed: disabled and blocked (ASV special note)"

    def applies(self, ctx: FindingContext) -> bool:
        return unapproved(ctx) and ctx.service is not None and ctx.service.category in CATEGORIES

    def decide(self, ctx: FindingContext) -> Outcome:
        actions, how, notes = removal(ctx)
        instead = (
            f" Use instead: {ctx.service.replacement}."
            if ctx.service and ctx.service.replacement
            else ""
        )
        return Outcome(
            actions=actions,
            reason=(
                f"{ctx.label} gives remote control of the host and {policy_denial(ctx)}; "
                f"administrative access must be approved and encrypted (PCI DSS 1.3.1, "
                f"2.2.7). {asv_note(ctx)} {how}{instead}{also_resolves(ctx)}"
            ),
            policy_fail=True,
            notes=notes,
        )
