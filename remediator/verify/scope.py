"""What a targeted rescan looks at: the addresses and ports of a run's original findings.

Plus each host's management port, which a remediation never closes and so tells a host
that answers from one that is down.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from remediator.verify.model import Original

MANAGEMENT: Final = ("tcp", 22)


@dataclass(frozen=True)
class Scope:
    """What a targeted rescan looks at."""

    addresses: tuple[str, ...]
    ports: frozenset[tuple[str, int]]
    kinds: frozenset[str] = frozenset()
    """The original findings' kinds: a scanner must look for each again (a weakness its
    rescan did not look for is not gone just because the rescan is silent about it)."""


def scope_of(originals: Iterable[Original], management: tuple[str, int] = MANAGEMENT) -> Scope:
    """Every address and port of the original findings, plus the management port."""
    items = list(originals)
    addresses = sorted({o.address for o in items}, key=_address_order)
    ports = {(o.protocol, o.port) for o in items if o.port > 0} | {management}
    return Scope(tuple(addresses), frozenset(ports), frozenset(o.kind for o in items))


def port_ranges(ports: Iterable[int]) -> str:
    """``7,21-23,25``: ports in nmap's ``-p`` syntax, three or more in a row as a range.

    A scan of every TCP port (``remediator watch``) is then ``1-65535``: written one by one
    it would be a 380 kB argument, more than Linux takes for one (128 kB), and the scanner
    would never start.
    """
    ordered = sorted(set(ports))
    runs: list[list[int]] = []
    for port in ordered:
        if runs and port == runs[-1][-1] + 1:
            runs[-1].append(port)
        else:
            runs.append([port])
    words = []
    for run in runs:
        words += [f"{run[0]}-{run[-1]}"] if len(run) >= 3 else [str(p) for p in run]
    return ",".join(words)


def _address_order(text: str) -> tuple[int, int]:
    ip = ipaddress.ip_address(text)
    return (ip.version, int(ip))
