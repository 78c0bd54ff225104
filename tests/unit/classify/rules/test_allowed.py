"""AllowedServiceRule on real scans: where it fires, and where it does not."""

from __future__ import annotations

from pathlib import Path

from remediator.classify.model import FirewallRestrict
from tests.unit.classify.helpers import action_types, decided, decision, plan_for
from tests.unit.classify.rules.scans import DIONAEA, HONEYPOT, NOTHING, allow


def test_allowed_from_any_is_kept(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, allow("web", "service=https sources=[any]"))
    item = decision(plan, "172.28.1.3/tcp/443/port-open")
    assert (item.rule, item.verdict) == ("allowed-service", "pass")
    assert (item.justification, item.owner) == ("needed", "ops")


def test_allowed_internally_is_restricted_not_disabled(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, allow("web", "service=smb sources=[internal]"))
    item = decision(plan, "172.28.1.3/tcp/445/port-open")
    assert (item.rule, item.verdict) == ("allowed-service", "fail")
    restrict = item.actions[0]
    assert isinstance(restrict, FirewallRestrict)
    assert restrict.sources.cidrs() == ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]


def test_database_allowed_from_anywhere_still_fails_the_asv(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, allow("web", "service=mysql sources=[any]"))
    item = decision(plan, "172.28.1.3/tcp/3306/port-open")
    assert (item.rule, item.verdict, item.asv) == ("allowed-service", "fail", "auto_fail")
    assert action_types(item) == ["keep", "manual"]


def test_service_the_policy_does_not_allow_is_not_kept(tmp_path: Path) -> None:
    item = decided(tmp_path, DIONAEA, HONEYPOT, NOTHING, "172.28.1.3/tcp/443/port-open")
    assert (item.rule, item.verdict, item.policy_entry) == ("needless-exposure", "fail", None)
