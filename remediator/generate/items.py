"""The roles' items, one per finding, made from the plan's actions.

Each builder takes one decision and one of its actions and either appends the item the
role needs or a :class:`Note` saying why nothing can be automated (a port that is not
TCP/UDP, a service no unit is known for, a TLS daemon that is not identified).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Final

from remediator.classify.model import DisableService, EnforceTls, FirewallBlock, FirewallRestrict
from remediator.classify.plan_document import PlanDecision
from remediator.errors import InputError
from remediator.generate.safety import UNIT_NAME, py_literal

FIREWALL_PROTOCOLS: Final = frozenset({"tcp", "udp"})
TLS_DAEMONS: Final = frozenset({"nginx", "apache2", "postfix", "dovecot", "vsftpd"})
"""Daemons the tls role can configure (its argument spec's choices)."""


@dataclass(frozen=True)
class PortCheck:
    """A port to verify, with the finding keys that make it matter."""

    protocol: str
    port: int
    keys: tuple[str, ...]


@dataclass(frozen=True)
class DisableItem:
    """One disable_service_items entry."""

    key: str
    reason: str
    protocol: str
    port: int
    units: tuple[str, ...]
    sockets: tuple[str, ...]
    inetd: tuple[str, ...]
    packages: tuple[str, ...]
    remove_package: bool


@dataclass(frozen=True)
class FirewallItem:
    """One firewall_rules entry, and the address the scan reached it on."""

    key: str
    reason: str
    action: str
    protocol: str
    port: int
    sources: tuple[str, ...]
    address: str


@dataclass(frozen=True)
class TlsItem:
    """One tls_items entry and what its verification probes."""

    key: str
    reason: str
    daemon: str
    address: str
    port: int
    service: str | None
    kind: str
    require_tls: bool


@dataclass(frozen=True)
class Note:
    """A finding the project does not change, and why (for the README)."""

    key: str
    text: str


def add_disable(
    decision: PlanDecision, action: DisableService, out: list[DisableItem], notes: list[Note]
) -> None:
    if not (action.units or action.sockets or action.inetd):
        notes.append(
            Note(
                decision.key,
                f"not disabled: no unit, socket or inetd service is "
                f"known for port {action.port}/{action.protocol}; "
                "find what listens and disable it by hand",
            )
        )
        return
    out.append(_disable_item(decision, action))


def _disable_item(decision: PlanDecision, action: DisableService) -> DisableItem:
    option = decision.remove_packages
    for name in (*action.units, *action.sockets, *action.inetd, *action.packages):
        if UNIT_NAME.fullmatch(name) is None:
            raise InputError(
                f"plan: decision {py_literal(decision.key)} names {py_literal(name)}, "
                "which is not a unit, inetd service or package name"
            )
    return DisableItem(
        key=decision.key,
        reason=decision.reason,
        protocol=action.protocol,
        port=action.port,
        units=action.units,
        sockets=action.sockets,
        inetd=action.inetd,
        packages=action.packages,
        remove_package=bool(option and option.enabled),
    )


def add_firewall(
    decision: PlanDecision,
    action: FirewallBlock | FirewallRestrict,
    out: list[FirewallItem],
    notes: list[Note],
) -> None:
    if action.protocol not in FIREWALL_PROTOCOLS or not 1 <= action.port <= 65535:
        notes.append(
            Note(
                decision.key,
                f"not firewalled: {action.port}/{action.protocol} "
                "is not a TCP or UDP port; close it by hand",
            )
        )
        return
    restrict = isinstance(action, FirewallRestrict)
    if restrict and action.sources.any:  # type: ignore[union-attr]
        notes.append(Note(decision.key, "not firewalled: the restriction allows any source"))
        return
    out.append(
        FirewallItem(
            key=decision.key,
            reason=decision.reason,
            action="restrict" if restrict else "block",
            protocol=action.protocol,
            port=action.port,
            sources=tuple(action.sources.cidrs()) if restrict else (),  # type: ignore[union-attr]
            address=decision.address,
        )
    )


def add_tls(
    decision: PlanDecision, action: EnforceTls, out: list[TlsItem], notes: list[Note]
) -> None:
    supported = [d for d in (action.daemon, *action.candidates) if d in TLS_DAEMONS]
    daemon = action.daemon if action.daemon in TLS_DAEMONS else None
    if daemon is None and len(set(supported)) == 1:
        daemon = supported[0]
    if daemon is None:
        named = ", ".join(action.candidates) or "none known"
        notes.append(
            Note(
                decision.key,
                f"TLS not enforced: the daemon on port {action.port} "
                f"is not identified or not supported (candidates: {named})",
            )
        )
        return
    out.append(
        TlsItem(
            key=decision.key,
            reason=decision.reason,
            daemon=daemon,
            address=decision.address,
            port=action.port,
            service=decision.service,
            kind=decision.kind,
            require_tls=action.require_tls_for_auth,
        )
    )


def is_ip(text: str) -> bool:
    """Whether ``text`` is an IP address (only those are probed from the controller)."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
