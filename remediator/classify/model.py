"""The classify stage's frozen types: its commands' options, decisions and their actions.

The options (:class:`PolicyCheckOptions`, :class:`PolicyInitOptions`, :class:`PlanOptions`)
are what ``cli.py`` builds from the command line and ``commands.py`` works from.
A :class:`Decision` is one finding, its verdict, its ordered actions and the reason for
them. Each action is a frozen record with a ``type`` (the plan's vocabulary, consumed by
the generate stage) and only the facts that stage needs. Nothing here is a command: the
generator turns them into Ansible tasks, and :class:`Manual` is work for a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, Final

from remediator.classify.policy.sources import Sources


@dataclass(frozen=True)
class PolicyCheckOptions:
    """``remediator policy check``: the policy, and the inventory its groups are checked against."""

    file: Path
    inventory: Path | None = None
    json: bool = False


@dataclass(frozen=True)
class PolicyInitOptions:
    """``remediator policy init``: scans and inventory to propose from, where to write."""

    scans: tuple[Path, ...]
    inventory: Path
    admins: tuple[str, ...] = ()
    output: Path | None = None
    force: bool = False


@dataclass(frozen=True)
class PlanOptions:
    """``remediator plan``: the inputs, the day exceptions are judged on, and the outputs."""

    scans: tuple[Path, ...]
    policy: Path
    inventory: Path
    as_of: date | None = None
    format: str = "auto"
    output: Path | None = None
    json: bool = False
    rows: int | None = None
    limit: str | None = None
    fail_on: tuple[str, ...] = ()


FAIL_ON: Final = ("auto_fail", "fail", "stale", "unmatched")
"""What ``plan --fail-on`` may fail a pipeline on: a decision's predicted ASV outcome
(``fail`` counts ``auto_fail`` too: it is the worse fail), a scan older than the policy
allows, an address no inventory host claims."""

CHANGE_TYPES = frozenset(
    {"disable_service", "firewall_block", "firewall_restrict", "enforce_tls", "harden", "patch"}
)
"""Action types that change a host; ``keep`` and ``manual`` do not."""


@dataclass(frozen=True)
class DisableService:
    """Stop, disable and mask what provides the service (unit, socket, inetd entry).

    ``port``/``protocol`` let the generator find the listener when the catalog's names do
    not match the host (a custom unit); package names are listed for the opt-in removal
    option, never removed by this action.
    """

    type: ClassVar[str] = "disable_service"
    protocol: str
    port: int
    service: str | None
    units: tuple[str, ...] = ()
    sockets: tuple[str, ...] = ()
    inetd: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()
    windows: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The plan form."""
        return {
            "type": self.type,
            "protocol": self.protocol,
            "port": self.port,
            "service": self.service,
            "units": list(self.units),
            "sockets": list(self.sockets),
            "inetd": list(self.inetd),
            "packages": list(self.packages),
            "windows_services": list(self.windows),
        }


@dataclass(frozen=True)
class FirewallBlock:
    """Drop inbound traffic to the port from everyone."""

    type: ClassVar[str] = "firewall_block"
    protocol: str
    port: int

    def to_json(self) -> dict[str, Any]:
        """The plan form."""
        return {"type": self.type, "protocol": self.protocol, "port": self.port}


@dataclass(frozen=True)
class FirewallRestrict:
    """Accept the port only from ``sources``; drop it from everyone else."""

    type: ClassVar[str] = "firewall_restrict"
    protocol: str
    port: int
    sources: Sources

    def to_json(self) -> dict[str, Any]:
        """The plan form."""
        return {
            "type": self.type,
            "protocol": self.protocol,
            "port": self.port,
            "sources": self.sources.to_json(),
        }


@dataclass(frozen=True)
class EnforceTls:
    """Configure the daemon on the port for the TLS profile (protocols and ciphers)."""

    type: ClassVar[str] = "enforce_tls"
    protocol: str
    port: int
    daemon: str | None
    candidates: tuple[str, ...]
    profile: str
    min_version: str
    protocols: tuple[str, ...]
    ciphers: str
    require_tls_for_auth: bool = False

    def to_json(self) -> dict[str, Any]:
        """The plan form."""
        return {
            "type": self.type,
            "protocol": self.protocol,
            "port": self.port,
            "daemon": self.daemon,
            "candidates": list(self.candidates),
            "profile": self.profile,
            "min_version": self.min_version,
            "protocols": list(self.protocols),
            "ciphers": self.ciphers,
            "require_tls_for_auth": self.require_tls_for_auth,
        }


