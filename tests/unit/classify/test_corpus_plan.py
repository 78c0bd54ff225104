"""The whole shared corpus planned against one policy, on an inventory made of its addresses.

The inventory is generated at test time from the addresses the corpus scans report (one
group per corpus folder), written as YAML and read back through ansible-core, so nothing
about it is hand-picked.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from remediator.classify.hostos import LINUX, UNKNOWN
from remediator.classify.plan import Plan, build_plan
from remediator.classify.policy.read import load_policy
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import Inventory, load_inventory
from remediator.ingest.model import parse_ip
from tests.corpus import corpus_path
from tests.unit.classify.helpers import HEADER, NOT_WELL_FORMED, readable_corpus
from tests.unit.classify.management import CUTTING, check_management_decisions

POLICY = (
    HEADER
    + """\
groups:
  all:
    allow:
      - {service: https, sources: [any], justification: shop, owner: web-team}
      - {service: smtp, sources: [any], justification: mail, owner: mail-team}
  nmap:
    allow:
      - {service: http, sources: [any], needs: [mysql], justification: web, owner: web-team}
      - {service: smb, sources: [internal], justification: files, owner: it}
  nessus:
    allow:
      - {service: nfs, sources: [internal], justification: homes, owner: it}
    deny:
      - {service: telnet, reason: replaced by ssh}
  openvas:
    allow:
      - {service: ftp, sources: [any], justification: uploads, owner: ops}
  qualys:
    allow:
      - {service: rdp, sources: [admins], justification: support, owner: it}
  other: {}
exceptions:
  - kind: default-credentials
    justification: vendor appliances, being replaced
    approved_by: ciso
    expires: 2026-12-31
"""
)


def corpus_inventory(directory: Path) -> Path:
    """An inventory of every up host the corpus reports, one group per corpus folder."""
    groups: dict[str, dict[str, dict[str, object]]] = {}
    seen: set[str] = set()
    for relative, reports in readable_corpus():
        family = relative.split("/")[0]
        for report in reports:
            address = report.host.address
            if report.host.state != "up" or address in seen:
                continue
            seen.add(address)
            hosts = groups.setdefault(family, {"hosts": {}})["hosts"]
            if parse_ip(address) is not None:
                hosts[f"h{len(seen):03d}"] = {"ansible_host": address}
            else:
                hosts[address] = {}
    path = directory / "corpus-inventory.yml"
    path.write_text(yaml.safe_dump({"all": {"children": groups}}), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def inventory(tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    return load_inventory(corpus_inventory(tmp_path_factory.mktemp("inventory")))


@pytest.fixture(scope="module")
def corpus_plan(
    tmp_path_factory: pytest.TempPathFactory, inventory: Inventory
) -> tuple[Plan, set[tuple[object, ...]]]:
    directory = tmp_path_factory.mktemp("corpus")
    (directory / "policy.yml").write_text(POLICY, encoding="utf-8")
    policy = load_policy(directory / "policy.yml", inventory)
    files = [corpus_path(relative) for relative, _ in readable_corpus()]
    findings = load_findings(files, inventory=inventory)
    keys: set[tuple[object, ...]] = {
        (f.address, f.protocol, f.port, f.check_id) for f in findings.findings
    }
    return build_plan(findings, policy, inventory, date(2026, 11, 25)), keys


def test_only_files_published_broken_are_left_out() -> None:
    readable = {relative for relative, _ in readable_corpus()}
    assert len(readable) >= 37 - len(NOT_WELL_FORMED)


def test_every_finding_key_gets_exactly_one_decision(
    corpus_plan: tuple[Plan, set[tuple[object, ...]]],
) -> None:
    plan, keys = corpus_plan
    decided = [d.key for d in plan.decisions]
    assert len(decided) == len(set(decided))
    assert set(decided) == keys
    # Every IP address maps to its host; a scan "address" that is a name (sslyze and
    # testssl targets, garbage) maps to none, even with an inventory host of that name:
    # names are scan data and never pick a host (issue 13).
    assert plan.unmatched and all(parse_ip(a) is None for a in plan.unmatched)
    assert all((d.host is None) == (parse_ip(d.address) is None) for d in plan.decisions)


def test_every_decision_is_complete_and_valid(
    corpus_plan: tuple[Plan, set[tuple[object, ...]]],
) -> None:
    plan, _ = corpus_plan
    document = json.loads(plan.dumps())
    verdicts = {d["verdict"] for d in document["decisions"]}
    assert verdicts == {"fail", "pass", "excepted"}
    for item in document["decisions"]:
        assert item["reason"] and item["pci"] and item["kind"]
        assert item["asv"] in {"auto_fail", "fail", "special_note", "pass"}
        if item["verdict"] == "excepted":
            assert item["actions"] == [] and item["exception"]["status"] == "active"
    kinds = {d["kind"] for d in document["decisions"]}
    assert {
        "open-port",
        "tls-protocol:TLSv1.0",
        "weak-cipher",
        "certificate",
        "cleartext-service",
        "vulnerable-version",
    } <= kinds


def test_management_ports_are_never_targets(
    corpus_plan: tuple[Plan, set[tuple[object, ...]]], inventory: Inventory
) -> None:
    """The management port comes from the inventory (ansible_port, else 22), not the plan."""
    plan, _ = corpus_plan
    for item in plan.decisions:
        if item.host is None:  # a name-addressed scan target: no host, no actions on one
            assert not CUTTING & {a.type for a in item.actions}
    hosts = {h.name: h for h in inventory.hosts}
    examined = check_management_decisions(plan.decisions, hosts)
    assert examined > 0  # 81 on the shared corpus: ssh on 22 of many hosts


def test_hosts_a_scan_calls_windows_get_only_manual_actions(
    corpus_plan: tuple[Plan, set[tuple[object, ...]]],
) -> None:
    """The corpus inventory says nothing of Windows: the scan's word makes them doubtful."""
    plan, _ = corpus_plan
    windows = {name for name, host in plan.hosts.items() if host.os.name != LINUX}
    assert {plan.hosts[name].os.name for name in windows} == {UNKNOWN}
    assert len(windows) >= 7  # the seven Windows Server 2008 R2 hosts of nessus_v_unknown
    for item in plan.decisions:
        if item.host in windows:
            assert {a.type for a in item.actions} <= {"manual"}
