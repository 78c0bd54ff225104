"""TLS on Windows is SCHANNEL's: one system-wide set of protocols and cipher suites.

A weak protocol or cipher on IIS is fixed where every Windows TLS server takes its
settings from, so the fix also reaches RDP, WinRM over HTTPS and SQL Server. The plan
says so: a TLS decision on a Windows host lists, for every TLS service the scan shows on
that host, the clients that could break (sorted by port, so the same scan gives the same
words).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from remediator.classify.catalog import ServiceEntry
from remediator.classify.context import FindingContext
from remediator.classify.hostos import WINRM_HTTPS
from remediator.classify.model import EnforceTls

SCHANNEL: Final = "schannel"


@dataclass(frozen=True)
class HostPort:
    """One port the scans show on a host, and the catalog service identified on it."""

    protocol: str
    port: int
    service: ServiceEntry | None
    tunnel: bool = False


def schannel_tls(ctx: FindingContext) -> EnforceTls | None:
    """enforce_tls through SCHANNEL with the host's TLS profile (None without a host)."""
    host = ctx.host
    if host is None:
        return None
    profile = ctx.catalog.profiles[host.tls.profile]
    rank = ctx.catalog.protocol_rank
    return EnforceTls(
        protocol=ctx.finding.protocol,
        port=ctx.finding.port,
        daemon=SCHANNEL,
        candidates=(SCHANNEL,),
        profile=profile.name,
        min_version=host.tls.min_version,
        protocols=tuple(p for p in profile.protocols if rank(p) >= rank(host.tls.min_version)),
        ciphers=profile.ciphers,
    )


def _who_breaks(item: HostPort, minimum: str) -> str | None:
    """The clients of one TLS service that SCHANNEL at ``minimum`` locks out, or None."""
    service = item.service
    name = service.name if service is not None else ""
    where = f"{item.port}/{item.protocol}"
    if name == "rdp" and item.protocol == "tcp":
        return (
            f"RDP {where}: clients without {minimum} (Windows 7 and Server 2008 R2 without "
            "KB3080079, old thin clients)"
        )
    if name == "winrm" and (item.port == WINRM_HTTPS or item.tunnel):
        return (
            f"WinRM over HTTPS {where}: management clients without {minimum} (Windows "
            "PowerShell on .NET without strong-crypto defaults, old pywinrm/requests builds), "
            "Ansible's own connection when it is the management port"
        )
    if name == "mssql":
        return (
            f"MSSQL {where}: clients and drivers without {minimum} (SQL Server Native Client, "
            "ODBC and JDBC drivers before their TLS 1.2 updates); SQL Server 2014 and older "
            "need their TLS 1.2 update first"
        )
    if service is not None and (service.tls or item.tunnel):
        return (
            f"{service.title} {where} (IIS or another SCHANNEL server): browsers and clients "
            f"without {minimum} (Internet Explorer 10 and older, Android 4.3 and older, Java 7)"
        )
    return None


def schannel_impacts(ports: Iterable[HostPort], minimum: str) -> tuple[str, ...]:
    """Every TLS service of the host SCHANNEL's settings reach, with who could break."""
    ordered = sorted(ports, key=lambda p: (p.port, p.protocol))
    lines = (_who_breaks(p, minimum) for p in ordered)
    return tuple(dict.fromkeys(line for line in lines if line is not None))


def schannel_reason(ports: Iterable[HostPort]) -> str:
    """The sentence a TLS decision on a Windows host adds to its reason."""
    users = [
        f"{p.port}/{p.protocol}"
        for p in sorted(ports, key=lambda p: (p.port, p.protocol))
        if _who_breaks(p, "TLS") is not None
    ]
    reach = f" (on this host: {', '.join(users)})" if users else ""
    return (
        "TLS protocols and cipher suites are SCHANNEL's, system-wide: the profile "
        f"is set once for every TLS service{reach}, and takes effect after a reboot."
    )
