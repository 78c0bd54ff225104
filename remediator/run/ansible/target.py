"""What a run targets: the project, the inventory, and where Ansible must run to reach it.

Lab hosts live in network namespaces and are reachable only from the lab's controller
namespace. When every host of the inventory is a host of a running lab (any of them:
several may be up, each with a subnet of its own), Ansible, the
testinfra suites and the reachability probes run inside that namespace; for any other
inventory they run here, as plain ansible-runner. An inventory that mixes lab and other
hosts is refused: no single place reaches both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from remediator.errors import InputError
from remediator.ingest.inventory import load_inventory
from remediator.lab.network import netns_exec
from remediator.run.project import Project


@dataclass(frozen=True)
class Target:
    """A project, the inventory it runs against, and the namespace to run in (or None)."""

    project: Project
    inventory: Path
    namespace: str | None

    def command(self, argv: Sequence[str]) -> list[str]:
        """``argv`` as it must run to reach the hosts."""
        return netns_exec(self.namespace, list(argv)) if self.namespace else list(argv)

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


def make_target(project: Project, inventory: Path | None) -> Target:
    """The target for ``inventory`` (default: the project's own ``inventory.yml``)."""
    path = (inventory or project.root / "inventory.yml").resolve()
    if not path.exists():
        raise InputError(f"{path}: no such inventory")
    return Target(project, path, lab_namespace(path))


def lab_namespace(inventory: Path) -> str | None:
    """The lab controller namespace when every inventory host is a host of a running lab."""
    hosts = load_inventory(inventory).hosts
    if not hosts:
        return None
    from remediator.lab import state  # noqa: PLC0415 - only when an inventory is checked

    wanted = [h.var("ansible_host") or h.name for h in hosts]
    for lab in state.running_labs():
        addresses = lab.config.lab_addresses()
        inside = [address in addresses for address in wanted]
        if all(inside):
            return lab.config.controller_ns
        if any(inside):
            outside = [h.name for h, lab_host in zip(hosts, inside, strict=True) if not lab_host]
            raise InputError(
                f"{inventory}: mixes hosts of the lab {lab.config.prefix} with others "
                f"({', '.join(outside[:5])}); no single place reaches both"
            )
    return None
