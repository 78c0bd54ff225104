"""WeakCipherRule on real scans: where it fires, and where it does not."""

from __future__ import annotations

from pathlib import Path

from remediator.classify.model import EnforceTls
from tests.unit.classify.helpers import action_types, decided, decision, plan_for
from tests.unit.classify.rules.scans import ANON, META, METAHOST, NOTHING, allow, seccubus


def test_weak_ciphers_on_allowed_https_are_enforced(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, seccubus(tmp_path), ANON, allow("web", "service=https sources=[any]"))
    item = decision(plan, "192.0.2.80/tcp/443/nmap:ssl-enum-ciphers:TLSv1.0:weak-ciphers")
    assert (item.rule, item.verdict, item.kind) == ("weak-cipher", "fail", "weak-cipher")
    tls = item.actions[0]
    assert isinstance(tls, EnforceTls) and "ECDHE-RSA-AES128-GCM-SHA256" in tls.ciphers


def test_weak_ciphers_on_allowed_smtp_warn_of_legacy_senders(tmp_path: Path) -> None:
    """Nessus named no product here: the MTAs the catalog knows for SMTP are candidates."""
    plan = plan_for(tmp_path, META, METAHOST, allow("legacy", "service=smtp sources=[any]"))
    item = decision(plan, "10.0.0.1/tcp/25/nessus:42873")
    assert item.rule == "weak-cipher"
    tls = item.actions[0]
    assert isinstance(tls, EnforceTls)
    assert (tls.daemon, tls.candidates) == (None, ("postfix", "exim4"))
    assert any("legacy senders" in impact for impact in item.client_impacts)


def test_average_cipher_list_row_passes(tmp_path: Path) -> None:
    hosts = {"gh": ("185.199.110.153", ["web"], None)}
    plan = plan_for(
        tmp_path,
        "other/defectdojo_testssl_many_vuln.csv",
        hosts,
        allow("web", "service=https sources=[any]", "service=http sources=[any]"),
    )
    item = decision(plan, "185.199.110.153/tcp/443/testssl:cipherlist_AVERAGE")
    assert item.verdict == "pass"


def test_weak_ciphers_on_an_unneeded_service_close_the_port(tmp_path: Path) -> None:
    """Ciphers are tuned only where the service is allowed; else the port closes."""
    key = "192.0.2.80/tcp/443/nmap:ssl-enum-ciphers:TLSv1.0:weak-ciphers"
    item = decided(tmp_path, seccubus(tmp_path), ANON, NOTHING, key)
    assert (item.rule, item.kind) == ("needless-exposure", "weak-cipher")
    assert "enforce_tls" not in action_types(item)
