"""Ansible inventories, read through ansible-core's own inventory API.

Any inventory ansible-core reads (YAML, INI, a directory with group_vars/host_vars,
plugins) is read the same way here, so the hosts remediator targets are exactly the
hosts ``ansible-playbook -i`` would target. Scanned addresses are mapped to inventory
hosts by :meth:`Inventory.match`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from remediator.errors import InputError
from remediator.ingest.model import normalize_address, parse_ip

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

    def var(self, name: str) -> str | None:
        """A scalar host var as text, or None."""
        return self.variables.get(name)


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

    def match(self, address: str, hostnames: Iterable[str] = ()) -> InventoryHost | None:
        """The inventory host a scanned address (or a name the scan reported) belongs to.

        An address matches a host's ``ansible_host`` or any address in
        ``remediator_addresses``; failing that, the address or one of the scan's
        hostnames matches an inventory host name (case-insensitively, as DNS does).
        """
        wanted = normalize_address(address)
        for host in self.hosts:
            if wanted in host.addresses:
                return host
        names = {n.lower().rstrip(".") for n in (address, *hostnames) if n}
        for host in self.hosts:
            aliases = {host.name.lower(), (host.var("ansible_host") or "").lower().rstrip(".")}
            if aliases & names:
                return host
        return None


def load_inventory(path: Path) -> Inventory:
    """Read the inventory at ``path``; an unreadable source is an InputError, not a warning."""
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
                _host(h.name, [g.name for g in h.get_groups()], variables.get_vars(host=h))
                for h in manager.get_hosts()
            )
    except AnsibleError as exc:
        reason = _WARNING.search(noise.getvalue())
        detail = reason.group(1) if reason else str(exc).splitlines()[0]
        raise InputError(f"{path}: not a readable Ansible inventory: {detail}") from exc
    groups = tuple(sorted(g for g in manager.groups if g not in {"all", "ungrouped"}))
    return Inventory(str(path), hosts, groups)


def _host(name: str, groups: list[str], variables: Mapping[str, Any]) -> InventoryHost:
    addresses = dict.fromkeys(_addresses(name, variables))
    port = variables.get("ansible_port")
    return InventoryHost(
        name=name,
        addresses=tuple(addresses),
        groups=tuple(sorted(g for g in groups if g not in {"all", "ungrouped"})),
        port=int(port) if port is not None else None,
        variables=MappingProxyType(
            {k: str(v) for k, v in variables.items() if isinstance(v, str | int | float | bool)}
        ),
    )


def _addresses(name: str, variables: Mapping[str, Any]) -> Iterator[str]:
    if parse_ip(name) is not None:
        yield normalize_address(name)
    host = variables.get("ansible_host")
    if isinstance(host, str) and parse_ip(host) is not None:
        yield normalize_address(host)
    extra = variables.get("remediator_addresses") or ()
    if isinstance(extra, str):
        extra = (extra,)
    for address in extra:
        if isinstance(address, str) and parse_ip(address) is not None:
            yield normalize_address(address)
