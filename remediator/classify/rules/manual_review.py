"""Everything else: reported, with a task for a person when the ASV would fail it."""

from __future__ import annotations

from types import MappingProxyType

from remediator.classify.context import FindingContext, RuleOutcome
from remediator.classify.model import Manual
from remediator.classify.rules.base import Rule, asv_note

TASKS = MappingProxyType(
    {
        "default-credentials": (
            "Change or remove the default, anonymous or empty credentials (PCI DSS 2.2.2)"
        ),
        "backdoor": (
            "Treat the host as compromised: isolate, investigate, rebuild from a known-good source"
        ),
        "web-application": "Fix the application flaw (input validation, output encoding)",
        "zone-transfer": "Allow zone transfers only to the secondaries (allow-transfer)",
        "ssh-weak-crypto": (
            "Limit sshd Ciphers, MACs, KexAlgorithms and HostKeyAlgorithms to strong ones"
        ),
        "rdp-weak-security": (
            "Require Network Level Authentication and the TLS security layer for RDP "
            "(xrdp: security_layer=tls)"
        ),
        "legacy-smb": "Turn SMB 1 off (Samba: server min protocol = SMB2_10)",
    }
)


class ManualReviewRule(Rule):
    """The catch-all: default credentials, backdoors, web flaws, SSH crypto, anything unmapped."""

    id = "manual-review"
    pci = ("11.3.2",)
    summary = "no automatic remediation: reported; manual task when the ASV would fail it"

    def applies(self, ctx: FindingContext) -> bool:
        return True

    def decide(self, ctx: FindingContext) -> RuleOutcome:
        title = ctx.finding.title
        if not ctx.failing:
            return RuleOutcome(
                (), f"'{title}' on {ctx.label}: reported only. {asv_note(ctx)}", policy_fail=False
            )
        task = TASKS.get(ctx.kind.id, f"Review and fix '{title}'")
        return RuleOutcome(
            actions=(Manual(f"{task} on {ctx.label}"),),
            reason=(
                f"'{title}' on {ctx.label} ({ctx.kind.title}) has no automatic "
                f"remediation. {asv_note(ctx)}"
            ),
            policy_fail=False,
            entry=ctx.allowed[0] if ctx.allowed else None,
        )
