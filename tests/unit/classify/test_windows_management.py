"""A Windows host is managed over WinRM: its WinRM port is never blocked or restricted.

Ansible reaches a host whose inventory connection is winrm or psrp on ``ansible_port``, else
5986 (HTTPS), else 5985 when the inventory asks for plain HTTP. That port is the host's
management port: every rule keeps it, and no task, manual ones included, says to block it.
The scan is a Windows Server 2019 host written in nmap's own XML format
(tests/fixtures/nmap/nmap_windows_server.xml).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from remediator.classify.catalog_load import load_catalog
from remediator.classify.identify import identify_service
from remediator.classify.plan import Plan, build_plan
from remediator.classify.policy.host import host_policy
from remediator.errors import PolicyError
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import InventoryHost, load_inventory
from remediator.ingest.model import Service
from tests.unit.classify.helpers import AS_OF, action_types, decision, write_policy

SCAN = Path(__file__).resolve().parents[2] / "fixtures" / "nmap" / "nmap_windows_server.xml"
ADDRESS = "10.40.0.5"
CUTTING = {"firewall_block", "firewall_restrict", "disable_service"}


@pytest.mark.parametrize(
    ("variables", "port"),
    [
        ({"ansible_connection": "winrm"}, 5986),
        ({"ansible_connection": "winrm", "ansible_winrm_scheme": "http"}, 5985),
        ({"ansible_connection": "psrp"}, 5986),
        ({"ansible_connection": "psrp", "ansible_psrp_protocol": "http"}, 5985),
    ],
)
def test_a_winrm_host_is_managed_on_the_port_ansible_uses(
    tmp_path: Path, variables: dict[str, str], port: int
) -> None:
    host = InventoryHost("win1", (ADDRESS,), ("windows",), variables=variables)
    policy = write_policy(tmp_path, "groups:\n  windows: {allow: []}\n")
    managed = host_policy(policy, load_catalog(), host)
    assert (managed.management_service, managed.management_port) == ("winrm", ("tcp", port))


def test_ansible_port_beats_the_winrm_default(tmp_path: Path) -> None:
    host = InventoryHost("win1", (ADDRESS,), ("windows",), 15986, {"ansible_connection": "psrp"})
    policy = write_policy(tmp_path, "groups:\n  windows: {allow: []}\n")
    assert host_policy(policy, load_catalog(), host).management_port == ("tcp", 15986)


def plan_windows(tmp_path: Path, variables: dict[str, str]) -> Plan:
    inventory_file = tmp_path / "inventory.yml"
    host = {"ansible_host": ADDRESS, **variables}
    document = {"all": {"children": {"windows": {"hosts": {"win1": host}}}}}
    inventory_file.write_text(yaml.safe_dump(document), encoding="utf-8")
    inventory = load_inventory(inventory_file)
    policy = write_policy(tmp_path, "groups:\n  windows: {allow: []}\n", inventory)
    return build_plan(load_findings([SCAN], inventory=inventory), policy, inventory, AS_OF)


@pytest.mark.parametrize(
    ("scheme", "managed", "other"), [("https", 5986, 5985), ("http", 5985, 5986)]
)
def test_winrm_is_never_blocked_or_restricted(
    tmp_path: Path, scheme: str, managed: int, other: int
) -> None:
    plan = plan_windows(tmp_path, {"ansible_connection": "winrm", "ansible_winrm_scheme": scheme})
    kept = decision(plan, f"{ADDRESS}/tcp/{managed}/port-open")
    assert not CUTTING & set(action_types(kept))
    assert "manual" not in action_types(kept)  # not even a person is told to cut it
    assert kept.verdict == "pass"
    assert plan.to_json()["hosts"]["win1"]["management"]["port"] == managed
    # The other WinRM port is blocked at the Windows Firewall, never disabled: one service
    # (WinRM) listens on both.
    assert action_types(decision(plan, f"{ADDRESS}/tcp/{other}/port-open")) == ["firewall_block"]


@pytest.mark.parametrize(
    "entry",
    [
        "allow:\n      - service: winrm\n        sources: [internal]\n"
        "        justification: x\n        owner: y\n",
        "allow:\n      - port: 5986\n        sources: [internal]\n"
        "        justification: x\n        owner: y\n",
        "deny:\n      - service: winrm\n        reason: not wanted\n",
    ],
)
def test_a_policy_that_would_cut_winrm_is_refused(tmp_path: Path, entry: str) -> None:
    inventory_file = tmp_path / "inventory.yml"
    host = {"ansible_host": ADDRESS, "ansible_connection": "winrm"}
    document = {"all": {"children": {"windows": {"hosts": {"win1": host}}}}}
    inventory_file.write_text(yaml.safe_dump(document), encoding="utf-8")
    inventory = load_inventory(inventory_file)
    with pytest.raises(PolicyError, match=r"management connection \(.*winrm on 5986/tcp\)"):
        write_policy(tmp_path, f"groups:\n  windows:\n    {entry}", inventory)


def test_winrm_over_http_is_winrm_not_a_web_server(tmp_path: Path) -> None:
    """nmap names WinRM's HTTP.sys listener ``http`` ("Microsoft HTTPAPI httpd 2.0"): on a
    WinRM port that is WinRM, and the task must not be to stop IIS (W3SVC)."""
    plan = plan_windows(tmp_path, {"ansible_connection": "winrm"})
    item = decision(plan, f"{ADDRESS}/tcp/5985/port-open")
    assert item.service == "winrm"
    assert [a.to_json() for a in item.actions] == [
        {"type": "firewall_block", "protocol": "tcp", "port": 5985}
    ]  # blocked; neither IIS (W3SVC) nor the management service (WinRM) is stopped


def test_httpapi_elsewhere_is_not_taken_for_winrm() -> None:
    catalog = load_catalog()
    httpapi = Service(ADDRESS, "tcp", 5357, name="http", product="Microsoft HTTPAPI httpd")
    found = identify_service(catalog, "tcp", 5357, httpapi)
    assert found is not None and found.name != "winrm"
