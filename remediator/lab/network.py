"""The lab's network: one namespace per host, a bridge namespace, a controller namespace.

::

    <prefix>-ctl  eth0 ──┐                       (controller: ansible, nmap, ssh run here)
    <prefix>-web  eth0 ──┤ v-<name>  br0 in <prefix>-br
    <prefix>-...  eth0 ──┘

Nothing is connected to the machine's own namespace and no namespace has a default
route: the only reachable addresses are the lab subnet's. Each host namespace has its
own netfilter, which is what the host's firewall (nft, iptables, firewalld, ufw) sees.
IPv6 addresses are added with ``nodad`` so they are usable at once.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from remediator.errors import InputError, RefusedError
from remediator.lab.config import Host, LabConfig
from remediator.lab.proc import run, succeeds

NETNS_DIR: Final = Path("/run/netns")
BRIDGE: Final = "br0"
PRIVATE4: Final = tuple(
    ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)
PRIVATE6: Final = ipaddress.IPv6Network("fc00::/7")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def check_subnets(config: LabConfig) -> None:
    """Refuse subnets that are not private, or that overlap a route of this machine.

    A lab address must never be a real address somewhere else: scans and ssh go only
    to lab addresses, and this keeps "lab address" meaning "inside this machine".
    """
    if not any(config.subnet4.subnet_of(p) for p in PRIVATE4):
        raise InputError(f"lab subnet {config.subnet4} is not a private (RFC 1918) range")
    if not config.subnet6.subnet_of(PRIVATE6):
        raise InputError(f"lab subnet {config.subnet6} is not an IPv6 ULA (fc00::/7) range")
    for route in machine_routes():
        for subnet in (config.subnet4, config.subnet6):
            if route.version == subnet.version and route.overlaps(subnet):
                raise RefusedError(
                    f"lab subnet {subnet} overlaps this machine's route to {route}; "
                    "choose another with --subnet/--subnet6"
                )


def machine_routes() -> Iterator[Network]:
    """Destinations of every route in every table of the machine's own namespace."""
    for family in ("-4", "-6"):
        for entry in json.loads(run(["ip", "-j", family, "route", "show", "table", "all"])):
            dst = str(entry.get("dst", ""))
            if dst in ("", "default") or dst.startswith(("fe80:", "ff00:", "multicast")):
                continue
            try:
                yield ipaddress.ip_network(dst, strict=False)
            except ValueError:
                continue


def create(config: LabConfig) -> None:
    """Namespaces, bridge, veth pairs and addresses for the controller and every host."""
    bridge = config.bridge_ns
    _add_namespace(bridge)
    run(["ip", "-n", bridge, "link", "add", BRIDGE, "type", "bridge"])
    run(["ip", "-n", bridge, "link", "set", BRIDGE, "up"])
    _attach(config, config.controller_ns, "ctl", config.controller4, config.controller6)
    for host in config.hosts:
        _attach(config, config.host_ns(host), host.name, host.address4, host.address6)


def renew_host(config: LabConfig, host: Host) -> None:
    """A new, empty namespace for ``host`` (its netfilter, sysctls and routes included).

    The host's firewall rules live in its namespace, not in its rootfs: a reset that
    only restored the files would keep them. The bridge end of the old veth is deleted
    first, and explicitly: ``ip netns delete`` returns before the kernel has torn down a
    namespace that a just-stopped host still pinned, and until then the old
    ``v-<host>`` would make re-creating it fail with "File exists".
    """
    namespace = config.host_ns(host)
    succeeds(["ip", "-n", config.bridge_ns, "link", "delete", f"v-{host.name}"])
    run(["ip", "netns", "delete", namespace])
    _attach(config, namespace, host.name, host.address4, host.address6)


def _attach(
    config: LabConfig,
    namespace: str,
    short: str,
    address4: ipaddress.IPv4Address,
    address6: ipaddress.IPv6Address,
) -> None:
    """Create ``namespace`` with an eth0 plugged into the lab bridge as ``v-<short>``."""
    bridge = config.bridge_ns
    _add_namespace(namespace)
    port = f"v-{short}"
    run(
        [
            *("ip", "-n", bridge, "link", "add", port, "type", "veth"),
            *("peer", "name", "eth0", "address", mac_address(address4), "netns", namespace),
        ]
    )
    run(["ip", "-n", bridge, "link", "set", port, "master", BRIDGE, "up"])
    prefix4, prefix6 = config.subnet4.prefixlen, config.subnet6.prefixlen
    run(["ip", "-n", namespace, "addr", "add", f"{address4}/{prefix4}", "dev", "eth0"])
    run(["ip", "-n", namespace, "addr", "add", f"{address6}/{prefix6}", "dev", "eth0", "nodad"])
    run(["ip", "-n", namespace, "link", "set", "eth0", "up"])


def destroy(prefix: str) -> None:
    """Delete every namespace of the lab named ``prefix``; their veths and bridge go too."""
    for namespace in namespaces(prefix):
        succeeds(["ip", "netns", "delete", namespace])


def namespaces(prefix: str) -> list[str]:
    """The named network namespaces that belong to the lab ``prefix``."""
    if not NETNS_DIR.is_dir():
        return []
    return sorted(p.name for p in NETNS_DIR.iterdir() if p.name.startswith(f"{prefix}-"))


def mac_address(address4: ipaddress.IPv4Address) -> str:
    """A fixed, locally administered MAC per lab address (02:00 + the IPv4 bytes).

    A host keeps its MAC across resets, so the controller's neighbour cache stays
    right; with a random one every reset would wait out a stale ARP/ND entry.
    """
    return "02:00:" + ":".join(f"{byte:02x}" for byte in address4.packed)


def _add_namespace(namespace: str) -> None:
    run(["ip", "netns", "add", namespace])
    run(["ip", "-n", namespace, "link", "set", "lo", "up"])
