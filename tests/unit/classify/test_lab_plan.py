"""The example lab policy against a saved scan of the real lab (v4 and v6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from remediator.classify.model import Decision, DisableService, EnforceTls, FirewallRestrict
from remediator.classify.plan import Plan, build_plan
from remediator.classify.policy.read import load_policy
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import load_inventory
from tests.unit.classify.helpers import AS_OF

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "lab-policy.yml"
CHANGES = {"disable_service", "firewall_block", "firewall_restrict", "enforce_tls"}


@pytest.fixture(scope="module")
def plan() -> Plan:
    inventory = load_inventory(FIXTURES / "lab-inventory.yml")
    scans = [FIXTURES / "lab-scan.xml", FIXTURES / "lab-scan.v6.xml"]
    findings = load_findings(scans, inventory=inventory)
    return build_plan(findings, load_policy(EXAMPLE, inventory), inventory, AS_OF)


def port(plan: Plan, host: str, number: int, protocol: str = "tcp") -> list[Decision]:
    """The decisions on one port of one host, v4 and v6 alike."""
    found = [
        d for d in plan.decisions if d.host == host and d.port == number and d.protocol == protocol
    ]
    assert found, (host, number)
    return found


def exposure(
    plan: Plan, host: str, number: int, protocol: str = "tcp", families: int = 2
) -> list[str]:
    """Action types of the port-open decision of a port (the same on every address)."""
    opened = [d for d in port(plan, host, number, protocol) if d.check_id == "port-open"]
    assert len(opened) == families
    types = {tuple(a.type for a in d.actions) for d in opened}
    assert len(types) == 1
    return list(types.pop())


def test_every_lab_address_maps_to_its_host(plan: Plan) -> None:
    assert plan.unmatched == ()
    assert {d.host for d in plan.decisions} == {
        "legacy.lab",
        "web.lab",
        "mail.lab",
        "cache.lab",
        "clean.lab",
    }


def test_clean_host_is_left_untouched(plan: Plan) -> None:
    decisions = [d for d in plan.decisions if d.host == "clean.lab"]
    assert not [a for d in decisions for a in d.actions if a.type in CHANGES]
    assert {d.verdict for d in decisions if d.kind == "certificate"} == {"excepted"}


def test_management_is_kept_on_every_host(plan: Plan) -> None:
    for name in ("legacy.lab", "web.lab", "mail.lab", "cache.lab", "clean.lab"):
        assert exposure(plan, name, 22) == ["keep"]


def test_legacy_host(plan: Plan) -> None:
    assert exposure(plan, "legacy.lab", 23) == ["disable_service", "firewall_block"]
    telnet = next(
        a for d in port(plan, "legacy.lab", 23) for a in d.actions if isinstance(a, DisableService)
    )
    assert telnet.inetd == ("telnet",) and telnet.sockets == ("telnet.socket",)
    ftp = port(plan, "legacy.lab", 21)
    assert all("expired on 2026-06-30" in d.reason for d in ftp)
    assert exposure(plan, "legacy.lab", 111) == ["disable_service", "firewall_block"]
    assert exposure(plan, "legacy.lab", 161, "udp") == ["firewall_restrict"]
    # the forgotten MariaDB (v4 only): disabled under all three of its unit names
    assert exposure(plan, "legacy.lab", 3306, families=1) == ["disable_service", "firewall_block"]
    mysql = next(
        a
        for d in port(plan, "legacy.lab", 3306)
        for a in d.actions
        if isinstance(a, DisableService)
    )
    assert {"mariadb.service", "mysql.service", "mysqld.service"} <= set(mysql.units)


def test_web_host(plan: Plan) -> None:
    tls = [a for d in port(plan, "web.lab", 443) for a in d.actions if isinstance(a, EnforceTls)]
    assert tls and {a.daemon for a in tls} == {"nginx"}
    tls = [a for d in port(plan, "web.lab", 8443) for a in d.actions if isinstance(a, EnforceTls)]
    assert tls and {a.daemon for a in tls} == {"apache2"}
    assert exposure(plan, "web.lab", 8443) == ["firewall_restrict"]
    # the shop needs MariaDB (listening on 0.0.0.0 only, so seen over v4 alone)
    assert exposure(plan, "web.lab", 3306, families=1) == ["firewall_block"]
    assert exposure(plan, "web.lab", 80) == ["keep"]


def test_mail_host(plan: Plan) -> None:
    for number in (25, 587):
        decisions = [d for d in port(plan, "mail.lab", number) if d.kind.startswith("tls-protocol")]
        assert decisions and all(
            a.daemon == "postfix" for d in decisions for a in d.actions if isinstance(a, EnforceTls)
        )
    smtp = [d for d in port(plan, "mail.lab", 25) if d.kind == "tls-protocol:TLSv1.0"]
    assert any("legacy senders" in i for d in smtp for i in d.client_impacts)
    for number in (110, 143, 995):  # dovecot stays up for the allowed imaps
        assert exposure(plan, "mail.lab", number) == ["firewall_block"]
    assert exposure(plan, "mail.lab", 993) == ["keep"]


def test_cache_host(plan: Plan) -> None:
    assert exposure(plan, "cache.lab", 6379) == ["firewall_restrict"]
    restrict = next(
        a
        for d in port(plan, "cache.lab", 6379)
        for a in d.actions
        if isinstance(a, FirewallRestrict)
    )
    assert restrict.sources.cidrs() == ["10.213.0.11/32", "fd00:213::11/128"]
    assert exposure(plan, "cache.lab", 11211) == ["disable_service", "firewall_block"]
    assert exposure(plan, "cache.lab", 11211, "udp") == ["disable_service", "firewall_block"]
    assert exposure(plan, "cache.lab", 7) == ["disable_service", "firewall_block"]
