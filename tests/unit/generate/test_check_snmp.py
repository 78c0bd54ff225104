"""The generated suites' SNMP community check against real snmpd.conf files.

``snmp_communities_within`` must fail on an agent that answers a community from anywhere
and pass once every community is gone or limited to the policy's sources. The weak file
is the lab legacy host's real snmpd.conf (community ``public`` from ``default``); the
lines read include Debian 12's shipped defaults (``rocommunity  public default -V
systemonly``) and the comments the harden role's template writes. On real hosts, the
lab test of the role (tests/lab/run/test_harden_logins.py) sees it fail before the
change and pass after.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
LEGACY = REPO / "remediator" / "lab" / "provision" / "legacy" / "files" / "etc" / "snmp"
SOURCES = ("10.213.0.1/32", "fd00:213::1/128")


class SnmpdConfIs:
    """A testinfra host whose ``cat /etc/snmp/snmpd.conf`` prints ``text`` (every other
    command runs here, on the local host)."""

    def __init__(self, host: Any, text: str) -> None:
        self.host = host
        self.text = text
        self.asked: list[str] = []

    def run(self, command: str, *args: str) -> Any:
        self.asked.append(command % args if args else command)
        if self.asked[-1] == "cat /etc/snmp/snmpd.conf":
            return self.host.run("printf %s %s", "%s", self.text)
        return self.host.run(command, *args)


@pytest.mark.parametrize(
    ("line", "source"),
    [
        ("rocommunity public default", "default"),
        ("ROCommunity public default", "default"),
        ("Com2Sec6 readonly fd00::/64 public", "fd00::/64"),
        ("rocommunity  public default -V systemonly", "default"),
        ("rocommunity6 public default -V systemonly", "default"),
        ("rocommunity public", "default"),
        ("rocommunity public -V systemonly", "default"),
        ("rwcommunity secret 10.0.0.0/8 .1.3.6.1.2.1", "10.0.0.0/8"),
        ("com2sec readonly 192.0.2.0/24 public", "192.0.2.0/24"),
        ("com2sec -Cn ctx readonly 192.0.2.0/24 public", "192.0.2.0/24"),
        ("  rocommunity public localhost", "localhost"),
        ("# rocommunity public default", None),
        ("rouser authPrivUser authpriv -V systemonly", None),
        ("agentAddress udp:161,udp6:161", None),
    ],
)
def test_community_lines_are_read_for_their_source(
    checks: ModuleType, line: str, source: str | None
) -> None:
    assert checks.snmp_community_source(line) == source


def test_the_lab_agent_answering_public_from_anywhere_fails(checks: ModuleType, local: Any) -> None:
    host = SnmpdConfIs(local, (LEGACY / "snmpd.conf").read_text("utf-8"))
    assert not checks.snmp_communities_within(host, SOURCES)
    assert host.asked[0] == "cat /etc/snmp/snmpd.conf"


def test_communities_limited_to_the_sources_or_loopback_pass(
    checks: ModuleType, local: Any
) -> None:
    text = (
        "agentAddress udp:161,udp6:161\n"
        "# remediator-harden: community restricted to the sources below: "
        "rocommunity public default\n"
        "rocommunity public 10.213.0.1/32\n"
        "rocommunity6 public fd00:213::1/128\n"
        "rocommunity public localhost\n"
        "rocommunity public 127.0.0.1\n"
    )
    assert checks.snmp_communities_within(SnmpdConfIs(local, text), SOURCES)
    assert not checks.snmp_communities_within(SnmpdConfIs(local, text), ())
    wider = text + "rocommunity public 10.213.0.0/24\n"
    assert not checks.snmp_communities_within(SnmpdConfIs(local, wider), SOURCES)


def test_no_community_at_all_passes_without_sources(checks: ModuleType, local: Any) -> None:
    text = (
        "# remediator-harden: SNMPv3 is configured, community removed: rocommunity public default\n"
        "rouser labmon authpriv\n"
    )
    assert checks.snmp_communities_within(SnmpdConfIs(local, text), ())


def test_an_unreadable_file_proves_nothing(checks: ModuleType, local: Any) -> None:
    class Unreadable(SnmpdConfIs):
        def run(self, command: str, *args: str) -> Any:
            return self.host.run("false")

    assert not checks.snmp_communities_within(Unreadable(local, ""), SOURCES)
