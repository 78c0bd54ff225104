"""What must keep running on a host: the management service and every service the policy keeps.

The management daemon is how Ansible reaches the host; an allowed service is what the
business needs; a service an allowed one needs is kept running too. Their units, sockets
and packages (the catalog's names) are therefore never a ``disable_service`` target, and
their ports are the ones the disable role on the host must never cut, whatever the
catalog got wrong. Both facts are derived here once per host, from the policy alone (not
from the scan), so a scanned banner can never widen or narrow them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from remediator.classify.catalog import Catalog, PortKey, ServiceEntry
from remediator.classify.model import DisableService
from remediator.classify.policy.model import AllowEntry, DenyEntry
from remediator.errors import PolicyError


def _port_text(ports: Iterable[PortKey]) -> str:
    return ", ".join(f"{port}/{proto}" for proto, port in sorted(ports, key=lambda k: (k[1], k[0])))


def provides(service: ServiceEntry | None) -> frozenset[str]:
    """The catalog's names for what provides ``service``: units, sockets, inetd names, packages."""
    if service is None:
        return frozenset()
    return service.linux.runtime | frozenset(service.linux.packages)


@dataclass(frozen=True)
class KeptService:
    """One service that keeps running on a host, its ports there, and why it is kept."""

    name: str
    service: ServiceEntry | None
    ports: tuple[PortKey, ...]
    why: str
    management: bool = False

    @property
    def ids(self) -> frozenset[str]:
        """Units, sockets, inetd names and packages that must not be disabled."""
        return provides(self.service)

    @property
    def windows_ids(self) -> frozenset[str]:
        """The Windows services that must not be stopped, as ``windows:<name>`` (any case)."""
        names = self.service.windows if self.service else ()
        return frozenset(f"windows:{n.lower()}" for n in names)

    @property
    def port_text(self) -> str:
        """``443/tcp`` (or several, comma separated)."""
        return _port_text(self.ports)

    @property
    def loss(self) -> str:
        """What stopping it would break, for notes: ``cut management``, ``stop 443/tcp``."""
        return "cut management" if self.management else f"stop {self.port_text}"


def _denied(entry: AllowEntry, deny: tuple[DenyEntry, ...], catalog: Catalog) -> bool:
    """Deny beats allow: an allow entry a deny entry covers keeps nothing."""
    ports = entry.ref.ports(catalog)
    return any(
        (d.ref.service is not None and d.ref.service == entry.ref.service)
        or bool(d.ref.ports(catalog) & ports)
        for d in deny
    )


def _entry_service(entry: AllowEntry, catalog: Catalog) -> ServiceEntry | None:
    if entry.ref.service is not None:
        return catalog.services.get(entry.ref.service)
    return catalog.by_port(*entry.ref.port) if entry.ref.port else None


def _needed(entry: AllowEntry, service: ServiceEntry | None, catalog: Catalog) -> list[KeptService]:
    """Services an allowed entry needs: on the host (policy ``needs``) or by the catalog."""
    wanted = [
        (name, f"needed by {entry.ref.describe()} ({entry.path}.needs)") for name in entry.needs
    ]
    if service is not None:
        wanted += [(name, f"needed by {service.name} ({entry.path})") for name in service.needs]
    return [
        KeptService(name, catalog.services[name], tuple(sorted(catalog.services[name].ports)), why)
        for name, why in wanted
        if name in catalog.services
    ]


def kept_services(
    management_service: str,
    management_port: PortKey,
    allow: tuple[AllowEntry, ...],
    deny: tuple[DenyEntry, ...],
    catalog: Catalog,
) -> tuple[KeptService, ...]:
    """The management service first, then each allowed (not denied) service and its needs."""
    kept = [
        KeptService(
            management_service,
            catalog.services.get(management_service),
            (management_port,),
            "the management service",
            management=True,
        )
    ]
    for entry in allow:
        if _denied(entry, deny, catalog):
            continue
        service = _entry_service(entry, catalog)
        ports = tuple(sorted(entry.ref.ports(catalog)))
        name = service.name if service else entry.ref.describe()
        kept.append(
            KeptService(
                name, service, ports, f"kept on this host by {entry.path} ({_port_text(ports)})"
            )
        )
        kept += _needed(entry, service, catalog)
    return tuple(kept)


@dataclass(frozen=True, order=True)
class ProtectedPort:
    """A port whose listener the disable role on the host must never stop."""

    protocol: str
    port: int
    service: str | None

    def to_json(self) -> dict[str, object]:
        """The plan form."""
        return {"protocol": self.protocol, "port": self.port, "service": self.service}


def protected_ports(kept: Iterable[KeptService]) -> tuple[ProtectedPort, ...]:
    """One entry per kept port (the first service naming it wins), sorted by port."""
    seen: dict[PortKey, str | None] = {}
    for item in kept:
        for key in item.ports:
            seen.setdefault(key, item.service.name if item.service else None)
    ordered = sorted(seen, key=lambda k: (k[1], k[0]))
    return tuple(ProtectedPort(proto, port, seen[(proto, port)]) for proto, port in ordered)


class KeptServiceError(PolicyError):
    """The plan would disable what a kept port needs: refused at plan time, naming both."""


def refuse_kept_cut(
    kept: Iterable[KeptService], actions: Iterable[object], where: str, *, windows: bool = False
) -> None:
    """Raise :class:`KeptServiceError` if an action would stop anything a kept service uses.

    The rules already block instead of disabling where they can tell (the management
    daemon on a second port, a daemon shared with an allowed service); what is left here
    is a policy that contradicts itself or a catalog where two services share a unit, and
    a person must settle which one wins.
    """
    kept = tuple(kept)
    for action in actions:
        if isinstance(action, DisableService):
            _refuse_one(kept, action, where, windows=windows)


def _refuse_one(
    kept: tuple[KeptService, ...], action: DisableService, where: str, *, windows: bool
) -> None:
    """On a Windows host the Windows service names are what is stopped (any case)."""
    ids = (
        frozenset(f"windows:{n.lower()}" for n in action.windows)
        if windows
        else frozenset(
            (
                *action.units,
                *action.sockets,
                *(f"inetd:{n}" for n in action.inetd),
                *action.packages,
            )
        )
    )
    for item in kept:
        shared = sorted(ids & (item.windows_ids if windows else item.ids))
        if shared:
            what = action.service or "the service"
            raise KeptServiceError(
                f"refusing to plan disable_service for {what} on {where}: {', '.join(shared)} "
                f"also serve {item.name} on {item.port_text}, {item.why}; allow "
                f"{action.port}/{action.protocol} from the sources that need it, or add an "
                f"exception for it"
            )
