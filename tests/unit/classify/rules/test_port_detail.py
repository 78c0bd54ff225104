"""PortDetailRule on real scans: where it fires, and where it does not."""

from __future__ import annotations

from pathlib import Path

from tests.unit.classify.helpers import action_types, decision, plan_for
from tests.unit.classify.rules.scans import DIONAEA, HONEYPOT, NOTHING


def test_informational_detail_on_a_closing_port_passes(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, NOTHING)
    item = decision(plan, "172.28.1.3/tcp/3306/nmap:mysql-info")
    assert (item.rule, item.verdict, item.actions) == ("port-detail", "pass", ())
    assert decision(plan, "172.28.1.3/tcp/3306/port-open").verdict == "fail"


def test_failing_detail_on_a_closing_port_keeps_the_removal(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, NOTHING)
    item = decision(plan, "172.28.1.3/tcp/11211/nmap:vulners")
    assert (item.rule, item.verdict) == ("database-exposed", "fail")
    assert action_types(item) == ["disable_service", "firewall_block"]
    assert "also resolves this finding (Known-vulnerable software version)" in item.reason
