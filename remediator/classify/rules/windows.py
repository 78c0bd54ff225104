"""Windows hosts: the chosen rule's outcome as Windows carries it out.

On a host the inventory says runs Windows (:data:`~remediator.classify.hostos.WINDOWS`)
the rule's actions are translated, not replaced: keep, block and restrict stay (the
Windows Firewall carries them out; the generator picks the backend from the host's OS);
a disable stops the catalog's Windows services, or blocks the port where none may be
stopped (:mod:`remediator.classify.windows.services`); TLS findings are fixed through
SCHANNEL, system-wide, naming every TLS service of the host it reaches; RDP that stays
reachable gets NLA and the TLS security layer, SMB gets version 1 off. What stays a
person's work on Windows as on Linux: patches, credentials, certificates, application
flaws, identifying an unknown listener, the management service's own weaknesses, a
service the policy keeps open although the ASV fails it, and requiring TLS for the logins
of an IIS site.

A host only the scan calls Windows (:data:`~remediator.classify.hostos.UNKNOWN`) keeps
getting one manual task per decision, never Linux roles, until the inventory says which
OS it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final

from remediator.classify.context import FindingContext, RuleOutcome
from remediator.classify.hardening.ssh import SSHD_KEYWORDS
from remediator.classify.hostos import WINDOWS, WINRM_HTTP, HostOs
from remediator.classify.model import (
    Action,
    DisableService,
    EnforceTls,
    FirewallBlock,
    FirewallRestrict,
    Harden,
    Keep,
    Manual,
    Patch,
)
from remediator.classify.rules.base import DISABLED_AND_BLOCKED
from remediator.classify.windows.hardening import rdp_hardening, smb_hardening
from remediator.classify.windows.schannel import (
    HostPort,
    schannel_impacts,
    schannel_reason,
    schannel_tls,
)
from remediator.classify.windows.services import unique, windows_removal

TLS_RULES: Final = frozenset({"weak-tls-protocol", "weak-cipher", "cleartext-service"})
"""Rules whose enforce_tls (or the manual task standing in for one) SCHANNEL takes over."""
UNKNOWN_SERVICE_RULE: Final = "unknown-service"
ONLY_BLOCKED: Final = "Its port is blocked; the service keeps running (see below)."
"""Replaces the removal's "It is disabled and its port blocked" where Windows only blocks."""
RDP_WEAK: Final = "rdp-weak-security"
SMB_V1: Final = "legacy-smb"
SSHD: Final = "sshd"
WINDOWS_ROLES: Final = frozenset({"rdp", "smb"})
"""The harden daemons a Windows role configures."""


@dataclass(frozen=True)
class WindowsHost:
    """What the translation needs to know about the host beyond the finding."""

    os: HostOs
    ports: tuple[HostPort, ...] = ()


def describe(action: Action) -> str:
    """One action in words, for the manual task of a host only the scan calls Windows."""
    if isinstance(action, Manual):
        return action.task
    if isinstance(action, DisableService):
        names = ", ".join(action.windows) or "the service behind it"
        return f"stop and disable {names} ({action.port}/{action.protocol})"
    port = getattr(action, "port", 0)
    protocol = getattr(action, "protocol", "")
    return f"{action.type.replace('_', ' ')} {port}/{protocol}"


def fold_manual(outcome: RuleOutcome, host_os: HostOs) -> RuleOutcome:
    """The outcome with its actions folded into one manual task: the host is Windows by
    the scan only, so no role (Linux or Windows) may run on it."""
    if not outcome.actions:
        return outcome
    why = host_os.reason
    host = f"Windows by the scan only ({why})"
    if all(a.type == "keep" for a in outcome.actions):
        return replace(
            outcome,
            actions=(),
            reason=f"{outcome.reason} The host is {host}; nothing is generated for it.",
        )
    steps = "; ".join(describe(a) for a in outcome.actions)
    return replace(
        outcome,
        actions=(Manual(f"Host ({why}): {steps}"),),
        reason=(
            f"{outcome.reason} The host is {host}; no role runs on it until the inventory "
            "says which OS it is, so this is manual."
        ),
    )


