"""The one rule no policy may break: the management connection is never cut.

Ansible reaches each host on its management port from the admin networks. A group allow
entry for that service or port whose sources leave out part of the admin networks would
make the plan restrict the port to those sources and lock Ansible out; a deny entry on it
would disable it. Both are refused when the policy is loaded, with the line to fix.
"""

from __future__ import annotations

from remediator.classify.catalog import Catalog, PortKey
from remediator.classify.policy.host import (
    default_management_port,
    management_port,
    management_service,
)
from remediator.classify.policy.model import ALL_GROUP, GroupPolicy, Policy, ServiceRef
from remediator.classify.problems import Problem
from remediator.classify.yamlmarks import MarkedDocument, parse_path
from remediator.ingest.inventory import Inventory

Management = tuple[str, PortKey]
"""A management connection: the service and the port Ansible reaches a host on."""


def group_managements(
    policy: Policy, catalog: Catalog, group: str, inventory: Inventory | None
) -> frozenset[Management]:
    """How a group's hosts are managed (the policy's default always included): SSH on
    their ports, WinRM for the hosts Ansible reaches over winrm or psrp."""
    found = {(policy.management.service, default_management_port(policy, catalog))}
    if inventory is not None:
        hosts = inventory.hosts if group == ALL_GROUP else inventory.group_hosts(group)
        found.update(
            (management_service(policy, h), management_port(policy, catalog, h)) for h in hosts
        )
    return frozenset(found)


def _touches(ref: ServiceRef, managements: frozenset[Management], catalog: Catalog) -> bool:
    ports = ref.ports(catalog)
    return any(ref.service == service or port in ports for service, port in managements)


def _described(managements: frozenset[Management]) -> str:
    """``ssh on 22/tcp, 2222/tcp; winrm on 5986/tcp``: what must never be cut, in words."""
    services = sorted({name for name, _ in managements})
    return "; ".join(
        f"{name} on "
        + ", ".join(f"{port}/{proto}" for n, (proto, port) in sorted(managements) if n == name)
        for name in services
    )


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
    managements = group_managements(policy, catalog, group.name, inventory)
    described = _described(managements)
    problems: list[Problem] = []
    for entry in group.allow:
        if _touches(entry.ref, managements, catalog) and not entry.sources.covers(
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
                        f"({described}) must never be cut: add them to the sources"
                    ),
                )
            )
    for deny in group.deny:
        if _touches(deny.ref, managements, catalog):
            problems.append(
                Problem(
                    doc.file,
                    deny.line,
                    deny.path,
                    (
                        f"denies {deny.ref.describe()}, the management connection "
                        f"({described}); it must never be cut"
                    ),
                )
            )
    return problems
