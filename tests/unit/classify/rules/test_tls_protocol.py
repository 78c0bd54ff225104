"""WeakTlsProtocolRule on real scans: where it fires, and where it does not."""

from __future__ import annotations

from pathlib import Path

from remediator.classify.model import EnforceTls
from tests.unit.classify.helpers import action_types, decision, plan_for
from tests.unit.classify.rules.scans import ANON, NOTHING, allow, seccubus


def test_early_tls_on_allowed_https_is_enforced(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, seccubus(tmp_path), ANON, allow("web", "service=https sources=[any]"))
    item = decision(plan, "192.0.2.80/tcp/443/nmap:ssl-enum-ciphers:TLSv1.0")
    assert (item.rule, item.verdict, item.asv) == ("weak-tls-protocol", "fail", "auto_fail")
    tls = item.actions[0]
    assert isinstance(tls, EnforceTls)
    assert (tls.profile, tls.min_version, tls.protocols) == (
        "intermediate",
        "TLSv1.2",
        ("TLSv1.2", "TLSv1.3"),
    )
    assert tls.candidates == ("nginx", "apache2")
    assert item.client_impacts


def test_early_tls_on_unneeded_service_is_not_enforced(tmp_path: Path) -> None:
    """TLS is enforced only where the service itself is allowed; else the port closes."""
    plan = plan_for(tmp_path, seccubus(tmp_path), ANON, NOTHING)
    item = decision(plan, "192.0.2.80/tcp/443/nmap:ssl-enum-ciphers:TLSv1.0")
    assert item.rule == "needless-exposure"
    assert "enforce_tls" not in action_types(item)


def test_strong_protocol_row_passes(tmp_path: Path) -> None:
    hosts = {"gh": ("185.199.110.153", ["web"], None)}
    plan = plan_for(
        tmp_path,
        "other/defectdojo_testssl_many_vuln.csv",
        hosts,
        allow("web", "service=https sources=[any]", "service=http sources=[any]"),
    )
    item = decision(plan, "185.199.110.153/tcp/443/testssl:TLS1_2")
    assert (item.kind, item.verdict) == ("other", "pass")
