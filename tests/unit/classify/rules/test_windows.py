"""Who is Windows: the inventory says; a scan's OS guess can only make a host doubtful.

WindowsRule on real scans: where it fires, and where it does not. The scan's OS text is
hostile input: it must never make a host Windows (that would choose the roles run on
it), only keep Linux roles off a host it calls Windows until the inventory settles it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remediator.classify import hostos
from remediator.classify.hostos import LINUX, UNKNOWN, host_os
from remediator.classify.plan import build_plan
from remediator.classify.plan_document import parse_plan, plan_text
from remediator.classify.policy.read import load_policy
from remediator.generate.jobs import build_jobs, unknown_os_hosts
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import InventoryHost, load_inventory
from remediator.ingest.model import ScannedHost
from tests.corpus import corpus_path
from tests.unit.classify.helpers import AS_OF, action_types, decision, plan_for
from tests.unit.classify.rules.scans import DIONAEA, HONEYPOT, NOTHING, WINDOWS, WINHOST


def test_a_host_only_the_scan_calls_windows_gets_manual_never_linux_tasks(
    tmp_path: Path,
) -> None:
    plan = plan_for(tmp_path, WINDOWS, WINHOST, "groups:\n  windows: {allow: []}\n")
    item = decision(plan, "10.31.112.21/tcp/3389/port-open")
    assert (item.verdict, action_types(item)) == ("fail", ["manual"])
    assert "Windows Server 2008 R2" in item.reason
    assert "the inventory does not say Windows" in item.reason
    assert "TermService" in item.actions[0].to_json()["task"]
    assert plan.hosts["win1"].os.name == UNKNOWN
    assert plan.to_json()["hosts"]["win1"]["os"] == "unknown"


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"ansible_connection": "winrm"}, hostos.WINDOWS),
        ({"ansible_connection": "psrp"}, hostos.WINDOWS),
        ({"remediator_os": "linux"}, LINUX),  # the admin settles what the scan disputes
        ({"ansible_connection": "ssh"}, UNKNOWN),
    ],
)
def test_the_inventory_settles_what_the_scan_says(variables: dict[str, str], expected: str) -> None:
    host = InventoryHost("win1", ("10.31.112.21",), ("windows",), variables=variables)
    scanned = ScannedHost("10.31.112.21", os="Microsoft Windows Server 2008 R2")
    assert host_os(host, scanned).name == expected


@given(st.text(max_size=200))
def test_no_os_text_a_scan_reports_makes_a_host_windows(os_text: str) -> None:
    host = InventoryHost("h", ("192.0.2.7",), ("web",))
    verdict = host_os(host, ScannedHost("192.0.2.7", os=os_text))
    assert verdict.name in (LINUX, UNKNOWN)
    assert (verdict.name == UNKNOWN) == ("windows" in os_text.lower())


def test_a_linux_host_the_scan_calls_windows_is_not_in_the_linux_project(
    tmp_path: Path,
) -> None:
    plan = plan_for(tmp_path, WINDOWS, WINHOST, "groups:\n  windows: {allow: []}\n")
    document = parse_plan(plan_text(plan.to_json()).encode(), "plan.json")
    assert "win1" not in {job.name for job in build_jobs(document)}
    assert "win1" in unknown_os_hosts(document)


@pytest.mark.parametrize("variable", ["ansible_connection: winrm", "ansible_os_family: Windows"])
def test_windows_from_inventory_facts(tmp_path: Path, variable: str) -> None:
    inventory = tmp_path / "inventory.yml"
    plan_for(tmp_path, DIONAEA, HONEYPOT, NOTHING)  # writes the policy file
    inventory.write_text(
        f"all:\n  children:\n    web:\n      hosts:\n        honeypot:\n"
        f"          ansible_host: 172.28.1.3\n          {variable}\n",
        encoding="utf-8",
    )
    inv = load_inventory(inventory)
    plan = build_plan(
        load_findings([corpus_path(DIONAEA)], inventory=inv),
        load_policy(tmp_path / "policy.yml", inv),
        inv,
        AS_OF,
    )
    item = decision(plan, "172.28.1.3/tcp/3306/port-open")
    # Windows by the inventory: a Windows action, not a manual task. MySQL has no Windows
    # service in the catalog, so the Windows Firewall blocks its port.
    assert action_types(item) == ["firewall_block"]
    assert "inventory ansible_" in item.reason
    assert "No Windows service is known" in item.reason


def test_linux_host_gets_linux_tasks(tmp_path: Path) -> None:
    """Without Windows facts the same exposed database is disabled and blocked."""
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, NOTHING)
    item = decision(plan, "172.28.1.3/tcp/3306/port-open")
    assert action_types(item) == ["disable_service", "firewall_block"]
    assert plan.hosts["honeypot"].os.name == LINUX
