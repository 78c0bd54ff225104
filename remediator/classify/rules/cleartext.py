"""Services that send logins or data in clear text (telnet, FTP, r-services, SNMP v1/v2c...)."""

from __future__ import annotations

from remediator.classify.context import FindingContext, RuleOutcome
from remediator.classify.model import Action, Manual
from remediator.classify.rules.base import (
    Rule,
    asv_note,
    client_impacts,
    enforce_tls,
    policy_denial,
    remove_unapproved,
    unapproved,
)


class CleartextServiceRule(Rule):
    """Unapproved cleartext services go; approved ones get TLS for logins, or a person."""

    id = "cleartext-service"
    pci = ("2.2.4", "2.2.5", "2.2.7", "8.3.2")
    summary = (
        "cleartext service: disabled and blocked, or TLS-only logins where the policy allows it"
    )

    def applies(self, ctx: FindingContext) -> bool:
        cleartext = ctx.kind.id == "cleartext-service"
        if unapproved(ctx):
            category = ctx.service.category if ctx.service else ""
            return cleartext or category == "cleartext"
        return cleartext and ctx.host is not None and ctx.finding.port > 0

    def decide(self, ctx: FindingContext) -> RuleOutcome:
        if unapproved(ctx):
            return self._remove(ctx)
        return self._secure(ctx)

    def _remove(self, ctx: FindingContext) -> RuleOutcome:
        cleartext = f"{ctx.label} sends credentials or data in clear text"
        why = f"{cleartext} and {policy_denial(ctx)} (PCI DSS 2.2.4, 8.3.2)."
        return remove_unapproved(ctx, why, replacement="Use instead")

    def _secure(self, ctx: FindingContext) -> RuleOutcome:
        entry = ctx.allowed[0] if ctx.allowed else None
        allowed_by = (
            f"The policy allows {ctx.label} ({entry.path})" if entry else f"{ctx.label} is kept"
        )
        tls = (
            enforce_tls(ctx, require_tls_for_auth=True)
            if ctx.service and (ctx.service.starttls or ctx.service.tls)
            else None
        )
        if tls is not None:
            return RuleOutcome(
                actions=(tls,),
                reason=(
                    f"{allowed_by}, but it accepts logins in clear text; TLS "
                    f"({tls.profile}, {tls.min_version}+) is enforced and logins are taken "
                    f"only over it (PCI DSS 8.3.2). {asv_note(ctx)}"
                ),
                policy_fail=True,
                entry=entry,
                impacts=client_impacts(ctx),
            )
        replacement = (
            ctx.service.replacement
            if ctx.service and ctx.service.replacement
            else "an encrypted protocol"
        )
        actions: tuple[Action, ...] = ()
        if ctx.failing:
            actions = (
                Manual(
                    f"Replace it with {replacement}, or document the extra security "
                    f"features PCI DSS 2.2.5 requires and dispute with the ASV"
                ),
            )
        return RuleOutcome(
            actions=actions,
            reason=(
                f"{allowed_by} although it is cleartext; that needs documented extra "
                f"security features (PCI DSS 2.2.5). {asv_note(ctx)}"
            ),
            policy_fail=False,
            entry=entry,
        )
