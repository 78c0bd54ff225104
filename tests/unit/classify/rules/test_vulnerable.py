"""VulnerableVersionRule on real scans: where it fires, and where it does not."""

from __future__ import annotations

import re
from pathlib import Path

from remediator.classify.model import Patch
from tests.unit.classify.helpers import action_types, decided, decision, plan_for
from tests.unit.classify.rules.scans import GOLHOST, GOLISMERO, NOTHING, allow


def test_vulnerable_php_is_judged_by_the_hosts_changelogs(tmp_path: Path) -> None:
    """The host decides (backport, upgrade, or a person); the scan only names the CVEs."""
    plan = plan_for(tmp_path, GOLISMERO, GOLHOST, allow("legacy", "service=http sources=[any]"))
    item = decision(plan, "10.211.55.35/tcp/80/openvas:1.3.6.1.4.1.25623.1.0.110181")
    assert (item.rule, item.verdict) == ("vulnerable-version", "fail")
    (patch,) = item.actions
    assert isinstance(patch, Patch)
    assert (patch.protocol, patch.port, patch.package) == ("tcp", 80, None)
    assert patch.cves[:2] == ("CVE-2006-7243", "CVE-2010-2094")
    assert all(re.fullmatch(r"CVE-\d{4}-\d{4,7}", c) for c in patch.cves)
    assert "backport" in item.reason and "6.3.3" in item.pci


def test_low_vulnerable_version_is_reported_only(tmp_path: Path) -> None:
    plan = plan_for(
        tmp_path, GOLISMERO, GOLHOST, allow("legacy", "service=mysql sources=[internal]")
    )
    item = decision(plan, "10.211.55.35/tcp/3306/openvas:1.3.6.1.4.1.25623.1.0.801380")
    assert (item.rule, item.verdict, item.actions) == ("vulnerable-version", "pass", ())


def test_vulnerable_version_on_an_unneeded_service_closes_the_port(tmp_path: Path) -> None:
    """No patch task for a service that goes: closing the port resolves it."""
    key = "10.211.55.35/tcp/80/openvas:1.3.6.1.4.1.25623.1.0.110181"
    item = decided(tmp_path, GOLISMERO, GOLHOST, NOTHING, key)
    assert (item.rule, item.kind) == ("needless-exposure", "vulnerable-version")
    assert action_types(item) == ["disable_service", "firewall_block"]
