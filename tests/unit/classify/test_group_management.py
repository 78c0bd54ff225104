"""A policy group may say how its hosts are managed; a host never gets two answers.

``groups.<g>.management`` (service, port, sources) replaces the policy's management for
the group's hosts: the port Ansible uses and the admin sources no plan may cut. A host in
two groups whose ``management:`` differ is a policy error naming both, at the line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from remediator.classify.catalog_load import load_catalog
from remediator.classify.policy.host import host_policy
from remediator.classify.policy.read import load_policy
from remediator.classify.problems import PolicyFileError
from remediator.errors import PolicyError
from remediator.ingest.inventory import Inventory, load_inventory

HEADER = """\
version: 1
networks:
  admins: [192.0.2.0/24]
  jump: [198.51.100.7/32]
management:
  sources: [admins]
"""
DMZ = """\
  dmz:
    management:
      port: 2222
      sources: [jump]
"""


def inventory_of(tmp_path: Path, groups: dict[str, list[str]]) -> Inventory:
    children = {
        group: {"hosts": {name: {"ansible_host": f"10.9.0.{i}"} for i, name in enumerate(names, 1)}}
        for group, names in groups.items()
    }
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump({"all": {"children": children}}), encoding="utf-8")
    return load_inventory(path)


def policy_file(tmp_path: Path, groups: str) -> Path:
    path = tmp_path / "policy.yml"
    path.write_text(HEADER + "groups:\n" + groups, encoding="utf-8")
    return path


def test_a_groups_own_management_is_its_hosts(tmp_path: Path) -> None:
    inventory = inventory_of(tmp_path, {"dmz": ["bastion"], "web": ["shop"]})
    policy = load_policy(policy_file(tmp_path, DMZ + "  web: {}\n"), inventory)
    catalog = load_catalog()
    dmz = host_policy(policy, catalog, inventory.host("bastion"))
    web = host_policy(policy, catalog, inventory.host("shop"))
    assert dmz.management_port == ("tcp", 2222)
    assert dmz.management_sources.cidrs() == ["198.51.100.7/32"]
    assert web.management_port == ("tcp", 22)
    assert web.management_sources.cidrs() == ["192.0.2.0/24"]


def test_a_host_in_two_groups_with_different_management_is_refused(tmp_path: Path) -> None:
    inventory = inventory_of(tmp_path, {"dmz": ["bastion"], "edge": ["bastion"]})
    edge = "  edge:\n    management:\n      sources: [admins]\n"
    path = policy_file(tmp_path, DMZ + edge)
    with pytest.raises(PolicyFileError) as caught:
        load_policy(path, inventory)
    line = path.read_text().splitlines().index("  edge:") + 2
    message = str(caught.value)
    assert f"policy.yml:{line}: groups.edge.management" in message
    assert "host bastion is in groups dmz and edge" in message


def test_the_same_management_in_two_groups_is_fine(tmp_path: Path) -> None:
    inventory = inventory_of(tmp_path, {"dmz": ["bastion"], "edge": ["bastion"]})
    policy = load_policy(policy_file(tmp_path, DMZ + DMZ.replace("dmz", "edge")), inventory)
    assert host_policy(policy, load_catalog(), inventory.host("bastion")).management_port == (
        "tcp",
        2222,
    )


def test_without_the_inventory_the_conflict_still_stops_the_plan(tmp_path: Path) -> None:
    inventory = inventory_of(tmp_path, {"dmz": ["bastion"], "edge": ["bastion"]})
    edge = "  edge:\n    management:\n      sources: [admins]\n"
    policy = load_policy(policy_file(tmp_path, DMZ + edge))
    with pytest.raises(PolicyError, match="host bastion is in groups dmz and edge"):
        host_policy(policy, load_catalog(), inventory.host("bastion"))


def test_an_allow_that_would_cut_a_groups_management_is_refused(tmp_path: Path) -> None:
    inventory = inventory_of(tmp_path, {"dmz": ["bastion"]})
    allow = (
        "    allow:\n      - port: 2222\n        sources: [admins]\n"
        "        justification: x\n        owner: y\n"
    )
    with pytest.raises(PolicyFileError, match=r"leaves out management sources jump"):
        load_policy(policy_file(tmp_path, DMZ + allow), inventory)
