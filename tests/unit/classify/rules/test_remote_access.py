"""RemoteAccessRule on real scans: where it fires, and where it does not."""

from __future__ import annotations

from pathlib import Path

from tests.unit.classify.helpers import decision, plan_for
from tests.unit.classify.rules.scans import META, METAHOST, NOTHING, allow


def test_unneeded_remote_desktop_is_disabled(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, META, METAHOST, NOTHING)
    item = decision(plan, "10.0.0.1/tcp/5900/port-open")
    assert (item.rule, item.verdict, item.service) == ("remote-access-exposed", "fail", "vnc")
    assert "2.2.7" in item.pci


def test_allowed_remote_desktop_passes(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, META, METAHOST, allow("legacy", "service=vnc sources=[any]"))
    item = decision(plan, "10.0.0.1/tcp/5900/port-open")
    assert (item.rule, item.verdict) == ("allowed-service", "pass")
