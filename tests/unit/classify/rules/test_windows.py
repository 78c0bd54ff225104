"""WindowsRule on real scans: where it fires, and where it does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from remediator.classify.plan import build_plan
from remediator.classify.policy.read import load_policy
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import load_inventory
from tests.corpus import corpus_path
from tests.unit.classify.helpers import AS_OF, action_types, decision, plan_for
from tests.unit.classify.rules.scans import DIONAEA, HONEYPOT, NOTHING, WINDOWS, WINHOST


def test_windows_host_gets_manual_never_linux_tasks(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, WINDOWS, WINHOST, "groups:\n  windows: {allow: []}\n")
    item = decision(plan, "10.31.112.21/tcp/3389/port-open")
    assert (item.verdict, action_types(item)) == ("fail", ["manual"])
    assert "Windows Server 2008 R2" in item.reason
    assert "TermService" in item.actions[0].to_json()["task"]
    assert plan.hosts["win1"].windows_reason is not None


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
    assert action_types(item) == ["manual"]
    assert "inventory ansible_" in item.reason


def test_linux_host_gets_linux_tasks(tmp_path: Path) -> None:
    """Without Windows facts the same exposed database is disabled and blocked."""
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, NOTHING)
    item = decision(plan, "172.28.1.3/tcp/3306/port-open")
    assert action_types(item) == ["disable_service", "firewall_block"]
    assert plan.hosts["honeypot"].windows_reason is None
