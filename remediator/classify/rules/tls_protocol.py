"""SSL and early TLS on a service the policy allows: enforce the policy's TLS profile."""

from __future__ import annotations

from remediator.classify.context import FindingContext, RuleOutcome
from remediator.classify.model import Action, Manual
from remediator.classify.rules.base import Rule, asv_note, client_impacts, enforce_tls

PREFIX = "tls-protocol:"


def allowed_tls_port(ctx: FindingContext) -> bool:
    """A port on a managed host whose service the policy allows (TLS is enforced only there)."""
    return ctx.host is not None and ctx.exposure_allowed


def tls_fix(ctx: FindingContext, what: str) -> tuple[Action, ...]:
    """enforce_tls for the port, or a manual task when no daemon is known to configure."""
    action = enforce_tls(ctx)
    if action is not None:
        return (action,)
    return (
        Manual(
            f"Configure {ctx.label} for the policy's TLS profile ({what}): the catalog "
            f"knows no daemon for it (product {ctx.product or 'unknown'})"
        ),
    )


class WeakTlsProtocolRule(Rule):
    """SSLv2, SSLv3, TLS 1.0, TLS 1.1 offered on an allowed service."""

    id = "weak-tls-protocol"
    pci = ("4.2.1", "2.2.7")
    summary = "weak TLS protocol on an allowed service: enforce_tls with the policy's profile"

    def applies(self, ctx: FindingContext) -> bool:
        return allowed_tls_port(ctx) and ctx.kind.id.startswith(PREFIX)

    def decide(self, ctx: FindingContext) -> RuleOutcome:
        host = ctx.host
        protocol = ctx.kind.id.removeprefix(PREFIX)
        setting = (
            f"{host.tls.profile}, minimum {host.tls.min_version}" if host else "policy profile"
        )
        entry = ctx.allowed[0]
        return RuleOutcome(
            actions=tls_fix(ctx, f"no {protocol}"),
            reason=(
                f"The policy allows {ctx.label} ({entry.path}) with TLS profile {setting}; "
                f"{protocol} is below it (PCI DSS 4.2.1: no SSL or early TLS). "
                f"{asv_note(ctx)}"
            ),
            policy_fail=True,
            entry=entry,
            impacts=client_impacts(ctx),
        )
