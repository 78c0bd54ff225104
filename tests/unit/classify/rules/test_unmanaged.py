"""UnmanagedHostRule on real scans: where it fires, and where it does not."""

from __future__ import annotations

from pathlib import Path

from tests.unit.classify.helpers import action_types, decided, decision, plan_for
from tests.unit.classify.rules.scans import DIONAEA, HONEYPOT, NOTHING


def test_unmanaged_exposure_fails_with_a_manual_task(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, {"other": ("192.0.2.99", ["web"], None)}, NOTHING)
    item = decision(plan, "172.28.1.3/tcp/21/port-open")
    assert (item.rule, item.verdict, item.host) == ("unmanaged-host", "fail", None)
    assert action_types(item) == ["manual"]
    assert "matches no inventory host" in item.reason


def test_unmanaged_informational_finding_passes(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, {"other": ("192.0.2.99", ["web"], None)}, NOTHING)
    item = decision(plan, "172.28.1.3/ip/0/nmap:clock-skew")
    assert (item.rule, item.verdict, item.actions) == ("unmanaged-host", "pass", ())


def test_same_finding_on_an_inventory_host_is_not_unmanaged(tmp_path: Path) -> None:
    """Once the address maps to an inventory host, the port's own rule decides it."""
    item = decided(tmp_path, DIONAEA, HONEYPOT, NOTHING, "172.28.1.3/tcp/21/port-open")
    assert (item.rule, item.host) == ("cleartext-service", "honeypot")
