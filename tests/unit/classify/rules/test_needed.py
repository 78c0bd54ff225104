"""NeededServiceRule on real scans: where it fires, and where it does not."""

from __future__ import annotations

from pathlib import Path

from tests.unit.classify.helpers import action_types, decided, decision, plan_for
from tests.unit.classify.rules.scans import K8S, K8SHOST, allow


def test_locally_needed_database_is_kept_and_blocked(tmp_path: Path) -> None:
    body = allow("k8s", "service=https-alt sources=[any] needs=[mysql]")
    plan = plan_for(tmp_path, K8S, K8SHOST, body)
    item = decision(plan, "10.250.195.71/tcp/30367/port-open")
    assert (item.rule, item.verdict, item.service) == ("needed-service", "fail", "mysql")
    assert action_types(item) == ["firewall_block"]
    assert item.policy_entry == "groups.k8s.allow[0]"


def test_network_dependency_reachable_like_its_user_passes(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, K8S, K8SHOST, allow("k8s", "service=nfs sources=[any]"))
    item = decision(plan, "10.250.195.71/tcp/111/port-open")
    assert (item.rule, item.verdict, item.service) == ("needed-service", "pass", "rpcbind")
    assert action_types(item) == ["keep"]


def test_database_no_allowed_service_needs_is_not_kept(tmp_path: Path) -> None:
    """Without ``needs: [mysql]`` the same MySQL port is an exposed database, removed."""
    body = allow("k8s", "service=https-alt sources=[any]")
    item = decided(tmp_path, K8S, K8SHOST, body, "10.250.195.71/tcp/30367/port-open")
    assert (item.rule, item.verdict, item.service) == ("database-exposed", "fail", "mysql")
    assert action_types(item) == ["disable_service", "firewall_block"]
