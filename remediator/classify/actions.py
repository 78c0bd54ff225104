"""The actions a decision can carry, in the order they are to be applied.

Each action is a frozen record with a ``type`` (the plan's vocabulary, consumed by the
generate stage) and only the facts that stage needs. Nothing here is a command: the
generator turns them into Ansible tasks, and :class:`Manual` is work for a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from remediator.classify.sources import Sources

CHANGE_TYPES = frozenset({"disable_service", "firewall_block", "firewall_restrict", "enforce_tls"})
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


Action = DisableService | FirewallBlock | FirewallRestrict | EnforceTls | Keep | Manual


def changes(actions: tuple[Action, ...]) -> bool:
    """Whether any action changes the host."""
    return any(a.type in CHANGE_TYPES for a in actions)
