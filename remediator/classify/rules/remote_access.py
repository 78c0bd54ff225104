"""Remote-access and admin interfaces (RDP, VNC, WinRM, Docker API...) without approval."""

from __future__ import annotations

from remediator.classify.context import FindingContext, RuleOutcome
from remediator.classify.rules.base import Rule, policy_denial, remove_unapproved, unapproved

CATEGORIES = frozenset({"remote-access", "admin"})
REQUIREMENT = "administrative access must be approved and encrypted (PCI DSS 1.3.1, 2.2.7)."


class RemoteAccessRule(Rule):
    """Remote control of the host reachable from the scanner, not in the policy."""

    id = "remote-access-exposed"
    pci = ("1.3.1", "2.2.7", "1.2.5")
    summary = "remote-access/admin service exposed: disabled and blocked (ASV special note)"

    def applies(self, ctx: FindingContext) -> bool:
        return unapproved(ctx) and ctx.service is not None and ctx.service.category in CATEGORIES

    def decide(self, ctx: FindingContext) -> RuleOutcome:
        control = f"{ctx.label} gives remote control of the host"
        why = f"{control} and {policy_denial(ctx)}; {REQUIREMENT}"
        return remove_unapproved(ctx, why, replacement="Use instead")
