"""Certificate problems: reported for a person (a new certificate is not a playbook's job)."""

from __future__ import annotations

from remediator.classify.context import FindingContext, RuleOutcome
from remediator.classify.model import Manual
from remediator.classify.rules.base import Rule, asv_note


class CertificateRule(Rule):
    """Untrusted, self-signed, expired, wrongly named, weakly signed or short-key certificates."""

    id = "certificate"
    pci = ("4.2.1", "4.2.1.1")
    summary = "certificate problem: report only (manual: issue a trusted certificate)"

    def applies(self, ctx: FindingContext) -> bool:
        return ctx.kind.id == "certificate"

    def decide(self, ctx: FindingContext) -> RuleOutcome:
        title = ctx.finding.title
        if not ctx.failing:
            return RuleOutcome(
                (),
                (
                    f"Certificate information on {ctx.label} ('{title}'), reported "
                    f"only. {asv_note(ctx)}"
                ),
                policy_fail=False,
            )
        task = (
            f"Replace the certificate on {ctx.label} ('{title}') with one from a trusted CA, "
            f"valid, for the right name, SHA-256 or better, RSA >= 2048 or ECDSA; add it to "
            f"the certificate inventory (PCI DSS 4.2.1.1)"
        )
        return RuleOutcome(
            actions=(Manual(task),),
            reason=(
                f"PCI DSS 4.2.1 needs trusted, valid certificates on {ctx.label}; "
                f"'{title}'. {asv_note(ctx)} Reported for a person: certificates are "
                f"issued, not configured."
            ),
            policy_fail=False,
            entry=ctx.allowed[0] if ctx.allowed else None,
        )
