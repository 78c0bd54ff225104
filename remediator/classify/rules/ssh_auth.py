"""SSH password logins on an sshd that stays open, where the policy requires keys."""

from __future__ import annotations

from typing import Final

from remediator.classify.context import FindingContext, RuleOutcome
from remediator.classify.hardening.sshauth import SECRETS, offered_methods
from remediator.classify.model import Action, Harden
from remediator.classify.rules.base import Rule, asv_note
from remediator.classify.rules.ssh_crypto import kept_ssh

PASSWORD_KIND: Final = "ssh-password-auth"  # noqa: S105  (a finding kind, not a secret)
ENUMERATIONS: Final = frozenset({"nmap:ssh-auth-methods"})
"""Checks that list the methods without judging them (nmap lists publickey-only too)."""
KEYS_ONLY_CLIENTS: Final = (
    "anyone who logs in to sshd with a password (people, scripts, backup jobs, SFTP/SCP "
    "transfers) until they are given a key"
)


def listing_without_secrets(check_id: str, evidence: str) -> bool:
    """Whether a finding is a method listing that offers no password login: what a
    key-only sshd leaves in a rescan, a fact and not the weakness."""
    methods = offered_methods(evidence)
    return check_id in ENUMERATIONS and bool(methods) and not methods & SECRETS


class SshPasswordAuthRule(Rule):
    """Password logins on a management or allowed sshd: off where the policy says keys only
    (``groups.<g>.harden.sshd.keys_only``); a fact, and a pass, everywhere else."""

    id = "ssh-password-auth"
    pci = ("8.3.1", "2.2.7")
    summary = "SSH password logins where the policy requires keys: harden sshd (keys only)"

    def applies(self, ctx: FindingContext) -> bool:
        host = ctx.host
        if ctx.kind.id != PASSWORD_KIND or host is None or ctx.finding.port <= 0:
            return False
        return host.is_management(*ctx.port_key) or ctx.exposure_allowed

    def decide(self, ctx: FindingContext) -> RuleOutcome:
        host = ctx.host
        keep = kept_ssh(ctx)
        where = f"{ctx.finding.title!r} on {ctx.label}"
        methods = offered_methods(ctx.finding.evidence)
        entry = ctx.allowed[0] if ctx.allowed else None
        secrets = sorted(methods & SECRETS)
        if ctx.finding.check_id in ENUMERATIONS and not secrets:
            why = "offers no password login" if methods else "names no login method it read"
            return RuleOutcome((keep,), f"{where} {why}. {asv_note(ctx)}", False, entry)
        if host is None or not host.sshd_keys_only:
            return RuleOutcome(
                (keep,),
                f"{where}: password logins are allowed by the policy (set "
                f"harden.sshd.keys_only on the host's group to require keys). {asv_note(ctx)}",
                False,
                entry,
            )
        protocol, port = ctx.port_key
        harden = Harden(protocol, port, "sshd", ("password_auth_off",), KEYS_ONLY_CLIENTS)
        offered = ", ".join(secrets) or "password logins"
        actions: tuple[Action, ...] = (keep, harden)
        return RuleOutcome(
            actions,
            (
                f"{where} offers {offered}; the policy requires public-key logins only "
                f"(harden.sshd.keys_only), so sshd's password and keyboard-interactive "
                f"logins are switched off (PCI DSS 8.3.1, 2.2.7). {asv_note(ctx)}"
            ),
            policy_fail=True,
            entry=entry,
            impacts=(KEYS_ONLY_CLIENTS,),
        )
