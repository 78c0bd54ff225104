"""Scanned addresses to inventory hosts, their merged policy, and whether they are Windows."""

from __future__ import annotations

from remediator.classify.catalog import Catalog
from remediator.classify.hostos import HostOs, host_os
from remediator.classify.policy.host import HostPolicy, host_policy
from remediator.classify.policy.model import Policy
from remediator.ingest.findingset import FindingSet
from remediator.ingest.inventory import Inventory, InventoryHost
from remediator.ingest.model import ScannedHost


def _os_first(host: ScannedHost) -> tuple[bool, str, str]:
    """Scans that name a Windows OS first, then by text: the pick never depends on order."""
    return ("windows" not in host.os.lower(), host.os, host.address)


class HostResolver:
    """Answers per scanned address: which inventory host, its policy, Windows or not."""

    def __init__(
        self, policy: Policy, inventory: Inventory, catalog: Catalog, findings: FindingSet
    ) -> None:
        self.policy = policy
        self.inventory = inventory
        self.catalog = catalog
        self.findings = findings
        self.scanned: dict[str, ScannedHost] = {}
        for scanned in sorted(findings.hosts, key=_os_first):
            self.scanned.setdefault(scanned.address, scanned)
        self._names: dict[str, str | None] = {}
        self._policies: dict[str, HostPolicy] = {}

    def name_of(self, address: str) -> str | None:
        """The inventory host name of a scanned address."""
        if address not in self._names:
            name = self.findings.inventory_host(address)
            if name is None:
                found = self.inventory.match(address)
                name = found.name if found else None
            self._names[address] = name
        return self._names[address]

    def inventory_host(self, address: str) -> InventoryHost | None:
        """The inventory host of a scanned address."""
        name = self.name_of(address)
        return self.inventory.host(name) if name is not None else None

    def policy_for(self, address: str) -> HostPolicy | None:
        """The merged policy of the host behind ``address`` (None when unmanaged)."""
        host = self.inventory_host(address)
        return self.policy_for_host(host) if host is not None else None

    def os_of(self, address: str) -> HostOs:
        """What the host behind ``address`` runs, as the inventory (and a doubting scan) say."""
        return self.os_of_host(self.inventory_host(address), address)

    def os_of_host(self, host: InventoryHost | None, seen_at: str | None = None) -> HostOs:
        """What ``host`` runs, judged on the scan records of its addresses and of the
        address it was seen at (a record that names Windows first: it may only doubt)."""
        addresses = (*((seen_at,) if seen_at else ()), *(host.addresses if host else ()))
        candidates = [self.scanned[a] for a in addresses if a in self.scanned]
        return host_os(host, min(candidates, key=_os_first) if candidates else None)

    def all_policies(self) -> dict[str, HostPolicy]:
        """Every inventory host's policy, by name (also hosts the scan did not see)."""
        return {h.name: self.policy_for_host(h) for h in self.inventory.hosts}

    def policy_for_host(self, host: InventoryHost) -> HostPolicy:
        """The merged policy of an inventory host."""
        if host.name not in self._policies:
            self._policies[host.name] = host_policy(self.policy, self.catalog, host)
        return self._policies[host.name]