def _cuts(ctx: FindingContext, actions: tuple[Action, ...]) -> bool:
    """Whether the actions close the finding's port (so nothing on it stays reachable)."""
    return any(
        isinstance(a, DisableService | FirewallBlock) and (a.protocol, a.port) == ctx.port_key
        for a in actions
    )


def _without_manual(actions: tuple[Action, ...], *added: Action) -> tuple[Action, ...]:
    return unique((*(a for a in actions if not isinstance(a, Manual)), *added))


@dataclass(frozen=True)
class _About:
    """The finding being translated, and what decides how."""

    ctx: FindingContext
    rule_id: str
    host: WindowsHost
    excepted: bool


@dataclass(frozen=True)
class _Step:
    """What one part of the translation did: the actions after it, and why."""

    actions: tuple[Action, ...]
    said: tuple[str, ...] = ()
    impacts: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def _tls(about: _About, actions: tuple[Action, ...]) -> _Step:
    """enforce_tls (or the manual task a rule wrote for want of a daemon) through SCHANNEL."""
    ctx, rule_id, host = about.ctx, about.rule_id, about.host
    tls = schannel_tls(ctx)
    touched = [a for a in actions if isinstance(a, EnforceTls | Manual)]
    if tls is None or rule_id not in TLS_RULES or not touched or _cuts(ctx, actions):
        return _Step(actions)
    if rule_id == "cleartext-service" and not any(isinstance(a, EnforceTls) for a in actions):
        return _Step(actions)  # a cleartext service with no TLS to offer: a person's choice
    login = any(isinstance(a, EnforceTls) and a.require_tls_for_auth for a in actions)
    extra: tuple[Action, ...] = ()
    said = [schannel_reason(host.ports)]
    if login:
        extra = (
            Manual(
                f"Require TLS for logins on {ctx.label} in the IIS site's own SSL settings "
                f"(FTP: require SSL for the control channel and credentials); SCHANNEL "
                f"sets the protocols and ciphers"
            ),
        )
        said.append("Requiring TLS before a login is a setting of the IIS site: a person's.")
    kept = tuple(a for a in actions if not isinstance(a, EnforceTls | Manual))
    return _Step(
        (*kept, tls, *extra),
        tuple(said),
        schannel_impacts(host.ports, tls.min_version),
    )


def _rdp(about: _About, actions: tuple[Action, ...]) -> _Step:
    """NLA and the TLS security layer where an RDP weakness is found and RDP stays reachable."""
    ctx = about.ctx
    if (
        about.excepted
        or ctx.kind.id != RDP_WEAK
        or ctx.service is None
        or ctx.service.name != "rdp"
    ):
        return _Step(actions)
    if _cuts(ctx, actions):
        return _Step(actions)
    protocol, port = ctx.port_key
    return _Step(
        _without_manual(actions, rdp_hardening(protocol, port)),
        (
            "RDP stays reachable, so a role fixes this instead of a person: Network Level "
            "Authentication and the TLS security layer are turned on (PCI DSS 2.2.7: "
            "administrative access encrypted and authenticated before a session).",
        ),
    )


def _smb(about: _About, actions: tuple[Action, ...]) -> _Step:
    """SMB 1 off wherever SMB's port is closed or narrowed, or an SMBv1 finding asks for it."""
    ctx = about.ctx
    if about.excepted or ctx.service is None or ctx.service.name != "smb":
        return _Step(actions)
    narrowed = any(
        isinstance(a, FirewallBlock | FirewallRestrict) and (a.protocol, a.port) == ctx.port_key
        for a in actions
    )
    if not narrowed and ctx.kind.id != SMB_V1:
        return _Step(actions)
    protocol, port = ctx.port_key
    base = _without_manual(actions) if ctx.kind.id == SMB_V1 else actions
    return _Step(
        unique((*base, smb_hardening(protocol, port))),
        (
            "SMB 1 is turned off as well (Microsoft has deprecated it; EternalBlue spread over "
            "it); removing the SMB1Protocol feature is an opt-in, irreversible option.",
        ),
    )


