"""DatabaseExposedRule on real scans: where it fires, and where it does not."""

from __future__ import annotations

from pathlib import Path

from remediator.classify.model import DisableService
from tests.unit.classify.helpers import action_types, decision, plan_for
from tests.unit.classify.rules.scans import DIONAEA, HONEYPOT, NOTHING, allow


def test_exposed_database_is_disabled_and_blocked(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, NOTHING)
    item = decision(plan, "172.28.1.3/tcp/3306/port-open")
    assert (item.rule, item.verdict, item.asv) == ("database-exposed", "fail", "auto_fail")
    assert action_types(item) == ["disable_service", "firewall_block"]
    disable = item.actions[0]
    assert isinstance(disable, DisableService)
    assert "mariadb.service" in disable.units and "mariadb.socket" in disable.sockets
    assert "1.4.4" in item.pci
    assert item.options[0].name == "remove_packages" and item.options[0].irreversible
    assert item.options[0].enabled is False


def test_database_detail_on_an_allowed_database_passes(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, allow("web", "service=mysql sources=[internal]"))
    item = decision(plan, "172.28.1.3/tcp/3306/nmap:mysql-info")
    assert item.rule != "database-exposed"
    assert item.verdict == "pass"
    assert decision(plan, "172.28.1.3/tcp/3306/port-open").rule == "allowed-service"