HARDEN_SETTINGS: Final = {
    "rdp": ("nla", "tls_security_layer"),
    "smb": ("smb1_off",),
    "sshd": ("strong_algorithms", "password_auth_off"),
    "redis": ("protected_mode", "requirepass"),
    "vsftpd": ("anonymous_off",),
    "snmpd": ("communities_off",),
    "dovecot": ("plaintext_auth_off",),
    "postfix": ("auth_only_tls",),
}
"""The settings :class:`Harden` may carry, per daemon (the plan schema's enums say the same)."""


@dataclass(frozen=True)
class Harden:
    """Turn on a daemon's own security settings while its port stays reachable.

    ``daemon`` names what is configured (``rdp``: NLA and the TLS security layer; ``smb``:
    SMB 1 off; ``sshd``: only the algorithms of a versioned profile); ``settings`` are the
    switches, from :data:`HARDEN_SETTINGS`. ``clients`` says in words which clients stop
    working, so the admin can check before applying (``redis``: protected mode and a
    password read from ``secret_var`` on the controller). For sshd, ``profile`` names the SSH
    profile and ``algorithms`` carries its lists (category -> names, in preference order),
    so the plan alone says what is written; ``weak`` is what the scan saw offered outside
    them (evidence for the reviewer, never configuration).
    """

    type: ClassVar[str] = "harden"
    protocol: str
    port: int
    daemon: str
    settings: tuple[str, ...]
    clients: str
    profile: str | None = None
    algorithms: tuple[tuple[str, tuple[str, ...]], ...] = ()
    weak: tuple[str, ...] = ()
    secret_var: str | None = None
    """redis: the NAME of the variable holding the password (never the secret itself)."""
    sources: Sources | None = None
    """snmpd: who may still use an SNMPv1/v2c community where no SNMPv3 user is configured
    (the policy's sources for the port; None when they are everyone)."""

    def to_json(self) -> dict[str, Any]:
        """The plan form (the sshd facts only where they are set)."""
        form: dict[str, Any] = {
            "type": self.type,
            "protocol": self.protocol,
            "port": self.port,
            "daemon": self.daemon,
            "settings": list(self.settings),
            "clients": self.clients,
        }
        if self.profile is not None:
            form["profile"] = self.profile
        if self.algorithms:
            form["algorithms"] = {c: list(names) for c, names in self.algorithms}
        if self.weak:
            form["weak"] = list(self.weak)
        if self.secret_var is not None:
            form["secret_var"] = self.secret_var
        if self.sources is not None:
            form["sources"] = self.sources.to_json()
        return form


