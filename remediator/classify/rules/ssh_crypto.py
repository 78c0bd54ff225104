"""Weak SSH algorithms on an sshd that stays reachable: limit it to a versioned profile."""

from __future__ import annotations

from remediator.classify.context import FindingContext, RuleOutcome
from remediator.classify.hardening.ssh import CATEGORIES, ssh_judgement
from remediator.classify.hardening.sshalgos import read_offer, weak_algorithms, within_profile
from remediator.classify.model import Action, Harden, Keep
from remediator.classify.rules.base import Rule, asv_note

SSH_WEAK: str = "ssh-weak-crypto"
ENUMERATIONS: frozenset[str] = frozenset({"nmap:ssh2-enum-algos"})
"""Checks that list what is offered without judging it: only the profile makes them a
weakness. Every other ssh-weak-crypto check is a scanner saying something is weak."""
SHOWN: int = 8
"""Weak names quoted in a reason; the plan's action lists them all."""


def enumeration_within_profile(check_id: str, evidence: str) -> bool:
    """Whether a finding is an algorithm listing (:data:`ENUMERATIONS`) whose every name the
    default profile allows: after hardening, nmap still lists what sshd offers, and that
    listing must not count as the weakness still being there."""
    judgement = ssh_judgement()
    return check_id in ENUMERATIONS and within_profile(evidence, judgement, judgement.profile())


def kept_ssh(ctx: FindingContext) -> Keep:
    """The sshd's port stays open to whom it is open now: the admins, and any allowed
    sources."""
    host = ctx.host
    protocol, port = ctx.port_key
    if host is not None and host.is_management(protocol, port):
        sources = host.management_sources
        if ctx.allowed:
            sources = sources.union(ctx.allowed_sources)
        return Keep(protocol, port, sources)
    return Keep(protocol, port, ctx.allowed_sources)


class SshWeakCryptoRule(Rule):
    """An SSH algorithm finding on a port that stays open (management or allowed).

    The scan decides only whether something outside the profile is offered, and what; the
    profile alone decides what the host is configured with. A port the policy does not
    allow is left to the exposure rules: closing it resolves this finding too.
    """

    id = "ssh-weak-crypto"
    pci = ("4.2.1", "2.2.7")
    summary = "weak SSH algorithms on a kept sshd: harden sshd to the SSH profile"

    def applies(self, ctx: FindingContext) -> bool:
        host = ctx.host
        if ctx.kind.id != SSH_WEAK or host is None or ctx.finding.port <= 0:
            return False
        return host.is_management(*ctx.port_key) or ctx.exposure_allowed

    def decide(self, ctx: FindingContext) -> RuleOutcome:
        judgement = ssh_judgement()
        profile = judgement.profile()
        offer = read_offer(ctx.finding.evidence, judgement)
        weak = weak_algorithms(offer, profile, judgement)
        keep = kept_ssh(ctx)
        where = f"{ctx.finding.title!r} on {ctx.label}"
        enumeration = ctx.finding.check_id in ENUMERATIONS
        if offer.empty and enumeration:
            return RuleOutcome(
                (keep,),
                f"{where}: no SSH algorithm could be read from the scan, so nothing is "
                f"changed; check it by hand. {asv_note(ctx)}",
                policy_fail=False,
                entry=ctx.allowed[0] if ctx.allowed else None,
            )
        if not weak and enumeration:
            return RuleOutcome(
                (keep,),
                f"{where}: every algorithm offered is in the {profile.name} SSH profile. "
                f"{asv_note(ctx)}",
                policy_fail=False,
                entry=ctx.allowed[0] if ctx.allowed else None,
            )
        protocol, port = ctx.port_key
        harden = Harden(
            protocol,
            port,
            "sshd",
            ("strong_algorithms",),
            profile.clients,
            profile=profile.name,
            algorithms=tuple((c, profile.allowed[c]) for c in CATEGORIES),
            weak=tuple(w.describe() for w in weak),
        )
        quoted = ", ".join(w.describe() for w in weak[:SHOWN]) or "the scanner does not say which"
        more = f" and {len(weak) - SHOWN} more" if len(weak) > SHOWN else ""
        actions: tuple[Action, ...] = (keep, harden)
        return RuleOutcome(
            actions,
            (
                f"{where} offers algorithms outside the {profile.name} SSH profile: "
                f"{quoted}{more}. The service stays reachable, so sshd is limited to the "
                f"profile's algorithms (PCI DSS 4.2.1 strong cryptography, 2.2.7 encrypted "
                f"administrative access); host keys are kept. {asv_note(ctx)}"
            ),
            policy_fail=True,
            entry=ctx.allowed[0] if ctx.allowed else None,
            impacts=(profile.clients,),
        )