WINDOWS_TASKS: Final = {
    "redis": "Give Redis on {label} a password (requirepass) and protected mode, then restart it",
    "vsftpd": (
        "Turn anonymous authentication off for the FTP site on {label} (IIS Manager: FTP "
        "Authentication), then restart FTPSVC"
    ),
    "dovecot": "Allow IMAP and POP3 logins on {label} only after STARTTLS",
    "postfix": "Offer SMTP AUTH on {label} only after STARTTLS",
    "snmpd": (
        "Remove the default community of the SNMP Service on {label} (its Security tab), or "
        "accept SNMP packets only from the managers the policy names; prefer SNMPv3"
    ),
}
"""What a person does on Windows for each Linux-only harden daemon (sshd is below)."""
GENERIC_TASK: Final = "Make the {daemon} change the plan describes on {label} by hand"
WINDOWS_NAMES: Final = {
    "sshd": "OpenSSH for Windows",
    "redis": "Redis",
    "vsftpd": "the FTP site's authentication",
    "snmpd": "the SNMP Service",
    "dovecot": "the mail server's logins",
    "postfix": "the mail server's logins",
}
"""How a reason names what would be configured on Windows."""


def _sshd_task(harden: Harden, label: str) -> str:
    lists = "; ".join(f"{SSHD_KEYWORDS[c]} {','.join(names)}" for c, names in harden.algorithms)
    change = (
        f"Limit OpenSSH for Windows to the {harden.profile} profile ({lists})"
        if lists
        else "Turn password logins off in OpenSSH for Windows (PasswordAuthentication no)"
    )
    return (
        f"{change} in %ProgramData%\\ssh\\sshd_config, check it with sshd -t and restart "
        f"sshd on {label}"
    )


def _linux_daemons(about: _About, actions: tuple[Action, ...]) -> _Step:
    """OpenSSH for Windows, Redis, IIS FTP and the SNMP Service have no Windows role here:
    what the Linux harden role would change becomes a person's task."""
    hardens = [a for a in actions if isinstance(a, Harden) and a.daemon not in WINDOWS_ROLES]
    if not hardens:
        return _Step(actions)
    label = about.ctx.label
    tasks = [
        Manual(
            _sshd_task(h, label)
            if h.daemon == SSHD
            else WINDOWS_TASKS.get(h.daemon, GENERIC_TASK).format(label=label, daemon=h.daemon)
        )
        for h in hardens
    ]
    kept = tuple(a for a in actions if a not in hardens)
    what = ", ".join(sorted({WINDOWS_NAMES.get(h.daemon, h.daemon) for h in hardens}))
    return _Step(
        unique((*kept, *tasks)),
        (f"no Windows role configures {what}, so it is a person's task",),
    )


def _patch(about: _About, actions: tuple[Action, ...]) -> _Step:
    """Windows has no package changelogs to read: its CVEs are Windows Update's, a person's."""
    patches = [a for a in actions if isinstance(a, Patch)]
    if not patches:
        return _Step(actions)
    cves = ", ".join(c for p in patches for c in p.cves[:5])
    task = Manual(
        f"Install the Windows or vendor updates that fix {cves} on {about.ctx.label}, then rescan"
    )
    kept = tuple(a for a in actions if a not in patches)
    return _Step(
        unique((*kept, task)),
        ("Windows has no package changelogs for remediator to read, so this is a person's task",),
    )