@dataclass(frozen=True)
class Patch:
    """Find the package behind the port and judge ``cves`` by its changelogs on the host.

    The host decides, not the scan: a CVE the installed package's changelog names is a
    backport, recorded and left alone; one a candidate from the host's own repositories
    names is upgraded to inside the window, the installed package kept first; anything
    else stays a person's. ``package`` is only ever the inventory's or policy's word (the
    scan's product text never names what is installed); None lets the host find it.
    """

    type: ClassVar[str] = "patch"
    protocol: str
    port: int
    cves: tuple[str, ...]
    package: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The plan form."""
        return {
            "type": self.type,
            "protocol": self.protocol,
            "port": self.port,
            "cves": list(self.cves),
            "package": self.package,
        }


@dataclass(frozen=True)
class Keep:
    """Leave the service running and reachable from ``sources``: nothing may close it."""

    type: ClassVar[str] = "keep"
    protocol: str
    port: int
    sources: Sources | None = None

    def to_json(self) -> dict[str, Any]:
        """The plan form."""
        return {
            "type": self.type,
            "protocol": self.protocol,
            "port": self.port,
            "sources": self.sources.to_json() if self.sources else None,
        }


@dataclass(frozen=True)
class Manual:
    """Work for a person (patching, certificates, Windows), described in ``task``."""

    type: ClassVar[str] = "manual"
    task: str

    def to_json(self) -> dict[str, Any]:
        """The plan form."""
        return {"type": self.type, "task": self.task}


Action = (
    DisableService | FirewallBlock | FirewallRestrict | EnforceTls | Harden | Patch | Keep | Manual
)


def changes(actions: tuple[Action, ...]) -> bool:
    """Whether any action changes the host."""
    return any(a.type in CHANGE_TYPES for a in actions)


VERDICT_FAIL = "fail"
VERDICT_PASS = "pass"  # noqa: S105 - a verdict, not a password
VERDICT_EXCEPTED = "excepted"


@dataclass(frozen=True)
class ExceptionRef:
    """The policy exception a decision cites, and whether it was still valid."""

    path: str
    finding: str | None
    kind: str | None
    justification: str
    approved_by: str
    expires: date
    active: bool

    def to_json(self) -> dict[str, Any]:
        """The plan form."""
        return {
            "entry": self.path,
            "finding": self.finding,
            "kind": self.kind,
            "justification": self.justification,
            "approved_by": self.approved_by,
            "expires": self.expires.isoformat(),
            "status": "active" if self.active else "expired",
        }


REMOVE_PACKAGES: Final = "remove_packages"
REMOVE_WINDOWS_FEATURES: Final = "remove_windows_features"
OPTION_DETAIL: Final = {REMOVE_PACKAGES: "packages", REMOVE_WINDOWS_FEATURES: "features"}
"""The plan key each option lists its removals under."""


@dataclass(frozen=True)
class Option:
    """An opt-in extra step for a decision, marked when irreversible: removing the packages
    of a disabled Linux service, or a Windows optional feature (SMB1Protocol)."""

    name: str
    enabled: bool
    irreversible: bool
    detail: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The plan form."""
        return {
            "name": self.name,
            "enabled": self.enabled,
            "irreversible": self.irreversible,
            OPTION_DETAIL[self.name]: list(self.detail),
        }


@dataclass(frozen=True)
class Decision:
    """What the plan does about one finding, and why."""

    host: str | None
    address: str
    protocol: str
    port: int
    service: str | None
    scanner_service: str
    check_id: str
    title: str
    kind: str
    kind_basis: str
    severity: float
    severity_label: str
    asv: str
    verdict: str
    actions: tuple[Action, ...]
    reason: str
    rule: str
    pci: tuple[str, ...]
    policy_entry: str | None = None
    justification: str | None = None
    owner: str | None = None
    exception: ExceptionRef | None = None
    options: tuple[Option, ...] = ()
    client_impacts: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    asv_reason: str = ""
    """Why the ASV outcome is predicted so (the reference's rule that decided it)."""

    @property
    def key(self) -> tuple[str, str, int, str]:
        """The finding key the decision answers."""
        return (self.address, self.protocol, self.port, self.check_id)

    def to_json(self) -> dict[str, Any]:
        """The plan form (keys documented in the plan schema name remediator/plan/v1).

        ``notes`` appears only when there is one, so plans without any keep their bytes.
        """
        notes = {"notes": list(self.notes)} if self.notes else {}
        return {
            "host": self.host,
            "address": self.address,
            "protocol": self.protocol,
            "port": self.port,
            "service": self.service,
            "scanner_service": self.scanner_service,
            "check_id": self.check_id,
            "title": self.title,
            "kind": self.kind,
            "kind_basis": self.kind_basis,
            "severity": self.severity,
            "severity_label": self.severity_label,
            "asv": self.asv,
            "asv_reason": self.asv_reason,
            "verdict": self.verdict,
            "actions": [a.to_json() for a in self.actions],
            "reason": self.reason,
            **notes,
            "rule": self.rule,
            "policy_entry": self.policy_entry,
            "justification": self.justification,
            "owner": self.owner,
            "exception": self.exception.to_json() if self.exception else None,
            "options": [o.to_json() for o in self.options],
            "client_impacts": list(self.client_impacts),
            "pci": list(self.pci),
            "scan_files": list(self.sources),
        }
