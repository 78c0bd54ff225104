"""The rescan in the lab: nmap from the controller namespace, at the affected hosts and ports.

Built on ``remediator lab scan``'s own machinery (its nmap options, its refusal of any
target that is not a lab host, its controller namespace), narrowed to the addresses and
ports the plan's findings are on, plus each host's management port, which a remediation
never closes and so tells a host that answers from one that is down.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from remediator.lab.config import LabConfig
from remediator.lab.scan import NMAP_OPTIONS, check_targets, run_scanners
from remediator.lab.ssh import controller_command
from remediator.verify.model import Original

MANAGEMENT: Final = ("tcp", 22)


@dataclass(frozen=True)
class Scope:
    """What a targeted rescan looks at."""

    addresses: tuple[str, ...]
    ports: frozenset[tuple[str, int]]


def scope_of(originals: Iterable[Original], management: tuple[str, int] = MANAGEMENT) -> Scope:
    """Every address and port of the original findings, plus the management port."""
    items = list(originals)
    addresses = sorted({o.address for o in items}, key=_address_order)
    ports = {(o.protocol, o.port) for o in items if o.port > 0} | {management}
    return Scope(tuple(addresses), frozenset(ports))


def nmap_commands(config: LabConfig, scope: Scope, folder: Path) -> list[tuple[list[str], Path]]:
    """One nmap run per address family and protocol, each checked to target lab hosts only.

    TCP runs with ``lab scan``'s own options. UDP runs apart, with ``--version-light``:
    after a fix, a dropped UDP port is ``open|filtered`` and full version detection
    would send it every UDP probe nmap has, one wait after another (about 110 s for
    three such ports, against 20 s light); the light probes still include those
    registered for the port, which is what made it answer in the first scan.
    """
    runs = []
    for version in (4, 6):
        targets = [a for a in scope.addresses if ipaddress.ip_address(a).version == version]
        if not targets:
            continue
        check_targets(config, targets)
        for protocol, label in (("tcp", "T"), ("udp", "U")):
            ports = sorted(p for proto, p in scope.ports if proto == protocol)
            if not ports:
                continue
            output = folder / f"rescan-v{version}-{protocol}.xml"
            argv = ["nmap", *_options(protocol), *(["-6"] if version == 6 else [])]
            argv += ["-p", f"{label}:{','.join(map(str, ports))}", "-oX", str(output), *targets]
            runs.append((controller_command(argv, config), output))
    return runs


def _options(protocol: str) -> list[str]:
    """``lab scan``'s nmap options for one protocol's run."""
    if protocol == "tcp":
        return [o for o in NMAP_OPTIONS if o != "-sU"]
    return [*(o for o in NMAP_OPTIONS if o != "-sS"), "--version-light"]


def rescan_lab(config: LabConfig, scope: Scope, folder: Path) -> tuple[Path, ...]:
    """Run the targeted rescan; the XML files it wrote."""
    folder.mkdir(parents=True, exist_ok=True)
    runs = nmap_commands(config, scope, folder)
    run_scanners(runs, "rescan")
    return tuple(path for _, path in runs)


def _address_order(text: str) -> tuple[int, int]:
    ip = ipaddress.ip_address(text)
    return (ip.version, int(ip))
