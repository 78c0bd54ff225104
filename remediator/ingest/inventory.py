"""Ansible inventories, read through ansible-core's own inventory API.

Any inventory ansible-core reads (YAML, INI, a directory with group_vars/host_vars,
plugins) is read the same way here, so the hosts remediator targets are exactly the
hosts ``ansible-playbook -i`` would target. Scanned addresses are mapped to inventory
hosts by :meth:`Inventory.match`, through addresses only: those the inventory asserts
(an IP host name, an IP ``ansible_host``, ``remediator_addresses``) and, when a resolver
is given, those it returns for the name Ansible would connect to. A name the scan
reports is never compared with anything: whoever runs the scanned machine writes it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from remediator.errors import InputError
from remediator.ingest.hostvalues import HostValues
from remediator.ingest.model import normalize_address, parse_ip
from remediator.ingest.resolve import Resolver, is_dns_name, resolved

ADDRESS_VARS: Final = ("ansible_host", "remediator_addresses")
"""Host vars that list a host's addresses: ``ansible_host`` and a list of further ones."""

_WARNING = re.compile(r"\[WARNING\]: (Failed to parse inventory with '\w+' plugin: [^\n]*)")


@dataclass(frozen=True, slots=True)
class InventoryHost:
    """One inventory host: its name, every address it answers on, its groups."""

    name: str
    addresses: tuple[str, ...]
    groups: tuple[str, ...]
    port: int | None = None
    variables: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    origins: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Where each address came from: ``inventory_hostname``, ``ansible_host``,
    ``remediator_addresses`` or ``dns:<name>`` (the controller's resolver)."""
    variable_names: frozenset[str] = frozenset()
    """Every host var's name, whatever its value (a vaulted password is not a scalar)."""

    def var(self, name: str) -> str | None:
        """A scalar host var as text, or None."""
        return self.variables.get(name)

    def has_var(self, name: str) -> bool:
        """Whether the host has the var at all (set, vaulted or templated)."""
        return name in self.variable_names or name in self.variables

    def origin(self, address: str) -> str:
        """Where ``address`` (one of :attr:`addresses`) came from."""
        return self.origins.get(address, "inventory")


@dataclass(frozen=True)
class Inventory:
    """The hosts and groups of one inventory source."""

    source: str
    hosts: tuple[InventoryHost, ...]
    groups: tuple[str, ...]

    def host(self, name: str) -> InventoryHost:
        """The host called ``name``; InputError when there is none."""
        for host in self.hosts:
            if host.name == name:
                return host
        raise InputError(f"{self.source}: no host {name!r} in the inventory")

    def group_hosts(self, group: str) -> tuple[InventoryHost, ...]:
        """The hosts of ``group`` (children included, as Ansible resolves them)."""
        return tuple(h for h in self.hosts if group in h.groups)

    def match(self, address: str) -> InventoryHost | None:
        """The inventory host a scanned address belongs to, by address only.

        An address the inventory asserts wins over one a resolver gave; among equals, the
        first host in inventory order. Something that is not an IP address matches
        nothing: a scan's "address" may be a name, and names are scan data.
        """
        if parse_ip(address) is None:
            return None
        wanted = normalize_address(address)
        owners = [h for h in self.hosts if wanted in h.addresses]
        asserted = [h for h in owners if not h.origin(wanted).startswith("dns:")]
        best = asserted or owners
        return best[0] if best else None


def load_inventory(path: Path, resolver: Resolver | None = None) -> Inventory:
    """Read the inventory at ``path``; an unreadable source is an InputError, not a warning.

    With ``resolver``, each host's connection name (a DNS-name ``ansible_host``, or the
    host name when it has no ``ansible_host``) is resolved once and its addresses added
    with the origin ``dns:<name>``; without, only the inventory's own addresses count.
    """
    if not path.exists():
        raise InputError(f"{path}: no such inventory")
    from ansible import constants  # noqa: PLC0415 - ansible is slow to import
    from ansible.errors import AnsibleError  # noqa: PLC0415
    from ansible.inventory.manager import InventoryManager  # noqa: PLC0415
    from ansible.parsing.dataloader import DataLoader  # noqa: PLC0415
    from ansible.vars.manager import VariableManager  # noqa: PLC0415

    # Ansible only warns about an unparsable source and carries on with an empty inventory;
    # for us that is bad input. Its config constants are read once at import, so the
    # setting is made on the module, not through the environment.
    constants.INVENTORY_UNPARSED_IS_FAILED = True
    noise = io.StringIO()
    loader = DataLoader()
    try:
        with redirect_stderr(noise), redirect_stdout(noise):
            manager = InventoryManager(loader=loader, sources=[str(path)])
            variables = VariableManager(loader=loader, inventory=manager)
            hosts = tuple(
                _host(
                    str(path),
                    h.name,
                    [g.name for g in h.get_groups()],
                    variables.get_vars(host=h),
                    resolver,
                )
                for h in manager.get_hosts()
            )
    except AnsibleError as exc:
        reason = _WARNING.search(noise.getvalue())
        detail = reason.group(1) if reason else str(exc).splitlines()[0]
        raise InputError(f"{path}: not a readable Ansible inventory: {detail}") from exc
    groups = tuple(sorted(g for g in manager.groups if g not in {"all", "ungrouped"}))
    return Inventory(str(path), hosts, groups)


def _host(
    source: str,
    name: str,
    groups: list[str],
    variables: Mapping[str, Any],
    resolver: Resolver | None,
) -> InventoryHost:
    values = HostValues(source, name)
    ansible_host = values.host_address(variables.get("ansible_host"))
    origins: dict[str, str] = {}
    for address, origin in _addresses(name, ansible_host, values, variables, resolver):
        origins.setdefault(address, origin)
    scalars = {k: str(v) for k, v in variables.items() if isinstance(v, str | int | float | bool)}
    if ansible_host is not None:
        scalars["ansible_host"] = ansible_host
    return InventoryHost(
        name=name,
        addresses=tuple(origins),
        origins=MappingProxyType(origins),
        groups=tuple(sorted(g for g in groups if g not in {"all", "ungrouped"})),
        port=values.port(variables.get("ansible_port")),
        variables=MappingProxyType(scalars),
        variable_names=frozenset(str(k) for k in variables),
    )


def _addresses(
    name: str,
    ansible_host: str | None,
    values: HostValues,
    variables: Mapping[str, Any],
    resolver: Resolver | None,
) -> Iterator[tuple[str, str]]:
    """Each address of a host with its origin, the inventory's own first."""
    if parse_ip(name) is not None:
        yield normalize_address(name), "inventory_hostname"
    if ansible_host is not None and parse_ip(ansible_host) is not None:
        yield normalize_address(ansible_host), "ansible_host"
    for address in values.addresses(variables.get("remediator_addresses")):
        yield address, "remediator_addresses"
    # The name Ansible connects to; resolved only when it is a name.
    target = (ansible_host if ansible_host is not None else name).rstrip(".")
    if resolver is not None and is_dns_name(target):
        for address in resolved(resolver, target):
            yield address, f"dns:{target}"


def hosts_matching(
    groups_of: Mapping[str, Sequence[str]], pattern: str, where: str
) -> frozenset[str]:
    """The hosts an Ansible host pattern (``--limit``) selects among ``groups_of``'s.

    ``groups_of`` maps each host to every group it is in (children resolved, as
    :attr:`InventoryHost.groups` has them), so a plan's record of its hosts serves as well as
    an inventory file. The pattern is matched by ansible-core itself (groups, wildcards,
    ``~regex``, ``!``, ``&``, ``:`` and ``,``), so ``-l`` means here what it means to
    ``ansible-playbook``. A pattern that selects nothing is an InputError: running a verb
    on no host is never what was meant.
    """
    from ansible.errors import AnsibleError  # noqa: PLC0415 - ansible is slow to import
    from ansible.inventory.manager import InventoryManager  # noqa: PLC0415
    from ansible.parsing.dataloader import DataLoader  # noqa: PLC0415

    try:
        with redirect_stderr(io.StringIO()), redirect_stdout(io.StringIO()):
            manager = InventoryManager(loader=DataLoader(), sources=[], parse=False)
            for host, groups in groups_of.items():
                manager.add_host(host)
                for group in groups:
                    manager.add_group(group)
                    manager.add_host(host, group=group)
            manager.reconcile_inventory()
            manager.subset(pattern)
            chosen = frozenset(h.name for h in manager.get_hosts("all")) & set(groups_of)
    except AnsibleError as exc:
        raise InputError(f"{where}: bad limit {pattern!r}: {str(exc).splitlines()[0]}") from exc
    if not chosen:
        raise InputError(f"{where}: the limit {pattern!r} matches no host")
    return chosen
