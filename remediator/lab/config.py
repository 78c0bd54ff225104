"""What the lab is made of, as data: hosts, roles, package sets, addresses, paths.

Everything else in :mod:`remediator.lab` reads these frozen objects; nothing below
runs a command. A role is a package set plus a provisioning folder
(``remediator/lab/provision/<role>/``); each role becomes one cached overlay layer
on top of the shared base rootfs, which is how hosts get different firewall stacks
(ufw conflicts with iptables-persistent, so no single rootfs can hold them all).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

from remediator.errors import InputError

SUITE: Final = "bookworm"
"""Debian 12: the release the lab hosts run."""

DEFAULT_PREFIX: Final = "rmlab"
DEFAULT_SUBNET4: Final = "10.213.0.0/24"
DEFAULT_SUBNET6: Final = "fd00:213::/64"
DEFAULT_STATE_DIR: Final = Path("/var/lib/remediator/lab")
DEFAULT_CACHE_DIR: Final = Path("/var/cache/remediator/lab")
PROVISION_DIR: Final = Path(__file__).resolve().parent / "provision"

CONTROLLER_OFFSET: Final = 1
"""The controller takes the first address of each subnet; hosts start at FIRST_HOST_OFFSET."""
FIRST_HOST_OFFSET: Final = 10

BASE_PACKAGES: Final = (
    "systemd-sysv",
    "dbus",
    "openssh-server",
    "python3",
    "python3-apt",
    "iproute2",
    "procps",
    "openssl",
    "ca-certificates",
    "netbase",
)
"""In every host: systemd to boot, sshd + python3 (+ python3-apt) for Ansible."""


@dataclass(frozen=True)
class HostRole:
    """A kind of host: its packages, its firewall backend and the ports it exposes."""

    name: str
    packages: tuple[str, ...]
    firewall: str
    tcp_ports: tuple[int, ...]
    udp_ports: tuple[int, ...] = ()
    tls_ports: tuple[int, ...] = ()
    """TLS ports, STARTTLS ones included; the scan runs ssl-enum-ciphers on them."""

    @property
    def provision_dir(self) -> Path:
        return PROVISION_DIR / self.name


ROLES: Final[dict[str, HostRole]] = {
    role.name: role
    for role in (
        HostRole(
            "legacy",
            (
                "openbsd-inetd",
                "inetutils-telnetd",
                "vsftpd",
                "rpcbind",
                "snmpd",
                "mariadb-server",
                "nftables",
            ),
            firewall="nftables",
            tcp_ports=(21, 22, 23, 111, 3306),
            udp_ports=(111, 161),
            tls_ports=(21,),
        ),
        HostRole(
            "web",
            (
                "nginx",
                "apache2",
                "mariadb-server",
                "iptables",
                "iptables-persistent",
            ),
            firewall="iptables",
            tcp_ports=(22, 80, 443, 3306, 8443),
            tls_ports=(443, 8443),
        ),
        HostRole(
            "mail",
            ("postfix", "dovecot-imapd", "dovecot-pop3d", "firewalld"),
            firewall="firewalld",
            tcp_ports=(22, 25, 110, 143, 587, 993, 995),
            tls_ports=(25, 110, 143, 587, 993, 995),
        ),
        HostRole(
            "cache",
            ("redis-server", "memcached", "ufw"),
            firewall="ufw",
            tcp_ports=(7, 22, 6379, 11211),
            udp_ports=(11211,),
        ),
        HostRole(
            "clean",
            ("nginx", "nftables"),
            firewall="nftables",
            tcp_ports=(22, 443),
            tls_ports=(443,),
        ),
    )
}
"""The default lab. Firewall backends: legacy and clean nftables, web iptables
(+ iptables-persistent), mail firewalld (installed, disabled at boot), cache ufw
(installed, inactive). Every host's netfilter starts empty."""

_NAME = re.compile(r"^[a-z][a-z0-9]{0,7}$")


