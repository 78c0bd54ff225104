"""NeedlessExposureRule on real scans: where it fires, and where it does not."""

from __future__ import annotations

from pathlib import Path

from tests.unit.classify.helpers import action_types, decision, plan_for
from tests.unit.classify.rules.scans import DIONAEA, HONEYPOT, NOTHING, allow


def test_unneeded_dns_is_disabled_and_blocked(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, NOTHING)
    item = decision(plan, "172.28.1.3/tcp/53/port-open")
    assert (item.rule, item.verdict) == ("needless-exposure", "fail")
    assert action_types(item) == ["disable_service", "firewall_block"]


def test_windows_rpc_is_blocked_not_stopped(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, NOTHING)
    item = decision(plan, "172.28.1.3/tcp/135/port-open")
    assert action_types(item) == ["firewall_block"]
    assert "Windows itself depends" in item.reason


def test_allowed_dns_passes(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, allow("web", "service=dns sources=[any]"))
    item = decision(plan, "172.28.1.3/tcp/53/port-open")
    assert (item.rule, item.verdict) == ("allowed-service", "pass")


def test_unneeded_http_beside_allowed_https_keeps_the_web_server(tmp_path: Path) -> None:
    """Port 80 and 443 share nginx/apache2: blocking 80 must not stop the allowed 443."""
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, allow("web", "service=https sources=[any]"))
    item = decision(plan, "172.28.1.3/tcp/80/port-open")
    assert (item.rule, item.verdict) == ("needless-exposure", "fail")
    assert action_types(item) == ["firewall_block"]
    assert "also provides allowed https" in item.reason
