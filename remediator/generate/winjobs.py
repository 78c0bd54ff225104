"""What the project does on each Windows host, worked out once from the plan.

The Windows twin of :mod:`remediator.generate.jobs`: the same plan actions, carried out by
the Windows roles (``windows_services``, ``windows_firewall``, ``schannel``). Only a
host the *inventory* made Windows (the plan's ``os: windows``) gets a job; one the scan
alone calls Windows (``os: unknown``) stays with a person. Host vars, playbook checks and
the testinfra suite are renderings of the same :class:`WindowsJob`, as on Linux.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from remediator.classify.model import (
    DisableService,
    EnforceTls,
    FirewallBlock,
    FirewallRestrict,
    Harden,
    Keep,
    Manual,
)
from remediator.classify.plan_document import Management, PlanDecision, PlanDoc, PlanHost
from remediator.errors import InputError
from remediator.generate.items import FirewallItem, Note, PortCheck, add_firewall
from remediator.generate.jobs import hosts_of, ports_of
from remediator.generate.safety import py_literal

WINDOWS: Final = "windows"
SERVICE_NAME: Final = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.$-]{0,79}")
"""Windows service names we are willing to write (``MSSQL$INSTANCE`` has a ``$``)."""
NEVER_STOPPED: Final = frozenset({"rpcss", "rpceptmapper", "dcomlaunch", "winrm"})
"""Services Windows or the management path depend on (``windows_services_protected``)."""
FEATURE_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}")
"""Windows optional feature names (``SMB1Protocol``)."""


@dataclass(frozen=True)
class ServiceItem:
    """One ``windows_services_items`` entry."""

    key: str
    reason: str
    protocol: str
    port: int
    services: tuple[str, ...]
    remove_features: tuple[str, ...] = ()


@dataclass(frozen=True)
class SchannelItem:
    """One ``schannel_items`` entry: a TLS finding SCHANNEL answers (system-wide)."""

    key: str
    reason: str
    address: str
    port: int
    service: str
    kind: str = ""
    """The finding's kind (``tls-protocol:TLSv1.0``, ``weak-cipher`` ...): what the suite probes."""


@dataclass(frozen=True)
class HardenItem:
    """One ``windows_harden_items`` entry: a kept service's own security settings."""

    key: str
    reason: str
    protocol: str
    port: int
    daemon: str
    settings: tuple[str, ...]


HARDEN_REBOOT: Final = {"smb1_off": "smb1"}
"""Harden settings the service reads only when it starts (the role's reboot reasons)."""


@dataclass(frozen=True)
class WindowsJob:
    """Everything the generated project does and checks on one Windows host."""

    name: str
    address: str | None
    management: Management
    tls_protocols: tuple[str, ...]
    services: tuple[ServiceItem, ...]
    firewall: tuple[FirewallItem, ...]
    schannel: tuple[SchannelItem, ...]
    harden: tuple[HardenItem, ...]
    closed: tuple[PortCheck, ...]
    listening: tuple[PortCheck, ...]
    notes: tuple[Note, ...]

    @property
    def changes(self) -> bool:
        """Whether the Windows remediation play has anything to do on this host."""
        return bool(self.services or self.firewall or self.schannel or self.harden)

    @property
    def reboot_reasons(self) -> tuple[str, ...]:
        """What of this job takes effect only at the next reboot (never done by the run)."""
        reasons = ["schannel"] if self.schannel else []
        settings = {s for item in self.harden for s in item.settings}
        reasons.extend(sorted({HARDEN_REBOOT[s] for s in settings if s in HARDEN_REBOOT}))
        if any(i.remove_features for i in self.services):
            reasons.append("optional_features")
        return tuple(reasons)


def build_windows_jobs(plan: PlanDoc) -> tuple[WindowsJob, ...]:
    """One job per inventory-Windows host of the plan that has decisions, by host name."""
    return tuple(_job(host, decisions) for host, decisions in hosts_of(plan, WINDOWS))


