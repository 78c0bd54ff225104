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


def scope_of(originals: Iterable[Original], management: tuple[str, int] = MANAGEMENT) -> Scope:
    """Every address and port of the original findings, plus the management port."""
    items = list(originals)
    addresses = sorted({o.address for o in items}, key=_address_order)
    ports = {(o.protocol, o.port) for o in items if o.port > 0} | {management}
    return Scope(tuple(addresses), frozenset(ports))


def _address_order(text: str) -> tuple[int, int]:
    ip = ipaddress.ip_address(text)
    return (ip.version, int(ip))
