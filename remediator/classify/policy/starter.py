"""``policy init``: a starter policy listing every observed service as a commented proposal.

Nothing is allowed until a person uncomments it and writes why (justification) and who
answers for it (owner): the starter proposes, it never decides. Each observed port is
proposed under the most specific inventory group of the host it was seen on (the group
with the fewest hosts), since that is usually the role (``web``) rather than ``linux``.
Scan text (products, names) lands only in comments and goes through the terminal-safe
helper first (every control, bidi and zero-width character escaped), so a banner cannot
inject YAML.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from remediator.classify.catalog import Catalog
from remediator.classify.identify import best_service, identify_service
from remediator.common.text import shown
from remediator.ingest.findingset import FindingSet
from remediator.ingest.inventory import Inventory, InventoryHost
from remediator.ingest.model import Finding

ADMIN_PLACEHOLDER = "REPLACE-WITH-ADMIN-CIDR"
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class Observed:
    """One port seen open on one host, with what the catalog makes of it."""

    host: str
    address: str
    protocol: str
    port: int
    service: str | None
    seen_as: str


def _key(name: str) -> str:
    return name if _PLAIN_KEY.match(name) else json.dumps(name)


def _comment(text: str) -> str:
    return shown(text)


def home_group(host: InventoryHost, inventory: Inventory) -> str:
    """The most specific group of ``host``: fewest hosts, then name; ``all`` if none."""
    if not host.groups:
        return "all"
    return min(host.groups, key=lambda g: (len(inventory.group_hosts(g)), g))


def observed_ports(findings: FindingSet, inventory: Inventory, catalog: Catalog) -> list[Observed]:
    """Every open port on an inventory host, identified against the catalog."""
    by_port: dict[tuple[str, str, str, int], list[Finding]] = {}
    for finding in findings.findings:
        name = findings.inventory_host(finding.address)
        if name is None:
            found = inventory.match(finding.address)
            name = found.name if found else None
        if name is not None and finding.port > 0:
            by_port.setdefault((name, finding.address, finding.protocol, finding.port), []).append(
                finding
            )
    result = []
    for (host, address, protocol, port), items in sorted(by_port.items()):
        service = best_service(items)
        entry = identify_service(catalog, protocol, port, service)
        seen = (
            " ".join(p for p in (service.name, service.product, service.version) if p)
            if service
            else ""
        )
        result.append(Observed(host, address, protocol, port, entry.name if entry else None, seen))
    return result


SHOWN_OBSERVATIONS = 5


def _proposal(items: list[Observed], management: bool) -> list[str]:
    """One commented allow entry for a service seen on one or more hosts of a group."""
    first = items[0]
    what = first.service or "unknown service"
    lines = []
    for item in items[:SHOWN_OBSERVATIONS]:
        seen = f" (scanner: {_comment(item.seen_as)})" if item.seen_as else ""
        lines.append(
            f"      # Observed on {_comment(item.host)} ({item.address}): "
            f"{item.port}/{item.protocol} {what}{seen}"
        )
    if len(items) > SHOWN_OBSERVATIONS:
        lines.append(f"      # ... and on {len(items) - SHOWN_OBSERVATIONS} more addresses")
    if management:
        lines.append("      #   (management port: kept whatever this list says)")
    head = (
        f"      # - service: {first.service}"
        if first.service
        else f"      # - port: {first.port}\n      #   protocol: {first.protocol}"
    )
    sources = "[admins]" if management else "[any]   "
    return [
        *lines,
        head,
        f"      #   sources: {sources}       # or: internal, admins, a CIDR",
        '      #   justification: "TODO: why the business needs it reachable"',
        '      #   owner: "TODO: who answers for it"',
    ]


def _is_management(item: Observed, ports: dict[str, int | None]) -> bool:
    port = ports.get(item.host)
    if item.protocol != "tcp":
        return False
    return item.port == port if port is not None else item.service == "ssh"


def _header(admins: Iterable[str], inventory: Inventory) -> list[str]:
    admin_list = ", ".join(json.dumps(a) for a in admins) or ADMIN_PLACEHOLDER
    return [
        "# Starter policy written by `remediator policy init`.",
        f"# Inventory: {_comment(inventory.source)}",
        "# Every service the scan saw is listed below as a commented proposal. Uncomment what",
        "# the business needs, narrow its sources, and fill in justification and owner.",
        "# Anything left commented out is treated as unneeded: disabled and its port blocked.",
        "version: 1",
        "",
        "networks:",
        "  # Where Ansible connects from: management access is never cut.",
        f"  admins: [{admin_list}]",
        "  internal: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]",
        "",
        "management:",
        "  service: ssh   # its port: each host's ansible_port, else the catalog's",
        "  sources: [admins]",
        "",
        "tls:",
        "  profile: intermediate",
        "  min_version: TLSv1.2",
        "",
        "max_scan_age_days: 30",
        "",
        "groups:",
    ]


def starter_policy(
    findings: FindingSet, inventory: Inventory, catalog: Catalog, admins: Iterable[str] = ()
) -> str:
    """The starter policy text for the scan and inventory."""
    observed = observed_ports(findings, inventory, catalog)
    by_group: dict[str, list[Observed]] = {g: [] for g in inventory.groups}
    ports = {h.name: h.port for h in inventory.hosts}
    for item in observed:
        by_group.setdefault(home_group(inventory.host(item.host), inventory), []).append(item)
    if not by_group:
        by_group["all"] = []
    lines = _header(admins, inventory)
    for group in sorted(by_group):
        lines += [f"  {_key(group)}:", "    allow:"]
        proposals: dict[str, list[Observed]] = {}
        for item in by_group[group]:
            key = item.service or f"{item.port}/{item.protocol}"
            proposals.setdefault(key, []).append(item)
        if not proposals:
            lines.append("      # nothing observed on this group's hosts")
        for items in proposals.values():
            management = any(_is_management(item, ports) for item in items)
            lines += _proposal(items, management)
    lines += [
        "",
        "exceptions:",
        '  # - finding: "HOST/udp/161/*"     # pattern over ADDRESS-or-HOST/PROTO/PORT/CHECK_ID',
        "  #   kind: default-credentials",
        '  #   justification: "TODO"',
        '  #   approved_by: "TODO"',
        "  #   expires: 2099-12-31",
    ]
    return "\n".join(lines) + "\n"
