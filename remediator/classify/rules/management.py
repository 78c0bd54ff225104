"""The management connection: never closed, never restricted below the admin networks."""

from __future__ import annotations

from remediator.classify.context import EXPOSURE_KINDS, FindingContext, RuleOutcome
from remediator.classify.model import Action, Keep, Manual
from remediator.classify.rules.base import Rule, asv_note


class ManagementRule(Rule):
    """Findings on the port Ansible reaches the host on (ansible_port, else the policy's)."""

    id = "management"
    pci = ("2.2.7", "1.2.5")
    summary = (
        "management access (e.g. ssh from admins): kept, never a target; weaknesses are manual"
    )

    def applies(self, ctx: FindingContext) -> bool:
        return ctx.host is not None and ctx.host.is_management(*ctx.port_key)

    def decide(self, ctx: FindingContext) -> RuleOutcome:
        host = ctx.host
        if host is None:
            return RuleOutcome((), "no host", policy_fail=False)
        sources = (
            host.management_sources.union(ctx.allowed_sources)
            if ctx.allowed
            else host.management_sources
        )
        keep = Keep(ctx.finding.protocol, ctx.finding.port, sources)
        base = (
            f"{ctx.port_label} is how Ansible manages {host.host.name} "
            f"({host.management_service} from {host.management_sources.describe()}, policy "
            f"'management'); no plan closes or restricts it below those sources."
        )
        if ctx.kind.id in EXPOSURE_KINDS:
            return RuleOutcome((keep,), f"{base} {asv_note(ctx)}", policy_fail=False)
        actions: tuple[Action, ...] = (keep,)
        if ctx.failing:
            actions += (
                Manual(
                    f"Fix '{ctx.finding.title}' on the management service by hand "
                    f"(configuration or upgrade), keeping the connection up"
                ),
            )
        return RuleOutcome(actions, f"{base} {asv_note(ctx)}", policy_fail=False)
