"""Read scans (or findings JSON) into one frozen FindingSet mapped to inventory hosts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from remediator.ingest.inventory import Inventory
from remediator.ingest.model import Finding, HostReport, ScannedHost
from remediator.ingest.reader import read_scan


@dataclass(frozen=True)
class FindingSet:
    """Every finding of one or more scans, each address mapped to its inventory host."""

    findings: tuple[Finding, ...]
    hosts: tuple[ScannedHost, ...]
    unmatched: tuple[str, ...] = ()
    host_names: Mapping[str, str | None] = field(default_factory=lambda: MappingProxyType({}))
    hints: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    """The names the scans reported for each unmatched address: shown, never matched."""

    def inventory_host(self, address: str) -> str | None:
        """The inventory host name of a scanned address, None when it matched none."""
        return self.host_names.get(address)


class HostMatcher:
    """Maps each scanned host to its inventory host by address, remembering what matched
    nothing and the names the scan gave it (hints for the admin, never a match)."""

    def __init__(self, inventory: Inventory | None) -> None:
        self.inventory = inventory
        self.names: dict[str, str | None] = {}
        self.unmatched: dict[str, None] = {}
        self.hints: dict[str, dict[str, None]] = {}

    def __call__(self, host: ScannedHost) -> str | None:
        if host.address not in self.names:
            found = self.inventory.match(host.address) if self.inventory else None
            self.names[host.address] = found.name if found else None
        name = self.names[host.address]
        if self.inventory is not None and name is None and host.state == "up":
            self.unmatched[host.address] = None
            self.hints.setdefault(host.address, {}).update(dict.fromkeys(host.hostnames))
        return name

    def hint(self, address: str) -> tuple[str, ...]:
        """The names the scans reported for ``address``, in the order first seen."""
        return tuple(self.hints.get(address, ()))


def iter_reports(paths: Iterable[Path], family: str = "auto") -> Iterator[HostReport]:
    """Stream the host reports of several scan files in order."""
    for path in paths:
        yield from read_scan(path, family)


def load_findings(
    paths: Sequence[Path], family: str = "auto", inventory: Inventory | None = None
) -> FindingSet:
    """Read scans of any format, mapped to ``inventory`` when one is given.

    A findings document written by ``remediator ingest -o`` is itself a readable
    format (plain JSON), so later stages accept it in place of the scan.
    """
    matcher = HostMatcher(inventory)
    findings: list[Finding] = []
    hosts: dict[str, ScannedHost] = {}
    for report in iter_reports(paths, family):
        matcher(report.host)
        hosts.setdefault(report.host.address, report.host)
        findings.extend(report.findings)
    return FindingSet(
        findings=tuple(findings),
        hosts=tuple(hosts.values()),
        unmatched=tuple(matcher.unmatched),
        host_names=MappingProxyType(dict(matcher.names)),
        hints=MappingProxyType({a: matcher.hint(a) for a in matcher.unmatched}),
    )
