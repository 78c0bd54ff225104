"""What a TLS fix and a firewall fix look like from outside, as probes to run.

A TLS probe is an ``openssl s_client`` handshake run on the host against the address the
scan used: versions the scan found must now be refused, a suite outside the profile must
be refused, and the profile's lowest version must still work. A reachability check is a
TCP connect from the controller (where testinfra runs) to a blocked or restricted port,
or for UDP a request the port's service must answer (see :data:`UDP_REQUESTS`).
Only IP addresses are ever probed; a name from the scan is never used as a target.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Final, Protocol

from remediator.common.tls import tls_judgement
from remediator.generate.items import FirewallItem, TlsItem, is_ip
from remediator.generate.jobs import HostJob

OPENSSL_FLAGS: Final = tls_judgement().openssl_flags()
"""Protocol versions an OpenSSL 3 client can still offer (SSLv2/v3 it cannot), oldest
first, with the s_client switch for each (``openssl_flag`` in ``remediator/common/tls.yml``)."""

STARTTLS: Final = {
    "ftp": "ftp",
    "smtp": "smtp",
    "submission": "smtp",
    "pop3": "pop3",
    "imap": "imap",
    "ldap": "ldap",
}
"""Catalog services that upgrade a cleartext connection, and s_client's -starttls name."""

STARTTLS_PORTS: Final = {21: "ftp", 25: "smtp", 587: "smtp", 110: "pop3", 143: "imap", 389: "ldap"}
"""For a service the catalog did not identify: the protocol of its well-known port."""


class Firewalled(Protocol):
    """A host job with firewall items (Linux :class:`HostJob` or a Windows one)."""

    @property
    def firewall(self) -> tuple[FirewallItem, ...]:
        """The host's firewall items."""
        ...


LEGACY_CIPHERS: Final = tls_judgement().openssl_legacy_ciphers
"""OpenSSL 3 offers TLS 1.0/1.1 only at security level 0: without this a refusal test
would pass whatever the server does (``openssl_legacy_ciphers`` in the TLS data)."""


@dataclass(frozen=True)
class TlsProbe:
    """Handshakes that show the TLS profile in effect on one port."""

    connect: str
    port: int
    starttls: str | None
    found: tuple[str, ...]
    refuse: tuple[str, ...]
    weak_ciphers: str | None
    accept: str
    keys: tuple[str, ...]


UDP_REQUESTS: Final = {53: "dns", 111: "rpcbind", 123: "ntp", 161: "snmp", 11211: "memcached"}
"""UDP ports whose service answers a request the suites know (tests/remediator_checks.py).

UDP has no handshake: a filtered port and an open one that ignores what it is sent look
the same from outside, both silent. A test that the firewall closed a UDP port can fail
before the change only if the service answers something, so one is generated only for
these well-known ports; the suite lists the others it cannot assert, and why."""

UDP_SILENT: Final = (
    "no request is known that this port's service must answer: a filtered UDP port and an "
    "open one that ignores the request both stay silent, so no test could fail before the "
    "change; check it with the service's own client"
)


@dataclass(frozen=True)
class Reach:
    """A blocked or restricted port, probed from the controller.

    TCP: a connect. UDP: ``request`` names the request its service answers.
    """

    address: str
    port: int
    action: str
    sources: tuple[str, ...]
    keys: tuple[str, ...]
    protocol: str = "tcp"
    request: str = ""


def connect_target(address: str, port: int) -> str:
    """``host:port`` for s_client on the host: the scanned IP, else the loopback."""
    if not is_ip(address):
        return f"127.0.0.1:{port}"
    if ipaddress.ip_address(address).version == 6:
        return f"[{address}]:{port}"
    return f"{address}:{port}"


def tls_probes(job: HostJob) -> tuple[TlsProbe, ...]:
    """One probe per TLS port of the job (items on the same address and port merge)."""
    grouped: dict[tuple[str, int], list[TlsItem]] = {}
    for item in job.tls:
        grouped.setdefault((item.address, item.port), []).append(item)
    return tuple(_probe(job, items) for _, items in sorted(grouped.items()))


def _probe(job: HostJob, items: list[TlsItem]) -> TlsProbe:
    first = items[0]
    allowed = [v for v in job.tls_protocols if v in OPENSSL_FLAGS]
    below = [v for v in OPENSSL_FLAGS if v not in job.tls_protocols]
    found = sorted({i.kind.split(":", 1)[1] for i in items if i.kind.startswith("tls-protocol:")})
    weak = any(i.kind == "weak-cipher" for i in items) and "TLSv1.2" in job.tls_protocols
    return TlsProbe(
        connect=connect_target(first.address, first.port),
        port=first.port,
        starttls=_starttls(first),
        found=tuple(OPENSSL_FLAGS[v] for v in found if v in OPENSSL_FLAGS and v in below),
        refuse=tuple(OPENSSL_FLAGS[v] for v in below),
        weak_ciphers=_outside_profile(job.tls_ciphers) if weak else None,
        accept=OPENSSL_FLAGS[allowed[0]] if allowed else "tls1_3",
        keys=tuple(i.key for i in items),
    )


def _starttls(item: TlsItem) -> str | None:
    if item.service is not None:
        return STARTTLS.get(item.service)
    return STARTTLS_PORTS.get(item.port)


def _outside_profile(ciphers: str) -> str:
    """A TLS 1.2 cipher list of every suite the profile does not name."""
    names = [c for c in ciphers.split(":") if c]
    return ":".join(["ALL", "COMPLEMENTOFALL", *(f"!{c}" for c in names), "@SECLEVEL=0"])


def reach_checks(job: Firewalled) -> tuple[Reach, ...]:
    """Blocked and restricted ports on scanned IP addresses that a probe can show, per port.

    TCP ports, then the UDP ports of :data:`UDP_REQUESTS` (the others: :func:`unprobed`).
    """
    grouped: dict[tuple[str, str, int, str, tuple[str, ...]], list[FirewallItem]] = {}
    for item in job.firewall:
        if _probeable(item):
            where = (item.protocol, item.address, item.port, item.action, item.sources)
            grouped.setdefault(where, []).append(item)
    return tuple(
        Reach(
            address,
            port,
            action,
            sources,
            tuple(i.key for i in items),
            protocol,
            UDP_REQUESTS[port] if protocol == "udp" else "",
        )
        for (protocol, address, port, action, sources), items in sorted(grouped.items())
    )


def unprobed(job: Firewalled) -> tuple[FirewallItem, ...]:
    """Firewall items no reachability check stands for (the suite says why, per item)."""
    return tuple(i for i in job.firewall if not _probeable(i))


def unprobed_reason(item: FirewallItem) -> str:
    """Why no generated test asserts this firewall item."""
    if not is_ip(item.address):
        return "the scan reached it by a name, and only IP addresses are probed"
    return UDP_SILENT


def _probeable(item: FirewallItem) -> bool:
    if not is_ip(item.address):
        return False
    return item.protocol == "tcp" or (item.protocol == "udp" and item.port in UDP_REQUESTS)
