"""Logins without credentials on services the policy keeps: anonymous FTP, SNMP communities.

Both are default-credentials findings (PCI DSS 2.2.2) on a port that stays open, so
closing the port is not the fix: the daemon's own setting is. The scan only says *that*
anyone gets in; which daemon is configured is the catalog's word (a product the scanner
named, matched against fixed patterns, or the one daemon the role knows for the
service), and the role checks on the host that it is there before changing anything.
"""

from __future__ import annotations

import re
from typing import Final

from remediator.classify.context import FindingContext, RuleOutcome
from remediator.classify.model import Action, Harden, Keep, Manual
from remediator.classify.rules.base import Rule, asv_note, open_without_credentials

VSFTPD: Final = "vsftpd"
FTP_CLIENTS: Final = (
    "FTP users who log in as anonymous or ftp (downloads without an account, scripts and "
    "mirrors) stop working; accounts with a password still log in"
)
NET_SNMP: Final = re.compile(r"(?i)net-?snmp")
"""The product text of the SNMP agent the role configures (Net-SNMP's snmpd)."""


def _snmp_clients(ctx: FindingContext) -> str:
    sources = ctx.allowed_sources
    where = "" if sources.any else f" from outside {sources.describe()}"
    return (
        f"SNMP managers that poll with a v1/v2c community{where} stop getting answers; "
        f"where an SNMPv3 user is configured, every community is removed and all managers "
        f"must use SNMPv3"
    )


class AnonymousFtpRule(Rule):
    """Anonymous FTP on a port the policy keeps: vsftpd's anonymous login off."""

    id = "anonymous-ftp"
    pci = ("2.2.2", "8.2.2")
    summary = "anonymous FTP on an allowed port: harden vsftpd (anonymous login off)"

    def applies(self, ctx: FindingContext) -> bool:
        return open_without_credentials(ctx, "ftp")

    def decide(self, ctx: FindingContext) -> RuleOutcome:
        protocol, port = ctx.port_key
        keep = Keep(protocol, port, ctx.allowed_sources)
        where = f"{ctx.label} lets anyone log in without credentials ({ctx.finding.title!r})"
        daemon = ctx.catalog.daemon_for(ctx.product) if ctx.product else None
        vsftpd = daemon.name == VSFTPD if daemon else not ctx.product
        actions: tuple[Action, ...]
        if vsftpd:
            actions = (keep, Harden(protocol, port, VSFTPD, ("anonymous_off",), FTP_CLIENTS))
            named = (
                "the scanner named vsftpd"
                if daemon
                else "the scan did not name the server; vsftpd is the one FTP server a role "
                "configures"
            )
            how = (
                f"anonymous login is turned off in vsftpd ({named}; the role refuses, "
                f"changing nothing, where vsftpd's configuration is not on the host)"
            )
        else:
            actions = (
                keep,
                Manual(f"Turn anonymous login off in the FTP server on {ctx.label}"),
            )
            how = "no role configures this FTP server, so a person must turn it off"
        return RuleOutcome(
            actions,
            f"{where}: shared, unnamed access breaks PCI DSS 2.2.2 and 8.2.2; {how}. "
            f"{asv_note(ctx)}",
            policy_fail=True,
            entry=ctx.allowed[0] if ctx.allowed else None,
            impacts=(FTP_CLIENTS,),
        )


class SnmpCommunityRule(Rule):
    """A guessable SNMP community on a port the policy keeps: communities off where SNMPv3
    is configured, else restricted to the policy's sources for the port."""

    id = "snmp-community"
    pci = ("2.2.2", "8.3.1")
    summary = "SNMP default community on an allowed port: harden snmpd (communities off or limited)"

    def applies(self, ctx: FindingContext) -> bool:
        return open_without_credentials(ctx, "snmp")

    def decide(self, ctx: FindingContext) -> RuleOutcome:
        protocol, port = ctx.port_key
        sources = ctx.allowed_sources
        keep = Keep(protocol, port, sources)
        clients = _snmp_clients(ctx)
        where = f"{ctx.label} answers a default community ({ctx.finding.title!r})"
        actions: tuple[Action, ...]
        if ctx.product and not NET_SNMP.search(ctx.product):
            actions = (
                keep,
                Manual(
                    f"Remove the default SNMP community of the agent on {ctx.label}, or "
                    f"limit it to {sources.describe()}; prefer SNMPv3"
                ),
            )
            how = "the agent is not Net-SNMP, so a person must change it"
        else:
            narrowed = None if sources.any else sources
            actions = (
                keep,
                Harden(protocol, port, "snmpd", ("communities_off",), clients, sources=narrowed),
            )
            limit = (
                "; without SNMPv3 the role refuses, since the policy lets everyone reach the "
                "port and there is no one to limit the communities to"
                if narrowed is None
                else f", else each is limited to {sources.describe()}"
            )
            how = f"snmpd's communities are removed where an SNMPv3 user is configured{limit}"
        return RuleOutcome(
            actions,
            f"{where}: community strings travel in clear text and default ones are the first "
            f"a scanner tries (PCI DSS 2.2.2); {how}. {asv_note(ctx)}",
            policy_fail=True,
            entry=ctx.allowed[0] if ctx.allowed else None,
            impacts=(clients,),
        )
