"""Logins before TLS on a mail service the policy keeps: Dovecot and Postfix hardened.

A capability listing (nmap's ``imap-capabilities``, ``pop3-capabilities``,
``smtp-commands``) or a scanner's "cleartext login permitted" says a client may send its
password before starting TLS. The port stays open, so the fix is the daemon's own
setting: Dovecot's ``disable_plaintext_auth``, Postfix's ``smtpd_tls_auth_only``. Without
STARTTLS on the port there is no TLS to move the login to, and a person decides.
"""

from __future__ import annotations

from typing import Final

from remediator.classify.context import FindingContext, RuleOutcome
from remediator.classify.hardening.maillogin import read_listing
from remediator.classify.model import Action, Harden, Keep, Manual
from remediator.classify.rules.base import Rule, asv_note

LOGIN_KIND: Final = "cleartext-login"
SETTINGS: Final = {"dovecot": "plaintext_auth_off", "postfix": "auth_only_tls"}
"""The one setting each daemon gets, and the daemons a role hardens for this."""
CLIENTS: Final = {
    "dovecot": (
        "IMAP and POP3 clients that log in without STARTTLS (old mail clients, scripts, "
        "monitoring checks) are refused until they use STARTTLS or IMAPS/POP3S"
    ),
    "postfix": (
        "mail clients, devices and applications that authenticate (SMTP AUTH) without "
        "STARTTLS can no longer send"
    ),
}


class CleartextLoginRule(Rule):
    """A kept IMAP, POP3 or SMTP port that takes passwords before TLS: the login setting of
    Dovecot or Postfix; a listing that offers no such login is a fact and a pass."""

    id = "cleartext-login"
    pci = ("8.3.2", "2.2.7")
    summary = "logins before TLS on an allowed mail port: harden dovecot or postfix"

    def applies(self, ctx: FindingContext) -> bool:
        return (
            ctx.kind.id == LOGIN_KIND
            and ctx.host is not None
            and ctx.finding.port > 0
            and ctx.exposure_allowed
        )

    def decide(self, ctx: FindingContext) -> RuleOutcome:
        protocol, port = ctx.port_key
        keep = Keep(protocol, port, ctx.allowed_sources)
        entry = ctx.allowed[0] if ctx.allowed else None
        listing = read_listing(ctx.finding.check_id, ctx.finding.evidence)
        where = f"{ctx.label} ({ctx.finding.title!r})"
        if ctx.service is not None and ctx.service.tls:
            why = "is TLS from the first byte, so no login travels in clear text"
            return RuleOutcome((keep,), f"{where} {why}. {asv_note(ctx)}", False, entry)
        if listing is not None and not listing.plaintext_login:
            why = "offers no login before TLS"
            return RuleOutcome((keep,), f"{where} {why}. {asv_note(ctx)}", False, entry)
        daemon = self._daemon(ctx)
        actions: tuple[Action, ...]
        if listing is not None and not listing.starttls:
            actions = (keep, Manual(f"Offer STARTTLS on {ctx.label}, then plan again"))
            how = "it offers no STARTTLS to move logins to, so a person must add TLS first"
        elif daemon is None:
            actions = (keep, Manual(f"Allow logins on {ctx.label} only after STARTTLS"))
            how = "no role configures this mail server, so a person must"
        else:
            setting = SETTINGS[daemon]
            actions = (keep, Harden(protocol, port, daemon, (setting,), CLIENTS[daemon]))
            how = (
                "Dovecot refuses plaintext authentication outside TLS (disable_plaintext_auth)"
                if daemon == "dovecot"
                else "Postfix offers AUTH only after STARTTLS (smtpd_tls_auth_only)"
            )
        impacts = (CLIENTS[daemon],) if daemon is not None else ()
        return RuleOutcome(
            actions,
            f"{where} takes passwords before TLS, where anyone on the path can read them "
            f"(PCI DSS 8.3.2); {how}. {asv_note(ctx)}",
            policy_fail=True,
            entry=entry,
            impacts=impacts,
        )

    @staticmethod
    def _daemon(ctx: FindingContext) -> str | None:
        """Dovecot or Postfix, from the scanner's product matched against the catalog's
        patterns, or the service's one candidate; None for any other server."""
        named = ctx.catalog.daemon_for(ctx.product) if ctx.product else None
        if named is not None:
            return named.name if named.name in SETTINGS else None
        if ctx.product:
            return None
        candidates = ctx.service.tls_daemons if ctx.service else ()
        known = [c for c in candidates if c in SETTINGS]
        return known[0] if len(known) == 1 and len(candidates) == 1 else None
