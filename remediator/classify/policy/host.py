"""The policy as it applies to one inventory host: its groups' entries merged.

A host is in several groups (``web`` and ``linux``); what it may expose is the union of
its groups' allow lists plus ``all``, minus any deny. Its management access is its
groups' own ``management:`` (two that differ are a policy error), else the policy's. The
management port is the host's own ``ansible_port``, else its access's, else the catalog
port of its service (so no code ever assumes 22); a host Ansible reaches over WinRM
(``ansible_connection`` winrm or psrp) is managed through WinRM on the port that
connection uses (5986, or 5985 for plain HTTP).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from remediator.classify.catalog import Catalog, PortKey, ServiceEntry
from remediator.classify.hostos import winrm_port
from remediator.classify.policy.kept import KeptService, kept_services
from remediator.classify.policy.model import (
    ALL_GROUP,
    AllowEntry,
    DenyEntry,
    GroupPolicy,
    ManagementAccess,
    Policy,
    TlsSetting,
)
from remediator.classify.policy.sources import Sources
from remediator.errors import PolicyError
from remediator.ingest.inventory import InventoryHost

FIREWALL_BACKEND_VAR = "remediator_firewall_backend"
WINRM_SERVICE = "winrm"
"""The catalog service a Windows host connecting over winrm or psrp is managed through."""


@dataclass(frozen=True)
class HostPolicy:
    """Everything the policy says about one host."""

    host: InventoryHost
    groups: tuple[str, ...]
    allow: tuple[AllowEntry, ...]
    deny: tuple[DenyEntry, ...]
    management_service: str
    management_port: PortKey
    management_sources: Sources
    tls: TlsSetting
    firewall_backend: str | None
    remove_packages: bool
    kept: tuple[KeptService, ...] = ()
    remove_windows_features: bool = False
    sshd_keys_only: bool = False
    """A group of the host requires public-key logins only (``harden.sshd.keys_only``)."""
    redis_password_var: str | None = None
    """The variable naming Redis's password for this host (``harden.redis.password_var``,
    the first of the host's groups that names one)."""

    def allowed(
        self, key: PortKey, service: ServiceEntry | None, catalog: Catalog
    ) -> tuple[AllowEntry, ...]:
        """The allow entries that cover a port (by its port or by its identified service)."""
        return tuple(
            e for e in self.allow if _matches(e.ref.service, e.ref.ports(catalog), key, service)
        )

    def denied(
        self, key: PortKey, service: ServiceEntry | None, catalog: Catalog
    ) -> DenyEntry | None:
        """The first deny entry that covers a port, if any (deny beats allow)."""
        for entry in self.deny:
            if _matches(entry.ref.service, entry.ref.ports(catalog), key, service):
                return entry
        return None

    def allowed_service(self, name: str, catalog: Catalog) -> tuple[AllowEntry, ...]:
        """Allow entries for a catalog service (by name or by one of its ports)."""
        entry = catalog.services[name]
        return tuple(
            e for e in self.allow if e.ref.service == name or e.ref.ports(catalog) & entry.ports
        )

    def kept_as(self, service: ServiceEntry | None) -> KeptService | None:
        """Why ``service`` keeps running on this host (management first), if it does."""
        if service is None:
            return None
        return next((k for k in self.kept if k.service and k.service.name == service.name), None)

    def is_management(self, protocol: str, port: int) -> bool:
        """Whether ``port/protocol`` is how Ansible reaches this host."""
        return (protocol, port) == self.management_port


def _matches(
    ref_service: str | None, ports: frozenset[PortKey], key: PortKey, service: ServiceEntry | None
) -> bool:
    if key in ports:
        return True
    return service is not None and ref_service == service.name


def applicable_groups(policy: Policy, host: InventoryHost) -> tuple[GroupPolicy, ...]:
    """``all`` first, then the host's groups the policy names, alphabetically."""
    names = [ALL_GROUP, *sorted(g for g in host.groups if g != ALL_GROUP)]
    return tuple(policy.groups[n] for n in names if n in policy.groups)


@dataclass(frozen=True)
class HostManagement:
    """How Ansible reaches a host: the service, the port, and the sources it comes from."""

    service: str
    port: PortKey
    sources: Sources


def access_port(access: ManagementAccess, catalog: Catalog) -> PortKey:
    """A management access's own port, else the lowest TCP port of its service."""
    if access.port is not None:
        return ("tcp", access.port)
    entry = catalog.services[access.service]
    tcp = sorted(port for proto, port in entry.ports if proto == "tcp")
    return ("tcp", tcp[0]) if tcp else sorted(entry.ports)[0]


