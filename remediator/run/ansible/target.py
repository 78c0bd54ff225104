"""What a run targets: the project, the inventory, and where Ansible must run to reach it.

Some hosts live in network namespaces and are reachable only from a namespace of their
provider's (the lab's hosts from its controller; see :mod:`remediator.common.providers`).
When a registered provider reaches every host of the inventory, Ansible, the testinfra
suites and the reachability probes run inside its namespace; for any other inventory they
run here, as plain ansible-runner. An inventory that mixes a provider's hosts with others
is refused by the provider: no single place reaches both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from remediator.common.processes import in_namespace
from remediator.common.providers import namespace_for
from remediator.errors import InputError
from remediator.ingest.inventory import load_inventory
from remediator.run.ansible.node import ExecutionNode, parse_node
from remediator.run.project import Project


@dataclass(frozen=True)
class Target:
    """A project, the inventory it runs against, and the namespace to run in (or None)."""

    project: Project
    inventory: Path
    namespace: str | None
    node: ExecutionNode | None = None
    """The execution node Ansible runs on (the hosts are reached from there), or None."""

    def command(self, argv: Sequence[str]) -> list[str]:
        """``argv`` as it must run to reach the hosts."""
        return in_namespace(self.namespace, argv) if self.namespace else list(argv)

    def identities(self, names: Sequence[str]) -> list[str]:
        """How each named host is reached: its name, address and namespace.

        The lock of a host is taken on this, not on its name alone: two labs (or two
        sites) may both have a ``web.lab``, and an apply on one must not lock out the other.
        """
        known = {h.name: h for h in load_inventory(self.inventory).hosts}
        where = f" in {self.namespace}" if self.namespace else ""
        found = []
        for name in names:
            host = known.get(name)
            address = (host.var("ansible_host") if host else None) or name
            found.append(f"{name} ({address}{where})")
        return found


def make_target(project: Project, inventory: Path | None, node: str | None = None) -> Target:
    """The target for ``inventory`` (default: the project's own ``inventory.yml``), run
    here or, with ``node`` (``[USER@]HOST``), on that execution node."""
    path = (inventory or project.root / "inventory.yml").resolve()
    if not path.exists():
        raise InputError(f"{path}: no such inventory")
    if node is None:
        return Target(project, path, reach_namespace(path))
    return Target(project, path, None, execution_node(node))


def execution_node(text: str) -> ExecutionNode:
    """The node ``[USER@]HOST``, reached from the namespace of the provider owning it (the
    lab's controller, for a lab host) or from here."""
    found = parse_node(text)
    return replace(found, namespace=namespace_for([(found.host, found.host)], "--execution-node"))


def reach_namespace(inventory: Path) -> str | None:
    """The namespace every inventory host is reached from (a provider's), or None: here."""
    hosts = [(h.name, h.var("ansible_host") or h.name) for h in load_inventory(inventory).hosts]
    return namespace_for(hosts, str(inventory))
