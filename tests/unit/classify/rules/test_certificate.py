"""CertificateRule on real scans: where it fires, and where it does not."""

from __future__ import annotations

from pathlib import Path

from tests.unit.classify.helpers import action_types, decided, decision, plan_for
from tests.unit.classify.rules.scans import DIONAEA, HONEYPOT, META, METAHOST, NOTHING, allow


def test_self_signed_certificate_is_reported_for_a_person(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, allow("web", "service=https sources=[any]"))
    item = decision(plan, "172.28.1.3/tcp/443/nmap:ssl-cert")
    assert (item.rule, item.verdict, item.kind) == ("certificate", "fail", "certificate")
    assert action_types(item) == ["manual"]
    assert "4.2.1.1" in item.pci


def test_certificate_information_passes(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, META, METAHOST, allow("legacy", "service=smtp sources=[any]"))
    item = decision(plan, "10.0.0.1/tcp/25/nessus:10863")
    assert (item.rule, item.verdict, item.actions) == ("certificate", "pass", ())


def test_certificate_on_an_unneeded_service_closes_the_port(tmp_path: Path) -> None:
    """No certificate work for a service that goes: closing the port resolves it."""
    item = decided(tmp_path, DIONAEA, HONEYPOT, NOTHING, "172.28.1.3/tcp/443/nmap:ssl-cert")
    assert (item.rule, item.kind) == ("needless-exposure", "certificate")
    assert action_types(item) == ["disable_service", "firewall_block"]
