"""The one rule no policy may break: the management connection is never cut.

Ansible reaches each host on its management port from the admin networks. A group allow
entry for that service or port whose sources leave out part of the admin networks would
make the plan restrict the port to those sources and lock Ansible out; a deny entry on it
would disable it. Both are refused when the policy is loaded, with the line to fix.
"""

from __future__ import annotations

from functools import reduce

from remediator.classify.catalog import Catalog, PortKey
from remediator.classify.policy.host import (
    HostManagement,
    access_port,
    differing_groups,
    host_management,
)
from remediator.classify.policy.model import ALL_GROUP, GroupPolicy, Policy, ServiceRef
from remediator.classify.policy.sources import Sources
from remediator.classify.problems import Problem
from remediator.classify.yamlmarks import MarkedDocument, parse_path
from remediator.ingest.inventory import Inventory


def group_managements(
    policy: Policy, catalog: Catalog, group: str, inventory: Inventory | None
) -> frozenset[HostManagement]:
    """How a group's hosts are managed: the group's own access (else the policy's) on its
    port, each host's ansible_port, WinRM for hosts Ansible reaches over winrm or psrp."""
    own = policy.groups[group].management if group in policy.groups else None
    access = own or policy.management
    found = {HostManagement(access.service, access_port(access, catalog), access.sources)}
    if inventory is not None:
        hosts = inventory.hosts if group == ALL_GROUP else inventory.group_hosts(group)
        found.update(host_management(policy, catalog, h) for h in hosts)
    return frozenset(found)


def _touched(
    ref: ServiceRef, managements: frozenset[HostManagement], catalog: Catalog
) -> frozenset[HostManagement]:
    """The management connections an entry for ``ref`` would touch."""
    ports = ref.ports(catalog)
    return frozenset(m for m in managements if ref.service == m.service or m.port in ports)


def _described(managements: frozenset[HostManagement]) -> str:
    """``ssh on 22/tcp, 2222/tcp; winrm on 5986/tcp``: what must never be cut, in words."""
    ports: dict[str, set[PortKey]] = {}
    for management in managements:
        ports.setdefault(management.service, set()).add(management.port)
    return "; ".join(
        f"{name} on " + ", ".join(f"{number}/{proto}" for proto, number in sorted(ports[name]))
        for name in sorted(ports)
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
    managements = group_managements(policy, catalog, group.name, inventory)
    described = _described(managements)
    problems: list[Problem] = []
    for entry in group.allow:
        left_out = [m.sources for m in _touched(entry.ref, managements, catalog)]
        left_out = [sources for sources in left_out if not entry.sources.covers(sources)]
        if left_out:
            wanted = reduce(Sources.union, left_out)
            parts = (*parse_path(entry.path), "sources")
            problems.append(
                Problem(
                    doc.file,
                    doc.line(parts),
                    entry.path + ".sources",
                    (
                        f"allows {entry.ref.describe()} only from {entry.sources.describe()}, "
                        f"which leaves out management sources {wanted.describe()} "
                        f"({', '.join(wanted.cidrs())}); the management connection "
                        f"({described}) must never be cut: add them to the sources"
                    ),
                )
            )
    for deny in group.deny:
        if _touched(deny.ref, managements, catalog):
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


def management_conflicts(
    policy: Policy, inventory: Inventory | None, doc: MarkedDocument
) -> list[Problem]:
    """Every host in two groups whose own ``management:`` differ, at the second group's."""
    if inventory is None:
        return []
    problems: list[Problem] = []
    for host in inventory.hosts:
        differ = differing_groups(policy, host)
        if differ is not None:
            first, second = differ
            problems.append(
                Problem(
                    doc.file,
                    doc.line(("groups", second, "management")),
                    f"groups.{second}.management",
                    (
                        f"host {host.name} is in groups {first} and {second}, "
                        f"whose management differ; make them the same or keep one"
                    ),
                )
            )
    return problems
