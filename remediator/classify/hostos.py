"""Which OS a host runs, as far as remediator acts on it: the inventory's word, not the scan's.

Below :mod:`remediator.classify.hosts` and :mod:`remediator.classify.policy.host`: the
OS decides both which tasks a host may get and how Ansible reaches it (WinRM or SSH),
so the management port that no rule may cut.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from remediator.ingest.inventory import InventoryHost
from remediator.ingest.model import ScannedHost

WINDOWS_CONNECTIONS: Final = frozenset({"winrm", "psrp"})
LINUX: Final = "linux"
WINDOWS: Final = "windows"
UNKNOWN: Final = "unknown"
"""The scan reports Windows and the inventory does not say: a person decides."""


@dataclass(frozen=True)
class HostOs:
    """What remediator takes a host to run, and why (``reason`` is None for plain Linux)."""

    name: str
    reason: str | None = None


def host_os(host: InventoryHost | None, scanned: ScannedHost | None) -> HostOs:
    """The inventory decides whether a host is Windows; the scan can only make it doubtful.

    Windows: ``ansible_connection`` winrm or psrp, ``ansible_os_family: Windows`` or
    ``remediator_os: windows``; an explicit ``remediator_os`` settles it either way. A
    scan's OS guess is hostile text: it never makes a host Windows (and so never picks
    the roles run on it), but a host it calls Windows that the inventory does not is
    :data:`UNKNOWN`: manual tasks, never Linux roles, until the inventory says which.
    """
    if host is not None:
        declared = (host.var("remediator_os") or "").strip().lower()
        if declared:
            return (
                HostOs(WINDOWS, "inventory remediator_os=windows")
                if declared == WINDOWS
                else HostOs(LINUX)
            )
        if (host.var("ansible_os_family") or "").lower() == WINDOWS:
            return HostOs(WINDOWS, "inventory ansible_os_family=Windows")
        connection = (host.var("ansible_connection") or "").lower()
        if connection in WINDOWS_CONNECTIONS:
            return HostOs(WINDOWS, f"inventory ansible_connection={connection}")
    if scanned is not None and WINDOWS in scanned.os.lower():
        return HostOs(
            UNKNOWN,
            f"the scan reports OS {scanned.os[:80]!r}, the inventory does not say Windows "
            "(ansible_connection winrm/psrp or remediator_os)",
        )
    return HostOs(LINUX)


WINRM_HTTP: Final = 5985
WINRM_HTTPS: Final = 5986


def winrm_port(host: InventoryHost) -> int | None:
    """The WinRM port Ansible reaches ``host`` on, or None when it does not use WinRM.

    As Ansible's connection plugins default it: ``ansible_port``, else 5985 when the
    inventory asks for plain HTTP (``ansible_winrm_scheme: http`` for winrm,
    ``ansible_psrp_protocol: http`` for psrp), else 5986.
    """
    connection = (host.var("ansible_connection") or "").lower()
    if connection not in WINDOWS_CONNECTIONS:
        return None
    if host.port is not None:
        return host.port
    scheme_var = "ansible_psrp_protocol" if connection == "psrp" else "ansible_winrm_scheme"
    return WINRM_HTTP if (host.var(scheme_var) or "").lower() == "http" else WINRM_HTTPS
