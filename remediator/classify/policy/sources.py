"""Traffic sources: ``any``, named networks and CIDRs, resolved and compared.

A policy names who may reach a service (``[internal]``, ``[admins, 198.51.100.7]``,
``[any]``). Decisions need the resolved networks (a firewall rule is made of them) and
set logic on them ("do the allowed sources still include every admin network?"), so the
words the user wrote and the networks they mean travel together.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ANY = "any"


def parse_network(text: str) -> IPNetwork:
    """A CIDR or single address as a network; ValueError names what is wrong."""
    try:
        return ipaddress.ip_network(text.strip(), strict=True)
    except ValueError as exc:
        if "host bits set" in str(exc):
            raise ValueError(
                f"{text!r} has host bits set (did you mean "
                f"{ipaddress.ip_network(text.strip(), strict=False)}?)"
            ) from exc
        raise ValueError(f"{text!r} is not a network (CIDR) or an address") from exc


def overlaps(networks: Iterable[tuple[str, IPNetwork]]) -> list[tuple[str, str]]:
    """Pairs of written entries whose networks overlap (a typo or a redundant entry)."""
    seen: list[tuple[str, IPNetwork]] = []
    found: list[tuple[str, str]] = []
    for text, network in networks:
        for other_text, other in seen:
            if network.version == other.version and network.overlaps(other):
                found.append((other_text, text))
        seen.append((text, network))
    return found


def _covered(network: IPNetwork, by: Iterable[IPNetwork]) -> bool:
    return any(
        network.version == outer.version and network.subnet_of(outer)  # type: ignore[arg-type]
        for outer in by
    )


@dataclass(frozen=True)
class Sources:
    """Who may connect: everyone, or the union of some networks."""

    any: bool = False
    names: tuple[str, ...] = ()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def everyone(cls) -> Sources:
        """Sources that include every address."""
        return cls(any=True, names=(ANY,))

    def covers(self, other: Sources) -> bool:
        """Whether every address in ``other`` is also in these sources."""
        if self.any:
            return True
        if other.any:
            return False
        return all(_covered(n, self.networks) for n in other.networks)

    def union(self, other: Sources) -> Sources:
        """Addresses in either."""
        if self.any or other.any:
            return Sources.everyone()
        names = tuple(dict.fromkeys((*self.names, *other.names)))
        return Sources(False, names, _collapse((*self.networks, *other.networks)))

    def cidrs(self) -> list[str]:
        """The networks as sorted CIDR text (``['any']`` for everyone)."""
        return [ANY] if self.any else [str(n) for n in self.networks]

    def to_json(self) -> dict[str, Any]:
        """The plan form: the words written and the CIDRs they mean."""
        return {"any": self.any, "names": list(self.names), "cidrs": self.cidrs()}

    def describe(self) -> str:
        """Short text for reasons: ``any`` or ``admins, internal``."""
        return ", ".join(self.names) if self.names else ", ".join(self.cidrs())


def _collapse(networks: Iterable[IPNetwork]) -> tuple[IPNetwork, ...]:
    networks = list(networks)
    v4 = [n for n in networks if isinstance(n, ipaddress.IPv4Network)]
    v6 = [n for n in networks if isinstance(n, ipaddress.IPv6Network)]
    return (*ipaddress.collapse_addresses(v4), *ipaddress.collapse_addresses(v6))


def make_sources(names: Iterable[str], networks: Iterable[IPNetwork]) -> Sources:
    """Sources from already-resolved parts (``any`` in ``names`` means everyone)."""
    written = tuple(names)
    if ANY in written:
        return Sources.everyone()
    return Sources(False, written, _collapse(networks))
