"""Weak cipher suites or key exchange on a service the policy allows."""

from __future__ import annotations

from remediator.classify.context import FindingContext, RuleOutcome
from remediator.classify.rules.base import Rule, asv_note, client_impacts
from remediator.classify.rules.tls_protocol import allowed_tls_port, tls_fix


class WeakCipherRule(Rule):
    """RC4, 3DES, EXPORT, NULL, anonymous or small-DH suites on an allowed service."""

    id = "weak-cipher"
    pci = ("4.2.1", "2.2.7")
    summary = "weak ciphers on an allowed service: enforce_tls with the profile's cipher list"

    def applies(self, ctx: FindingContext) -> bool:
        return allowed_tls_port(ctx) and ctx.kind.id == "weak-cipher"

    def decide(self, ctx: FindingContext) -> RuleOutcome:
        profile = ctx.host.tls.profile if ctx.host else "the policy's"
        entry = ctx.allowed[0]
        return RuleOutcome(
            actions=tls_fix(ctx, "strong cipher suites only"),
            reason=(
                f"The policy allows {ctx.label} ({entry.path}); it offers cipher suites or "
                f"key exchanges outside the {profile} profile (strong cryptography, PCI DSS "
                f"4.2.1). {asv_note(ctx)}"
            ),
            policy_fail=True,
            entry=entry,
            impacts=client_impacts(ctx),
        )
