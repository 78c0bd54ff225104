"""UnknownServiceRule on real scans: where it fires, and where it does not."""

from __future__ import annotations

from pathlib import Path

from tests.unit.classify.helpers import action_types, decision, plan_for
from tests.unit.classify.rules.scans import DIONAEA, HONEYPOT, META, METAHOST, NOTHING, allow


def test_unknown_service_needs_a_person(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, NOTHING)
    item = decision(plan, "172.28.1.3/tcp/42/port-open")
    assert (item.rule, item.verdict, item.service) == ("unknown-service", "fail", None)
    assert action_types(item) == ["manual"]
    assert "tcpwrapped" in item.reason


def test_backdoor_on_unknown_port_is_blocked_but_not_stopped(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, META, METAHOST, NOTHING)
    item = decision(plan, "10.0.0.1/tcp/1524/nessus:51988")
    assert (item.rule, item.verdict, item.asv) == ("unknown-service", "fail", "auto_fail")
    assert action_types(item) == ["firewall_block", "manual"]


def test_unknown_service_allowed_by_port_passes(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, allow("web", "port=42 sources=[any]"))
    item = decision(plan, "172.28.1.3/tcp/42/port-open")
    assert (item.rule, item.verdict) == ("allowed-service", "pass")
