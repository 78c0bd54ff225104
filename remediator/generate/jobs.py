"""What the project does on each host, worked out once from the plan.

Host vars, playbook verification and testinfra suites are three renderings of the same
:class:`HostJob`, so what is changed, what is verified after the batch and what the
tests assert can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from remediator.classify.model import (
    DisableService,
    EnforceTls,
    FirewallBlock,
    FirewallRestrict,
    Harden,
    Keep,
    Manual,
    Patch,
)
from remediator.classify.plan_document import Management, PlanDecision, PlanDoc, PlanHost
from remediator.errors import InputError
from remediator.generate.harden import LinuxHardenItem, add_harden
from remediator.generate.items import (
    DisableItem,
    FirewallItem,
    Note,
    PortCheck,
    TlsItem,
    add_disable,
    add_firewall,
    add_tls,
)
from remediator.generate.patch import PatchItem, add_patch
from remediator.generate.safety import check_host_name, py_literal


@dataclass(frozen=True)
class HostJob:
    """Everything the generated project does and checks on one host."""

    name: str
    address: str | None
    """The plan's first recorded address of the host (never a scanned one), if any."""
    management: Management
    firewall_backend: str | None
    tls_profile: str
    tls_protocols: tuple[str, ...]
    tls_ciphers: str
    disable: tuple[DisableItem, ...]
    firewall: tuple[FirewallItem, ...]
    tls: tuple[TlsItem, ...]
    harden: tuple[LinuxHardenItem, ...]
    patch: tuple[PatchItem, ...]
    closed: tuple[PortCheck, ...]
    listening: tuple[PortCheck, ...]
    notes: tuple[Note, ...]
    protected: tuple[tuple[str, int], ...] = ()
    """The plan's ``protected_ports``: management and kept ports, from the policy alone."""

    @property
    def changes(self) -> bool:
        """Whether the remediation play has anything to do on this host."""
        return bool(self.disable or self.firewall or self.tls or self.harden or self.patch)


def build_jobs(plan: PlanDoc) -> tuple[HostJob, ...]:
    """One job per Linux host of the plan that has decisions, sorted by host name."""
    return tuple(_job(host, decisions) for host, decisions in hosts_of(plan, "linux"))


def hosts_of(plan: PlanDoc, os_name: str) -> list[tuple[PlanHost, list[PlanDecision]]]:
    """The plan's hosts of one OS that have decisions, by name, each with its decisions in
    port order; a decision naming a host the plan has no entry for is refused."""
    by_host: dict[str, list[PlanDecision]] = {}
    for decision in plan.decisions:
        if decision.host is not None:
            by_host.setdefault(decision.host, []).append(decision)
    found = []
    for name in sorted(by_host):
        host = plan.host(name)
        if host is None:
            raise InputError(f"plan: decisions name host {py_literal(name)}, which has no entry")
        if host.os != os_name:
            continue
        check_host_name(name, f"plan (inventory {plan.inventory!r})")
        found.append((host, sorted(by_host[name], key=_order)))
    return found


def unknown_os_hosts(plan: PlanDoc) -> tuple[str, ...]:
    """Hosts with decisions the project leaves to a person: the scan calls them Windows and
    the inventory does not say (no Linux role, and no Windows role, may run there)."""
    named = {d.host for d in plan.decisions if d.host is not None}
    return tuple(
        sorted(h.name for h in plan.hosts if h.name in named and h.os not in {"linux", "windows"})
    )


def unmanaged(plan: PlanDoc) -> tuple[PlanDecision, ...]:
    """Decisions on addresses no inventory host claims: nothing can run there."""
    return tuple(d for d in plan.decisions if d.host is None)


def _order(decision: PlanDecision) -> tuple[str, int, str, str]:
    return (decision.protocol, decision.port, decision.check_id, decision.address)


def _job(host: PlanHost, decisions: list[PlanDecision]) -> HostJob:
    disable: list[DisableItem] = []
    firewall: list[FirewallItem] = []
    tls: list[TlsItem] = []
    harden: list[LinuxHardenItem] = []
    patch: list[PatchItem] = []
    notes: list[Note] = []
    kept: dict[tuple[str, int], list[str]] = {}
    for decision in decisions:
        for action in decision.actions:
            _refuse_management(host, decision, action)
            if isinstance(action, DisableService):
                add_disable(decision, action, disable, notes)
            elif isinstance(action, FirewallBlock | FirewallRestrict):
                add_firewall(decision, action, firewall, notes)
            elif isinstance(action, EnforceTls):
                add_tls(decision, action, tls, notes)
            elif isinstance(action, Keep):
                kept.setdefault((action.protocol, action.port), []).append(decision.key)
            elif isinstance(action, Manual):
                notes.append(Note(decision.key, action.task))
            elif isinstance(action, Harden):
                add_harden(decision, action, harden, notes)
            elif isinstance(action, Patch):
                add_patch(decision, action, patch)
    mgmt = host.management
    kept.setdefault((mgmt.protocol, mgmt.port), []).append(f"management ({mgmt.service})")
    closed = ports_of((d.protocol, d.port, d.key) for d in disable)
    _refuse_conflicts(host, closed, kept)
    profile = _tls_profile(host)
    return HostJob(
        name=host.name,
        address=host.addresses[0] if host.addresses else None,
        management=mgmt,
        firewall_backend=host.firewall_backend,
        tls_profile=profile,
        tls_protocols=host.tls.protocols,
        tls_ciphers=host.tls.ciphers,
        disable=tuple(disable),
        firewall=tuple(firewall),
        tls=tuple(tls),
        harden=tuple(harden),
        patch=tuple(patch),
        closed=closed,
        listening=tuple(PortCheck(p, n, tuple(keys)) for (p, n), keys in sorted(kept.items())),
        notes=tuple(notes),
        protected=tuple(sorted({(p.protocol, p.port) for p in host.protected_ports})),
    )


def ports_of(items: Iterable[tuple[str, int, str]]) -> tuple[PortCheck, ...]:
    """(protocol, port, key) triples as one check per port, with every key of it."""
    grouped: dict[tuple[str, int], list[str]] = {}
    for protocol, port, key in items:
        grouped.setdefault((protocol, port), []).append(key)
    return tuple(PortCheck(p, n, tuple(keys)) for (p, n), keys in sorted(grouped.items()))


def _refuse_management(host: PlanHost, decision: PlanDecision, action: object) -> None:
    """Defence in depth: the classifier never targets the management port; check anyway."""
    changes = isinstance(action, DisableService | FirewallBlock)
    if changes and (action.protocol, action.port) == (  # type: ignore[attr-defined]
        host.management.protocol,
        host.management.port,
    ):
        raise InputError(
            f"plan: decision {py_literal(decision.key)} would close {host.name}'s management "
            f"port {host.management.port}/{host.management.protocol}; refusing to generate"
        )


def _refuse_conflicts(
    host: PlanHost, closed: tuple[PortCheck, ...], kept: dict[tuple[str, int], list[str]]
) -> None:
    for check in closed:
        if (check.protocol, check.port) in kept:
            raise InputError(
                f"plan: {host.name} port {check.port}/{check.protocol} is both disabled "
                f"and kept; the plan is inconsistent"
            )


def _tls_profile(host: PlanHost) -> str:
    """The role's profile: ``modern`` when the policy's minimum leaves TLS 1.3 only."""
    if "TLSv1.2" not in host.tls.protocols and host.tls.protocols:
        return "modern"
    return host.tls.profile
