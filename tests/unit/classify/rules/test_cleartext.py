"""CleartextServiceRule on real scans: where it fires, and where it does not."""

from __future__ import annotations

from pathlib import Path

from remediator.classify.model import DisableService, EnforceTls
from tests.unit.classify.helpers import decision, plan_for
from tests.unit.classify.rules.scans import META, METAHOST, NOTHING, allow


def test_unneeded_telnet_is_disabled_with_its_inetd_entry(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, META, METAHOST, NOTHING)
    item = decision(plan, "10.0.0.1/tcp/23/nessus:42263")
    assert (item.rule, item.verdict, item.kind) == (
        "cleartext-service",
        "fail",
        "cleartext-service",
    )
    disable = item.actions[0]
    assert isinstance(disable, DisableService) and disable.inetd == ("telnet",)
    assert "SSH" in item.reason


def test_allowed_ftp_with_cleartext_logins_gets_tls_for_logins(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, META, METAHOST, allow("legacy", "service=ftp sources=[any]"))
    item = decision(plan, "10.0.0.1/tcp/21/nessus:34324")
    assert (item.rule, item.verdict) == ("cleartext-service", "fail")
    tls = item.actions[0]
    assert isinstance(tls, EnforceTls)
    assert tls.require_tls_for_auth and tls.candidates == ("vsftpd",)
    assert any("vsftpd" in impact for impact in item.client_impacts)


def test_allowed_telnet_exposure_itself_passes(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, META, METAHOST, allow("legacy", "service=telnet sources=[any]"))
    item = decision(plan, "10.0.0.1/tcp/23/port-open")
    assert (item.rule, item.verdict, item.asv) == ("allowed-service", "pass", "special_note")
