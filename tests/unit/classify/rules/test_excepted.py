"""ExceptedRule on real scans: where it fires, and where it does not."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.unit.classify.helpers import action_types, decision, plan_for
from tests.unit.classify.rules.scans import META, METAHOST, NOTHING

EXCEPTION = """\
exceptions:
  - finding: "meta/udp/69/*"
    justification: PXE boot of the lab switches
    approved_by: ciso
    expires: 2026-12-31
"""


def test_active_exception_excepts_the_finding(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, META, METAHOST, NOTHING + EXCEPTION)
    item = decision(plan, "10.0.0.1/udp/69/port-open")
    assert (item.verdict, item.actions) == ("excepted", ())
    assert item.exception is not None and item.exception.active
    assert item.reason.startswith("Excepted until 2026-12-31 (exceptions[0], approved by ciso)")


def test_expired_exception_no_longer_applies(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, META, METAHOST, NOTHING + EXCEPTION, as_of=date(2027, 1, 1))
    item = decision(plan, "10.0.0.1/udp/69/port-open")
    assert item.verdict == "fail"
    assert action_types(item) == ["disable_service", "firewall_block"]
    assert item.exception is not None and not item.exception.active
    assert "expired on 2026-12-31 and no longer applies" in item.reason


def test_exception_by_kind_leaves_other_findings_alone(tmp_path: Path) -> None:
    body = NOTHING + EXCEPTION.replace('"meta/udp/69/*"', '"10.0.0.1/*"').replace(
        "    justification", "    kind: default-credentials\n    justification"
    )
    plan = plan_for(tmp_path, META, METAHOST, body)
    assert decision(plan, "10.0.0.1/tcp/5900/nessus:61708").verdict == "excepted"
    assert decision(plan, "10.0.0.1/tcp/5900/port-open").verdict == "fail"