def differing_groups(policy: Policy, host: InventoryHost) -> tuple[str, str] | None:
    """Two of ``host``'s groups whose own ``management:`` differ, or None."""
    own = [(g.name, m) for g in applicable_groups(policy, host) if (m := g.management) is not None]
    for name, access in own[1:]:
        if _said(access) != _said(own[0][1]):
            return own[0][0], name
    return None


def _said(access: ManagementAccess) -> tuple[str, int | None, Sources]:
    """What a management access says (where it is written aside)."""
    return (access.service, access.port, access.sources)


def host_access(policy: Policy, host: InventoryHost) -> ManagementAccess:
    """The management access of ``host``: its groups' own, else the policy's.

    Two of its groups with different ones would leave it unclear which connection must
    never be cut: a :class:`PolicyError` naming both (``policy check`` with the inventory
    reports it at the lines; this catches a policy loaded without one).
    """
    differ = differing_groups(policy, host)
    if differ is not None:
        raise PolicyError(
            f"{policy.file}: host {host.name} is in groups {differ[0]} and {differ[1]}, "
            "whose management differ; make them the same or keep one"
        )
    own = (g.management for g in applicable_groups(policy, host) if g.management)
    return next(own, policy.management)


def host_management(policy: Policy, catalog: Catalog, host: InventoryHost) -> HostManagement:
    """How Ansible reaches ``host``, from its management access's sources: WinRM on its
    WinRM port for a winrm/psrp connection, else the access's service on the host's
    ansible_port, else the access's port or its service's."""
    access = host_access(policy, host)
    winrm = winrm_port(host)
    if winrm is not None:
        return HostManagement(WINRM_SERVICE, ("tcp", winrm), access.sources)
    port = ("tcp", host.port) if host.port is not None else access_port(access, catalog)
    return HostManagement(access.service, port, access.sources)


def host_policy(policy: Policy, catalog: Catalog, host: InventoryHost) -> HostPolicy:
    """Merge the groups that apply to ``host`` into its :class:`HostPolicy`."""
    groups = applicable_groups(policy, host)
    allow = tuple(e for g in groups for e in g.allow)
    deny = tuple(e for g in groups for e in g.deny)
    management = host_management(policy, catalog, host)
    return HostPolicy(
        host=host,
        groups=tuple(g.name for g in groups),
        allow=allow,
        deny=deny,
        management_service=management.service,
        management_port=management.port,
        management_sources=management.sources,
        tls=_strictest_tls(policy, catalog, groups),
        firewall_backend=host.var(FIREWALL_BACKEND_VAR)
        or next((g.firewall_backend for g in groups if g.firewall_backend), None)
        or policy.firewall_backend,
        remove_packages=_consent(policy.remove_packages, [g.remove_packages for g in groups]),
        remove_windows_features=_consent(
            policy.remove_windows_features, [g.remove_windows_features for g in groups]
        ),
        kept=kept_services(management.service, management.port, allow, deny, catalog),
        sshd_keys_only=_keys_only(policy, host, groups),
        redis_password_var=next(
            (g.redis_password_var for g in groups if g.redis_password_var), None
        ),
    )


PASSWORD_VARS: Final = ("ansible_password", "ansible_ssh_pass", "ansible_ssh_password")
"""Host vars that make Ansible log in with a password (ansible-core's names for it)."""


def _keys_only(policy: Policy, host: InventoryHost, groups: tuple[GroupPolicy, ...]) -> bool:
    """Whether a group requires key-only SSH for ``host``; refused where Ansible itself logs
    in with a password, since the next connection after the change would fail."""
    asking = [g.name for g in groups if g.sshd_keys_only]
    if not asking:
        return False
    password = [v for v in PASSWORD_VARS if host.has_var(v)]
    if password:
        raise PolicyError(
            f"{policy.file}: groups.{asking[0]}.harden.sshd.keys_only would switch password "
            f"logins off on {host.name}, which Ansible logs in to with a password "
            f"({', '.join(password)}); give Ansible a key for it first"
        )
    return True


def _strictest_tls(policy: Policy, catalog: Catalog, groups: tuple[GroupPolicy, ...]) -> TlsSetting:
    """Where groups disagree the stricter setting wins: it satisfies both."""
    settings = [g.tls for g in groups if g.tls is not None] or [policy.tls]
    return max(
        settings, key=lambda s: (s.profile == "modern", catalog.protocol_rank(s.min_version))
    )


def _consent(default: bool, groups: list[bool | None]) -> bool:
    """An irreversible removal's consent: any group saying no wins over one saying yes;
    the policy's own option when no group says."""
    said = [g for g in groups if g is not None]
    if said:
        return all(said)
    return default
