"""The one rule no policy may break: the management connection is never cut.

Ansible reaches each host on its management port from the admin networks. A group allow
entry for that service or port whose sources leave out part of the admin networks would
make the plan restrict the port to those sources and lock Ansible out; a deny entry on it
would disable it. Both are refused when the policy is loaded, with the line to fix.
"""

from __future__ import annotations

from remediator.classify.catalog import Catalog, PortKey
from remediator.classify.policy.host import default_management_port
from remediator.classify.policy.model import ALL_GROUP, GroupPolicy, Policy, ServiceRef
from remediator.classify.problems import Problem
from remediator.classify.yamlmarks import MarkedDocument, parse_path
from remediator.ingest.inventory import Inventory


def group_management_ports(
    policy: Policy, catalog: Catalog, group: str, inventory: Inventory | None
) -> frozenset[PortKey]:
    """The management ports of a group's hosts (the default one always included)."""
    ports = {default_management_port(policy, catalog)}
    if inventory is not None:
        hosts = inventory.hosts if group == ALL_GROUP else inventory.group_hosts(group)
        ports.update(("tcp", h.port) for h in hosts if h.port is not None)
    return frozenset(ports)


def _touches(ref: ServiceRef, service: str, ports: frozenset[PortKey], catalog: Catalog) -> bool:
    return ref.service == service or bool(ref.ports(catalog) & ports)


def management_cuts(
    policy: Policy, catalog: Catalog, inventory: Inventory | None, doc: MarkedDocument
) -> list[Problem]:
    """Every allow or deny entry that would cut the management connection."""
    problems: list[Problem] = []
    for group in policy.groups.values():
        problems.extend(_group_cuts(policy, catalog, inventory, doc, group))
    return problems


def _group_cuts(
    policy: Policy,
    catalog: Catalog,
    inventory: Inventory | None,
    doc: MarkedDocument,
    group: GroupPolicy,
) -> list[Problem]:
    management = policy.management
    ports = group_management_ports(policy, catalog, group.name, inventory)
    described = ", ".join(f"{port}/{proto}" for proto, port in sorted(ports))
    problems: list[Problem] = []
    for entry in group.allow:
        if _touches(entry.ref, management.service, ports, catalog) and not entry.sources.covers(
            management.sources
        ):
            parts = (*parse_path(entry.path), "sources")
            problems.append(
                Problem(
                    doc.file,
                    doc.line(parts),
                    entry.path + ".sources",
                    (
                        f"allows {entry.ref.describe()} only from {entry.sources.describe()}, "
                        f"which leaves out management sources {management.sources.describe()} "
                        f"({', '.join(management.sources.cidrs())}); the management connection "
                        f"({management.service} on {described}) must never be cut: add them "
                        f"to the sources"
                    ),
                )
            )
    for deny in group.deny:
        if _touches(deny.ref, management.service, ports, catalog):
            problems.append(
                Problem(
                    doc.file,
                    deny.line,
                    deny.path,
                    (
                        f"denies {deny.ref.describe()}, the management connection "
                        f"({management.service} on {described}); it must never be cut"
                    ),
                )
            )
    return problems
