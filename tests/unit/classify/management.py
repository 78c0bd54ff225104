"""The management port as the tests see it, derived without the code under test.

The classify code decides which port is "management" (``HostPolicy.is_management``); a
test that asks that same method which decisions to check proves nothing when the method
is wrong. These helpers derive the port from the inventory alone (the host's
``ansible_port``, else 22: the catalog port of ssh, the management service of every test
policy, which sets no ``management.port``) and check the decisions on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from remediator.classify.model import Decision, FirewallRestrict, Keep
from remediator.classify.policy.sources import Sources, make_sources, parse_network
from remediator.ingest.inventory import InventoryHost

DEFAULT_MANAGEMENT_PORT = 22
CUTTING = frozenset({"disable_service", "firewall_block"})
ADMINS = make_sources(["admins"], [parse_network("192.0.2.0/24")])
"""The management sources of ``helpers.HEADER``."""


def management_port(host: InventoryHost) -> int:
    """Independent of the code under test: the inventory's ansible_port, else 22."""
    return host.port if host.port is not None else DEFAULT_MANAGEMENT_PORT


def on_management_port(item: Decision, hosts: Mapping[str, InventoryHost]) -> bool:
    """Whether a decision is about the tcp port Ansible reaches its inventory host on."""
    host = hosts.get(item.host) if item.host is not None else None
    return host is not None and item.protocol == "tcp" and item.port == management_port(host)


def check_management_kept(item: Decision, admins: Sources = ADMINS) -> None:
    """A management decision neither closes the port nor narrows it below the admins."""
    assert not CUTTING & {a.type for a in item.actions}, (item.key, item.actions)
    for action in item.actions:
        if isinstance(action, FirewallRestrict | Keep) and action.sources is not None:
            assert action.sources.covers(admins), (item.key, action)


def check_management_decisions(
    decisions: Iterable[Decision], hosts: Mapping[str, InventoryHost]
) -> int:
    """Check every decision on a management port; how many there were."""
    examined = 0
    for item in decisions:
        if on_management_port(item, hosts):
            check_management_kept(item)
            examined += 1
    return examined