def _job(host: PlanHost, decisions: list[PlanDecision]) -> WindowsJob:
    services: list[ServiceItem] = []
    firewall: list[FirewallItem] = []
    schannel: list[SchannelItem] = []
    harden: list[HardenItem] = []
    notes: list[Note] = []
    kept: dict[tuple[str, int], list[str]] = {}
    for decision in decisions:
        for action in decision.actions:
            _refuse_management(host, decision, action)
            if isinstance(action, DisableService):
                _add_service(decision, action, services, notes)
            elif isinstance(action, FirewallBlock | FirewallRestrict):
                add_firewall(decision, action, firewall, notes)
            elif isinstance(action, EnforceTls):
                schannel.append(_schannel_item(decision, action))
            elif isinstance(action, Harden):
                harden.append(_harden_item(decision, action))
            elif isinstance(action, Keep):
                kept.setdefault((action.protocol, action.port), []).append(decision.key)
            elif isinstance(action, Manual):
                notes.append(Note(decision.key, action.task))
    mgmt = host.management
    kept.setdefault((mgmt.protocol, mgmt.port), []).append(f"management ({mgmt.service})")
    closed = ports_of((i.protocol, i.port, i.key) for i in services)
    return WindowsJob(
        name=host.name,
        address=host.addresses[0] if host.addresses else None,
        management=mgmt,
        tls_protocols=host.tls.protocols,
        services=tuple(services),
        firewall=tuple(firewall),
        schannel=tuple(schannel),
        harden=tuple(harden),
        closed=closed,
        listening=tuple(PortCheck(p, n, tuple(keys)) for (p, n), keys in sorted(kept.items())),
        notes=tuple(notes),
    )


def _add_service(
    decision: PlanDecision, action: DisableService, out: list[ServiceItem], notes: list[Note]
) -> None:
    if not action.windows:
        notes.append(
            Note(
                decision.key,
                f"not disabled: no Windows service is known for port "
                f"{action.port}/{action.protocol}; find what listens and disable it by hand",
            )
        )
        return
    for name in action.windows:
        if SERVICE_NAME.fullmatch(name) is None or name.lower() in NEVER_STOPPED:
            raise InputError(
                f"plan: decision {py_literal(decision.key)} names {py_literal(name)}, which "
                "is not a Windows service the project may stop"
            )
    option = decision.remove_windows_features
    features = option.features if option and option.enabled else ()
    for name in features:
        if FEATURE_NAME.fullmatch(name) is None:
            raise InputError(
                f"plan: decision {py_literal(decision.key)} names {py_literal(name)}, "
                "which is not a Windows optional feature name"
            )
    out.append(
        ServiceItem(
            key=decision.key,
            reason=decision.reason,
            protocol=action.protocol,
            port=action.port,
            services=action.windows,
            remove_features=features,
        )
    )


def _schannel_item(decision: PlanDecision, action: EnforceTls) -> SchannelItem:
    return SchannelItem(
        key=decision.key,
        reason=decision.reason,
        address=decision.address,
        port=action.port,
        service=decision.service or "tls",
        kind=decision.kind,
    )


def _harden_item(decision: PlanDecision, action: Harden) -> HardenItem:
    return HardenItem(
        key=decision.key,
        reason=decision.reason,
        protocol=action.protocol,
        port=action.port,
        daemon=action.daemon,
        settings=action.settings,
    )


def _refuse_management(host: PlanHost, decision: PlanDecision, action: object) -> None:
    """Defence in depth: the classifier never targets the management port; check anyway."""
    closes = isinstance(action, DisableService | FirewallBlock | FirewallRestrict)
    if closes and (action.protocol, action.port) == (  # type: ignore[attr-defined]
        host.management.protocol,
        host.management.port,
    ):
        raise InputError(
            f"plan: decision {py_literal(decision.key)} would close {host.name}'s management "
            f"port {host.management.port}/{host.management.protocol} "
            f"({host.management.service}); refusing to generate"
        )
