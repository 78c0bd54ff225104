"""AnonymousFtpRule and SnmpCommunityRule on real scans.

lab_ftp_anon_snmp.xml is nmap 7.93 (-sS -sU -sV, ftp-anon and snmp-sysdescr) against
ports 21, 22 and 161/udp of the lab's legacy host (10.213.0.10): vsftpd lets anonymous
in, snmpd answers community ``public``. The corpus adds the same finding from other
people's scans: Pure-FTPd found without version detection (no product), and a Synology
NAS's own ftpd.
"""

from __future__ import annotations

from pathlib import Path

from remediator.classify.model import Decision, Harden, Keep, Manual
from remediator.classify.plan import Plan, build_plan
from remediator.classify.plan_document import from_plan, parse_plan
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import load_inventory
from tests.unit.classify.helpers import AS_OF, decided, decision, write_policy

SCAN = Path(__file__).parents[2] / "fixtures" / "lab_ftp_anon_snmp.xml"
FTP = "10.213.0.10/tcp/21/nmap:ftp-anon"
SNMP = "10.213.0.10/udp/161/nmap:snmp-sysdescr"


def _plan(tmp_path: Path, ftp: str = "[any]", snmp: str = "[any]", windows: bool = False) -> Plan:
    path = tmp_path / "inventory.yml"
    path.write_text(
        "all:\n  children:\n    legacy:\n      hosts:\n        legacy:\n"
        "          ansible_host: 10.213.0.10\n"
        + ("          ansible_connection: winrm\n" if windows else ""),
        encoding="utf-8",
    )
    inventory = load_inventory(path)
    allow = "".join(
        f"      - {{service: {service}, sources: {sources}, justification: j, owner: o}}\n"
        for service, sources in (("ftp", ftp), ("snmp", snmp))
        if sources
    )
    body = f"groups:\n  legacy:\n    allow:\n{allow}"
    policy = write_policy(tmp_path, body, inventory)
    return build_plan(load_findings([SCAN], inventory=inventory), policy, inventory, AS_OF)


def _harden(item: Decision) -> Harden:
    actions = item.actions
    assert isinstance(actions[0], Keep), actions
    assert isinstance(actions[1], Harden), actions
    return actions[1]


def test_anonymous_ftp_on_an_allowed_vsftpd_is_turned_off(tmp_path: Path) -> None:
    item = decision(_plan(tmp_path), FTP)
    assert (item.rule, item.verdict, item.kind) == ("anonymous-ftp", "fail", "default-credentials")
    harden = _harden(item)
    assert (harden.daemon, harden.settings, harden.port) == ("vsftpd", ("anonymous_off",), 21)
    assert "the scanner named vsftpd" in item.reason
    assert "anonymous" in harden.clients


def test_anonymous_ftp_on_a_port_nobody_allows_is_removed_not_hardened(tmp_path: Path) -> None:
    item = decision(_plan(tmp_path, ftp=""), FTP)
    assert item.rule != "anonymous-ftp"
    assert not any(isinstance(a, Harden) for a in item.actions), item.actions


def test_an_ftp_server_found_without_a_product_is_taken_for_vsftpd_checked_on_the_host(
    tmp_path: Path,
) -> None:
    """The banner says Pure-FTPd; banners are scan text and choose nothing. The plan says
    it guessed, and the role refuses where vsftpd's configuration is missing."""
    item = decided(
        tmp_path,
        "nmap/securecodebox_nmap_ftp.xml",
        {"ftp": ("10.103.42.74", ("ftp",), None)},
        "groups:\n  ftp:\n    allow:\n      - {service: ftp, sources: [any], justification: j, "
        "owner: o}\n",
        "10.103.42.74/tcp/21/nmap:ftp-anon",
    )
    assert _harden(item).daemon == "vsftpd"
    assert "did not name the server" in item.reason
    assert "refuses" in item.reason


def test_another_named_ftp_server_is_a_persons_task(tmp_path: Path) -> None:
    item = decided(
        tmp_path,
        "nmap/libnmap_dionaea_scan.xml",
        {"nas": ("172.28.1.3", ("nas",), None)},
        "groups:\n  nas:\n    allow:\n      - {service: ftp, sources: [any], justification: j, "
        "owner: o}\n",
        "172.28.1.3/tcp/21/nmap:ftp-anon",
    )
    assert item.rule == "anonymous-ftp" and item.verdict == "fail"
    assert not any(isinstance(a, Harden) for a in item.actions)
    manual = [a for a in item.actions if isinstance(a, Manual)]
    assert manual and "anonymous login off" in manual[0].task


def test_snmp_public_open_to_anyone_needs_snmpv3(tmp_path: Path) -> None:
    item = decision(_plan(tmp_path), SNMP)
    assert (item.rule, item.verdict) == ("snmp-community", "fail")
    harden = _harden(item)
    assert (harden.daemon, harden.settings, harden.sources) == (
        "snmpd",
        ("communities_off",),
        None,
    )
    assert "without SNMPv3 the role refuses" in item.reason


def test_snmp_public_kept_for_the_admins_is_limited_to_them(tmp_path: Path) -> None:
    item = decision(_plan(tmp_path, snmp="[admins]"), SNMP)
    harden = _harden(item)
    assert harden.sources is not None and harden.sources.cidrs() == ["192.0.2.0/24"]
    assert "limited to admins" in item.reason
    assert "from outside admins" in harden.clients


def test_the_plan_document_keeps_the_sources(tmp_path: Path) -> None:
    plan = _plan(tmp_path, snmp="[admins]")
    again = parse_plan(plan.dumps().encode(), "plan.json")
    (harden,) = [
        a
        for d in from_plan(plan).decisions + again.decisions
        for a in d.actions
        if isinstance(a, Harden) and a.daemon == "snmpd"
    ][1:]
    assert harden.sources is not None and harden.sources.cidrs() == ["192.0.2.0/24"]


def test_on_a_windows_host_both_are_a_persons_tasks(tmp_path: Path) -> None:
    plan = _plan(tmp_path, windows=True)
    ftp, snmp = decision(plan, FTP), decision(plan, SNMP)
    for item, words in ((ftp, "anonymous authentication off"), (snmp, "SNMP Service")):
        assert item.verdict == "fail"
        assert not any(isinstance(a, Harden) for a in item.actions), item.actions
        tasks = [a.task for a in item.actions if isinstance(a, Manual)]
        assert len(tasks) == 1 and words in tasks[0], tasks
        assert "no windows role configures" in item.reason.lower()
