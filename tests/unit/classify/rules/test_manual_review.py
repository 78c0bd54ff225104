"""ManualReviewRule on real scans: where it fires, and where it does not."""

from __future__ import annotations

from pathlib import Path

from tests.unit.classify.helpers import decided, decision, plan_for
from tests.unit.classify.rules.scans import DIONAEA, HONEYPOT, META, METAHOST, NOTHING, allow


def test_backdoor_is_a_manual_incident(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, META, METAHOST, allow("legacy", "service=irc sources=[any]"))
    item = decision(plan, "10.0.0.1/tcp/6667/nessus:46882")
    assert (item.rule, item.verdict, item.asv) == ("manual-review", "fail", "auto_fail")
    assert "compromised" in item.actions[0].to_json()["task"]


def test_informational_host_finding_passes(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, NOTHING)
    item = decision(plan, "172.28.1.3/ip/0/nmap:clock-skew")
    assert (item.rule, item.verdict, item.actions) == ("manual-review", "pass", ())


def test_backdoor_on_an_unmanaged_address_is_not_reviewed_here(tmp_path: Path) -> None:
    """Unmanaged addresses are decided first: the backdoor there is the unmanaged rule's."""
    hosts = {"other": ("192.0.2.99", ["legacy"], None)}
    item = decided(tmp_path, META, hosts, NOTHING, "10.0.0.1/tcp/6667/nessus:46882")
    assert (item.rule, item.kind, item.host) == ("unmanaged-host", "backdoor", None)
