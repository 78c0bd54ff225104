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

    def inventory_host(self, address: str) -> str | None:
        """The inventory host name of a scanned address, None when it matched none."""
        return self.host_names.get(address)


class HostMatcher:
    """Maps each scanned host to its inventory host, remembering what matched nothing."""

    def __init__(self, inventory: Inventory | None) -> None:
        self.inventory = inventory
        self.names: dict[str, str | None] = {}
        self.unmatched: dict[str, None] = {}

    def __call__(self, host: ScannedHost) -> str | None:
        if host.address in self.names:
            return self.names[host.address]
        found = self.inventory.match(host.address, host.hostnames) if self.inventory else None
        name = found.name if found else None
        self.names[host.address] = name
        if self.inventory is not None and name is None and host.state == "up":
            self.unmatched[host.address] = None
        return name


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
    )
