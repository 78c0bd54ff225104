"""Which Windows service a removal may stop, and which ones only the firewall may close.

A rule's :class:`~remediator.classify.model.DisableService` names the catalog's Windows
services (``windows:`` in catalog.yml). Some of them are never stopped for a port finding,
because the host or the business needs them for more than that port: the RPC services
Windows itself runs on, the Server service behind file sharing and admin shares, NetBIOS
bound to the adapter, WinRM (one service for 5985 and 5986, and Ansible's way in), and
SQL Server itself. Those ports are blocked at the Windows Firewall instead. A service
without Windows names (a Linux-only daemon) is blocked too, and the reason says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from remediator.classify.catalog import Catalog, ServiceEntry
from remediator.classify.context import FindingContext
from remediator.classify.hostos import WINRM_HTTP, WINRM_HTTPS
from remediator.classify.model import Action, DisableService, FirewallBlock

WINRM: Final = "winrm"
BLOCK_ONLY: Final = MappingProxyType(
    {
        "msrpc": (
            "RpcSs and RpcEptMapper are never disabled: Windows itself runs on them (DCOM, "
            "WMI, the service manager), so only the Windows Firewall closes {port}"
        ),
        "smb": (
            "LanmanServer is never disabled: it serves file shares, the admin shares and "
            "named pipes, so only the Windows Firewall closes {port}"
        ),
        "netbios-ns": (
            "NetBIOS over TCP/IP is bound to the network adapter, not a service to stop, so "
            "only the Windows Firewall closes {port}"
        ),
        "netbios-dgm": (
            "NetBIOS over TCP/IP is bound to the network adapter, not a service to stop, so "
            "only the Windows Firewall closes {port}"
        ),
        "netbios-ssn": (
            "LanmanServer (SMB over NetBIOS) is never disabled: it serves file shares and the "
            "admin shares, so only the Windows Firewall closes {port}"
        ),
        WINRM: (
            "the WinRM service is never disabled: one service listens on 5985 and 5986 and "
            "Ansible manages the host through it, so only the Windows Firewall closes {port}"
        ),
        "mssql": (
            "MSSQLSERVER is never stopped for a firewall finding: it is the database the "
            "applications use, so only the Windows Firewall closes {port}"
        ),
    }
)
"""Services whose port is blocked, never disabled, on Windows, and why (``{port}``: 445/tcp)."""

AFTER_DISABLE: Final = MappingProxyType(
    {
        "mssql-browser": (
            " (a default instance on 1433 does not need it; clients of a named instance then "
            "give its port in their connection string)"
        ),
    }
)


def windows_identity(
    catalog: Catalog, protocol: str, port: int, service: ServiceEntry | None
) -> ServiceEntry | None:
    """The service on a Windows host's port, where Windows tells what a scanner cannot.

    HTTP.sys serves WinRM on 5985 and 5986, and scanners that give no product (Nessus
    reports ``www``) name it a web server: on a Windows host a web service on a WinRM
    port is WinRM, so a block of it never stops IIS (W3SVC).
    """
    winrm = catalog.services.get(WINRM)
    on_winrm_port = port in (WINRM_HTTP, WINRM_HTTPS) and protocol == "tcp"
    if winrm is not None and on_winrm_port and service is not None and service.category == "web":
        return winrm
    return service


@dataclass(frozen=True)
class WindowsRemoval:
    """A removal as Windows does it: its actions, and what happened, for the reason."""

    actions: tuple[Action, ...]
    how: tuple[str, ...]


def _shared(ctx: FindingContext, names: tuple[str, ...]) -> tuple[str, ...]:
    """Other allowed services on the host that the same Windows services provide."""
    host, own = ctx.host, ctx.service.name if ctx.service else ""
    if host is None:
        return ()
    return tuple(
        sorted(
            s.name
            for s in ctx.catalog.services.values()
            if s.name != own
            and set(s.windows) & set(names)
            and host.allowed_service(s.name, ctx.catalog)
        )
    )


def _one(ctx: FindingContext, action: DisableService) -> tuple[Action, str]:
    """One DisableService on Windows: a disable of its Windows services, or a block."""
    block = FirewallBlock(action.protocol, action.port)
    where = f"{action.port}/{action.protocol}"
    name = action.service or ""
    if name in BLOCK_ONLY:
        return block, BLOCK_ONLY[name].format(port=where)
    names = action.windows
    if not names:
        return block, (
            f"no Windows service is known to provide {name or 'it'}, so only the Windows "
            f"Firewall closes {where}"
        )
    shared = _shared(ctx, names)
    if shared:
        return block, (
            f"{', '.join(names)} also serves the allowed {', '.join(shared)}, so it keeps "
            f"running and only the Windows Firewall closes {where}"
        )
    disable = DisableService(action.protocol, action.port, action.service, windows=names)
    return disable, (
        f"{', '.join(names)} is stopped and disabled{AFTER_DISABLE.get(name, '')} and "
        f"{where} blocked at the Windows Firewall"
    )


def unique(actions: Iterable[Action]) -> tuple[Action, ...]:
    """The actions without repeats, first occurrence first."""
    kept: list[Action] = []
    for action in actions:
        if action not in kept:
            kept.append(action)
    return tuple(kept)


def windows_removal(ctx: FindingContext, actions: Iterable[Action]) -> WindowsRemoval:
    """Each DisableService of a rule's outcome as Windows does it; other actions stay."""
    out: list[Action] = []
    how: list[str] = []
    for action in actions:
        if isinstance(action, DisableService):
            done, sentence = _one(ctx, action)
            out.append(done)
            how.append(sentence)
        else:
            out.append(action)
    return WindowsRemoval(unique(out), tuple(dict.fromkeys(how)))
