"""ManagementRule on real scans: where it fires, and where it does not."""

from __future__ import annotations

from pathlib import Path

from remediator.classify.model import Keep
from tests.unit.classify.helpers import action_types, decision, plan_for
from tests.unit.classify.rules.scans import K8S, K8SHOST, NOTHING


def test_management_port_is_kept_and_passes(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, K8S, K8SHOST, NOTHING)
    item = decision(plan, "10.250.195.71/tcp/22/port-open")
    assert (item.rule, item.verdict) == ("management", "pass")
    assert action_types(item) == ["keep"]
    keep = item.actions[0]
    assert isinstance(keep, Keep) and keep.sources is not None
    assert keep.sources.cidrs() == ["192.0.2.0/24"]


def test_vulnerable_management_service_fails_but_stays_up(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, K8S, K8SHOST, NOTHING)
    item = decision(plan, "10.250.195.71/tcp/22/nmap:vulners")
    assert (item.rule, item.verdict, item.kind) == ("management", "fail", "vulnerable-version")
    assert action_types(item) == ["keep", "manual"]


def test_management_port_comes_from_ansible_port(tmp_path: Path) -> None:
    """With ansible_port 9100 the management port is 9100; ssh on 22 is an unapproved port.

    The port is blocked, but sshd is still the management service (the one Ansible
    connects through on 9100), so its units are never disabled (issue 13).
    """
    plan = plan_for(tmp_path, K8S, {"node": ("10.250.195.71", ["k8s"], 9100)}, NOTHING)
    assert decision(plan, "10.250.195.71/tcp/9100/port-open").rule == "management"
    ssh = decision(plan, "10.250.195.71/tcp/22/port-open")
    assert ssh.rule == "remote-access-exposed"
    assert action_types(ssh) == ["firewall_block"]
    assert ssh.notes == (
        "22/tcp is served by ssh, the management service; disabling it would cut "
        "management: blocked instead",
    )
    assert plan.hosts["node"].policy.management_port == ("tcp", 9100)