@dataclass(frozen=True)
class Host:
    """One lab host: a role, its addresses, and the names of its namespace and machine."""

    name: str
    role: HostRole
    address4: ipaddress.IPv4Address
    address6: ipaddress.IPv6Address

    @property
    def addresses(self) -> tuple[str, str]:
        return (str(self.address4), str(self.address6))


@dataclass(frozen=True)
class LabConfig:
    """Where the lab lives and how it is addressed; saved with the running lab's state."""

    prefix: str = DEFAULT_PREFIX
    subnet4: ipaddress.IPv4Network = field(
        default_factory=lambda: ipaddress.IPv4Network(DEFAULT_SUBNET4)
    )
    subnet6: ipaddress.IPv6Network = field(
        default_factory=lambda: ipaddress.IPv6Network(DEFAULT_SUBNET6)
    )
    host_names: tuple[str, ...] = tuple(ROLES)
    """Hosts to run, each named after its role (a subset of ROLES)."""
    state_dir: Path = DEFAULT_STATE_DIR
    cache_dir: Path = DEFAULT_CACHE_DIR

    def __post_init__(self) -> None:
        if not _NAME.match(self.prefix) or len(self.prefix) > 6:
            raise InputError(f"lab prefix {self.prefix!r}: use 1-6 lower-case letters/digits")
        unknown = [name for name in self.host_names if name not in ROLES]
        if unknown or not self.host_names:
            raise InputError(
                f"unknown lab hosts {', '.join(unknown) or '(none given)'}; "
                f"known: {', '.join(ROLES)}"
            )
        needed = FIRST_HOST_OFFSET + len(self.host_names)
        if self.subnet4.num_addresses < needed + 1 or self.subnet6.prefixlen > 120:
            raise InputError(f"lab subnets {self.subnet4}, {self.subnet6} are too small")

    @property
    def hosts(self) -> tuple[Host, ...]:
        return tuple(self._host(i, name) for i, name in enumerate(self.host_names))

    def host(self, name: str) -> Host:
        for host in self.hosts:
            if host.name == name:
                return host
        raise InputError(f"no lab host {name!r}; lab hosts: {', '.join(self.host_names)}")

    @property
    def controller4(self) -> ipaddress.IPv4Address:
        return self.subnet4.network_address + CONTROLLER_OFFSET

    @property
    def controller6(self) -> ipaddress.IPv6Address:
        return self.subnet6.network_address + CONTROLLER_OFFSET

    @property
    def controller_ns(self) -> str:
        return f"{self.prefix}-ctl"

    @property
    def bridge_ns(self) -> str:
        return f"{self.prefix}-br"

    def host_ns(self, host: Host) -> str:
        return f"{self.prefix}-{host.name}"

    def lab_addresses(self) -> frozenset[str]:
        """Every host address: the only targets scan and ssh may ever touch."""
        return frozenset(a for host in self.hosts for a in host.addresses)

    def with_hosts(self, names: tuple[str, ...]) -> LabConfig:
        return replace(self, host_names=names)

    def _host(self, index: int, name: str) -> Host:
        offset = FIRST_HOST_OFFSET + index
        # v6 addresses end in the v4 host number's digits (.10 -> ::10) to read alike.
        return Host(
            name,
            ROLES[name],
            self.subnet4.network_address + offset,
            self.subnet6.network_address + int(str(offset), 16),
        )


def parse_subnets(
    subnet4: str, subnet6: str
) -> tuple[ipaddress.IPv4Network, ipaddress.IPv6Network]:
    """The two lab subnets from user text; a wrong family or a host address is bad input."""
    try:
        net4 = ipaddress.ip_network(subnet4, strict=True)
        net6 = ipaddress.ip_network(subnet6, strict=True)
    except ValueError as exc:
        raise InputError(f"bad lab subnet: {exc}") from exc
    if not isinstance(net4, ipaddress.IPv4Network) or not isinstance(net6, ipaddress.IPv6Network):
        raise InputError(f"lab subnets must be one IPv4 and one IPv6 network: {subnet4}, {subnet6}")
    return net4, net6
