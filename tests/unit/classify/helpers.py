"""Shared helpers for classify tests: real corpus findings, small inventories and policies.

Rule fixtures are findings taken by key from the shared corpus (real scan data); the
inventories and policies around them are written per test, since they are the user's
input, not the scanner's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from pathlib import Path

import yaml

from remediator.classify.model import Decision
from remediator.classify.plan import Plan, build_plan
from remediator.classify.policy.model import Policy
from remediator.classify.policy.read import load_policy
from remediator.ingest.findingset import FindingSet, load_findings
from remediator.ingest.inventory import Inventory, load_inventory
from remediator.ingest.model import Finding, HostReport
from remediator.ingest.reader import read_scan
from tests.corpus import corpus_path

AS_OF = date(2026, 11, 25)

HEADER = """\
version: 1
networks:
  admins: [192.0.2.0/24]
  internal: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]
management:
  sources: [admins]
"""

# Hosts: name -> (address, groups, ansible_port)
HostSpec = Mapping[str, tuple[str, Sequence[str], int | None]]


@cache
def corpus_reports(relative: str) -> tuple[HostReport, ...]:
    """Every host report of one corpus file, parsed once per test session."""
    return tuple(read_scan(corpus_path(relative)))


def corpus_finding(relative: str, key: str) -> Finding:
    """The finding with ``key`` (``address/proto/port/check_id``) in a corpus file."""
    for report in corpus_reports(relative):
        for finding in report.findings:
            if str(finding.key) == key:
                return finding
    raise LookupError(f"{relative}: no finding {key}")


def write_inventory(directory: Path, hosts: HostSpec) -> Inventory:
    """An inventory file with one group per named group, loaded through ansible-core."""
    groups: dict[str, dict[str, dict[str, object]]] = {}
    for name, (address, names, port) in hosts.items():
        variables: dict[str, object] = {"ansible_host": address}
        if port is not None:
            variables["ansible_port"] = port
        for group in names:
            groups.setdefault(group, {"hosts": {}})["hosts"][name] = variables
    path = directory / "inventory.yml"
    path.write_text(yaml.safe_dump({"all": {"children": groups}}), encoding="utf-8")
    return load_inventory(path)


def write_policy(directory: Path, body: str, inventory: Inventory | None = None) -> Policy:
    """A policy made of the standard header and ``body`` (groups, exceptions, ...)."""
    path = directory / "policy.yml"
    path.write_text(HEADER + body, encoding="utf-8")
    return load_policy(path, inventory)


def plan_for(
    directory: Path,
    relative: str | Sequence[str],
    hosts: HostSpec,
    body: str,
    as_of: date = AS_OF,
) -> Plan:
    """Plan whole corpus files against a policy body on an inventory of ``hosts``."""
    inventory = write_inventory(directory, hosts)
    policy = write_policy(directory, body, inventory)
    files = [relative] if isinstance(relative, str) else list(relative)
    findings: FindingSet = load_findings([corpus_path(f) for f in files], inventory=inventory)
    return build_plan(findings, policy, inventory, as_of)


def decision(plan: Plan, key: str) -> Decision:
    """The plan's decision for a finding key."""
    for item in plan.decisions:
        if "/".join(map(str, item.key)) == key:
            return item
    raise LookupError(f"no decision for {key}")


def decided(directory: Path, relative: str, hosts: HostSpec, body: str, key: str) -> Decision:
    """The decision for finding ``key`` when ``relative`` is planned as :func:`plan_for` does."""
    return decision(plan_for(directory, relative, hosts, body), key)


def action_types(item: Decision) -> list[str]:
    """The decision's action types, in order."""
    return [a.type for a in item.actions]


NOT_WELL_FORMED = frozenset(
    {
        # PROVENANCE.md, "Well-formedness at a glance": published broken on purpose.
        "nmap/securecodebox_nmap_ftp.xml",
        "nmap/securecodebox_nmap_local_network_verbose.xml",
        "nmap/securecodebox_nmap_scanme_ipv6.xml",
        "nmap/securecodebox_nmap_service_scan.xml",
        "nmap/libnmap_1_hosts_incomplete.xml",
        "nmap/nmap_zenmap_nmap_output_error.xml",
        "nessus/rubynessus_example_v1.nessus",
    }
)


@cache
def readable_corpus() -> tuple[tuple[str, tuple[HostReport, ...]], ...]:
    """Every corpus file ingest reads, with its reports (files it refuses are left out).

    Only files PROVENANCE.md lists as not well-formed may be refused.
    """
    from remediator.errors import ScanParseError
    from tests.corpus import corpus_files, corpus_root

    readable = []
    for path in corpus_files():
        relative = path.relative_to(corpus_root()).as_posix()
        try:
            readable.append((relative, tuple(read_scan(path))))
        except ScanParseError:
            if relative not in NOT_WELL_FORMED:
                raise
    return tuple(readable)