def _identify(about: _About, actions: tuple[Action, ...]) -> _Step:
    """The unknown-listener task in Windows' own commands."""
    ctx = about.ctx
    if about.rule_id != UNKNOWN_SERVICE_RULE or not any(isinstance(a, Manual) for a in actions):
        return _Step(actions)
    protocol, port = ctx.port_key
    look = (
        f"Get-NetUDPEndpoint -LocalPort {port}"
        if protocol == "udp"
        else f"Get-NetTCPConnection -LocalPort {port} -State Listen"
    )
    task = Manual(
        f"Identify what listens on {port}/{protocol} ({look}, then Get-Process -Id on its "
        f"OwningProcess), then allow it in the policy with a justification and owner, or "
        f"disable it"
    )
    return _Step(_without_manual(actions, task))


STEPS: Final[tuple[Callable[[_About, tuple[Action, ...]], _Step], ...]] = (
    _tls,
    _rdp,
    _smb,
    _linux_daemons,
    _patch,
    _identify,
)
"""The translation after the removal, in order: SCHANNEL, RDP, SMB, the daemons only
Linux roles harden, patches, the unknown listener."""


def _notes(ctx: FindingContext, actions: tuple[Action, ...]) -> tuple[str, ...]:
    """What a Windows admin should know beyond the decision (WinRM over HTTP, open RDP)."""
    host = ctx.host
    notes: list[str] = []
    if host is not None and host.is_management(*ctx.port_key) and ctx.finding.port == WINRM_HTTP:
        notes.append(
            "Ansible manages this host over WinRM on HTTP (5985); move it to HTTPS on 5986 "
            "(ansible_winrm_scheme: https and a certificate), after which 5985 can be blocked"
        )
    service = ctx.service.name if ctx.service else ""
    if service == "rdp" and any(
        isinstance(a, Keep) and a.sources is not None and a.sources.any for a in actions
    ):
        notes.append(
            "the policy allows RDP from any source; PCI DSS 1.3.1 expects remote access only "
            "from the networks that need it: narrow the entry's sources, or reach RDP "
            "through a VPN or RD Gateway"
        )
    return tuple(notes)


class WindowsRule:
    """Translates a rule's outcome for a Windows host; folds it into a manual task on a
    host only the scan calls Windows."""

    id = "windows"
    pci = ("2.2.4",)
    summary = (
        "Windows host: the rule's actions as Windows does them (services, Windows Firewall, "
        "SCHANNEL, RDP/SMB hardening); a host only the scan calls Windows: manual"
    )

    def adjust(
        self,
        ctx: FindingContext,
        rule_id: str,
        outcome: RuleOutcome,
        host: WindowsHost,
        *,
        excepted: bool = False,
    ) -> RuleOutcome:
        """The outcome for the host's OS: translated on Windows, folded when doubtful."""
        if host.os.name != WINDOWS:
            return fold_manual(outcome, host.os)
        return self.translate(ctx, rule_id, outcome, host, excepted=excepted)

    def translate(
        self,
        ctx: FindingContext,
        rule_id: str,
        outcome: RuleOutcome,
        host: WindowsHost,
        *,
        excepted: bool = False,
    ) -> RuleOutcome:
        """Each action as Windows carries it out, with what that means in the reason."""
        removal = windows_removal(ctx, outcome.actions)
        said = list(removal.how)
        impacts = outcome.impacts
        actions = removal.actions
        about = _About(ctx, rule_id, host, excepted)
        for step in STEPS:
            done = step(about, actions)
            actions = done.actions
            said.extend(done.said)
            impacts = (*impacts, *(i for i in done.impacts if i not in impacts))
        notes = (*outcome.notes, *_notes(ctx, actions))
        if actions == outcome.actions and not said and notes == outcome.notes:
            return outcome
        text = " ".join(s[0].upper() + s[1:] + ("" if s.endswith(".") else ".") for s in said)
        where = f" On Windows ({host.os.reason}): {text}" if text else ""
        reason = outcome.reason
        if not any(isinstance(a, DisableService) for a in actions):
            reason = reason.replace(DISABLED_AND_BLOCKED, ONLY_BLOCKED)
        return replace(
            outcome,
            actions=actions,
            reason=f"{reason}{where}",
            impacts=impacts,
            notes=notes,
        )
