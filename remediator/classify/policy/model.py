"""The policy's frozen types: what the business needs exposed, written down once.

A policy file (YAML, ``schemas/policy.schema.json``) says per inventory group which services may
be reachable, from which sources, why (justification) and who answers for it (owner);
how Ansible manages the hosts (never cut); the TLS profile; and time-limited exceptions.
:func:`remediator.classify.policy.read.load_policy` validates it and returns a frozen
:class:`Policy`. This module only defines the types, so every other policy module (and the
rules) can import it without importing the reader.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from remediator.classify.catalog import Catalog, PortKey
from remediator.classify.policy.sources import Sources

DEFAULT_MAX_SCAN_AGE_DAYS = 30
DEFAULT_MANAGEMENT_SERVICE = "ssh"
ALL_GROUP = "all"


@dataclass(frozen=True)
class ServiceRef:
    """What a policy entry names: a catalog service, or a literal port."""

    service: str | None = None
    port: PortKey | None = None

    def describe(self) -> str:
        """``https`` or ``8443/tcp``."""
        if self.service is not None or self.port is None:
            return self.service or "?"
        return f"{self.port[1]}/{self.port[0]}"

    def ports(self, catalog: Catalog) -> frozenset[PortKey]:
        """The ports the entry covers (a service's catalog ports, or the literal one)."""
        if self.port is not None:
            return frozenset({self.port})
        return catalog.services[self.service].ports if self.service else frozenset()


@dataclass(frozen=True)
class AllowEntry:
    """``groups.<g>.allow[i]``: a service the business needs reachable from ``sources``."""

    group: str
    ref: ServiceRef
    sources: Sources
    justification: str
    owner: str
    path: str
    line: int
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class DenyEntry:
    """``groups.<g>.deny[i]``: a service that must go even if another group allows it."""

    group: str
    ref: ServiceRef
    reason: str
    path: str
    line: int


@dataclass(frozen=True)
class TlsSetting:
    """The TLS profile and minimum protocol version enforce_tls applies."""

    profile: str
    min_version: str


@dataclass(frozen=True)
class GroupPolicy:
    """What one inventory group's hosts may expose, plus per-group overrides."""

    name: str
    allow: tuple[AllowEntry, ...] = ()
    deny: tuple[DenyEntry, ...] = ()
    tls: TlsSetting | None = None
    firewall_backend: str | None = None
    remove_packages: bool | None = None
    remove_windows_features: bool | None = None
    management: ManagementAccess | None = None
    """The group's own management access, replacing the policy's for its hosts."""
    sshd_keys_only: bool | None = None
    """``harden.sshd.keys_only``: the group's sshds accept public keys only."""
    redis_password_var: str | None = None
    """``harden.redis.password_var``: the name of the variable holding Redis's password."""


@dataclass(frozen=True)
class ManagementAccess:
    """How Ansible reaches hosts: a service (default ssh) from admin sources."""

    service: str
    port: int | None
    sources: Sources
    path: str


@dataclass(frozen=True)
class PolicyException:
    """An approved, dated exception for findings matching a pattern."""

    index: int
    finding: str | None
    kind: str | None
    justification: str
    approved_by: str
    expires: date
    path: str
    line: int

    def active_on(self, day: date) -> bool:
        """Applies up to and including its expiry day."""
        return day <= self.expires


@dataclass(frozen=True)
class Policy:
    """A validated policy file."""

    file: str
    networks: Mapping[str, Sources]
    management: ManagementAccess
    tls: TlsSetting
    firewall_backend: str | None
    max_scan_age_days: int
    remove_packages: bool
    groups: Mapping[str, GroupPolicy]
    exceptions: tuple[PolicyException, ...]
    remove_windows_features: bool = False
