"""A data store reachable from the scanner without the policy's approval."""

from __future__ import annotations

from remediator.classify.context import FindingContext, RuleOutcome
from remediator.classify.rules.base import Rule, policy_denial, remove_unapproved, unapproved

REQUIREMENT = "stored data must not be directly reachable from untrusted networks (PCI DSS 1.4.4)."


class DatabaseExposedRule(Rule):
    """Databases and caches (MySQL, PostgreSQL, Redis, memcached, ...) on unapproved ports."""

    id = "database-exposed"
    pci = ("1.4.4", "1.3.1", "2.2.4")
    summary = "database/cache exposed: disabled and blocked (an ASV automatic failure)"

    def applies(self, ctx: FindingContext) -> bool:
        return unapproved(ctx) and ctx.service is not None and ctx.service.category == "database"

    def decide(self, ctx: FindingContext) -> RuleOutcome:
        exposed = f"{ctx.label} is a data store reachable from the scanner"
        why = f"{exposed} and {policy_denial(ctx)}; {REQUIREMENT}"
        return remove_unapproved(ctx, why, replacement="Safer setup")
