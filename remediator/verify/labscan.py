"""The rescan in the lab: nmap from the controller namespace, at the affected hosts and ports.

Built on ``remediator lab scan``'s own machinery (its nmap options, its refusal of any
target that is not a lab host, its controller namespace), narrowed to the addresses and
ports the plan's findings are on, plus each host's management port, which a remediation
never closes and so tells a host that answers from one that is down.
"""

from __future__ import annotations

import ipaddress
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from remediator.errors import ExecutionError
from remediator.lab.config import LabConfig
from remediator.lab.scan import NMAP_OPTIONS, SCAN_TIMEOUT, check_targets
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
    """One nmap run per address family, each checked to target lab hosts only."""
    runs = []
    for version in (4, 6):
        targets = [a for a in scope.addresses if ipaddress.ip_address(a).version == version]
        if not targets:
            continue
        check_targets(config, targets)
        output = folder / f"rescan-v{version}.xml"
        argv = ["nmap", *NMAP_OPTIONS, *(["-6"] if version == 6 else [])]
        argv += ["-p", _port_spec(scope.ports), "-oX", str(output), *targets]
        runs.append((controller_command(argv, config), output))
    return runs


def rescan_lab(config: LabConfig, scope: Scope, folder: Path) -> tuple[Path, ...]:
    """Run the targeted rescan; the XML files it wrote."""
    folder.mkdir(parents=True, exist_ok=True)
    runs = nmap_commands(config, scope, folder)
    processes = [
        subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for argv, _ in runs
    ]
    errors = []
    for process, (_, path) in zip(processes, runs, strict=True):
        try:
            _, stderr = process.communicate(timeout=SCAN_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            errors.append(f"{path}: nmap timed out")
            continue
        if process.returncode != 0:
            errors.append(f"{path}: nmap exit {process.returncode}: {stderr[-800:]}")
    if errors:
        raise ExecutionError("rescan failed:\n" + "\n".join(errors))
    return tuple(path for _, path in runs)


def _port_spec(ports: Iterable[tuple[str, int]]) -> str:
    tcp = sorted(p for proto, p in ports if proto == "tcp")
    udp = sorted(p for proto, p in ports if proto == "udp")
    parts: Sequence[str] = [
        f"{label}:{','.join(map(str, numbers))}"
        for label, numbers in (("T", tcp), ("U", udp))
        if numbers
    ]
    return ",".join(parts)


def _address_order(text: str) -> tuple[int, int]:
    ip = ipaddress.ip_address(text)
    return (ip.version, int(ip))
