"""Anonymous FTP and SNMP communities in the project: items, snapshot units, suite tests.

The plan is the real scan of legacy's vsftpd and snmpd (tests/unit/fixtures/
lab_ftp_anon_snmp.xml) under the lab policy with FTP kept for anyone and SNMP for the
admins, without the lab's SNMP exception.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.unit.generate.helpers import LAB_INVENTORY, LAB_POLICY, plan_of, project

SCAN = Path(__file__).parents[1] / "fixtures" / "lab_ftp_anon_snmp.xml"


class _Loader(yaml.SafeLoader):
    """Reads the generated ``!unsafe`` strings as plain strings."""


_Loader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def _files(tmp_path: Path) -> dict[str, bytes]:
    policy = yaml.safe_load(LAB_POLICY.read_text("utf-8"))
    policy["groups"]["legacy"]["allow"] = [
        {"service": "ftp", "sources": ["any"], "justification": "j", "owner": "o"},
        {"service": "snmp", "sources": ["admins"], "justification": "j", "owner": "o"},
    ]
    policy.pop("exceptions")
    path = tmp_path / "policy.yml"
    path.write_text(yaml.safe_dump(policy), "utf-8")
    return project(plan_of((SCAN,), path, LAB_INVENTORY))


def test_each_daemon_gets_its_item_and_its_unit_in_the_snapshot(tmp_path: Path) -> None:
    data = yaml.load(_files(tmp_path)["host_vars/legacy.lab.yml"], Loader=_Loader)  # noqa: S506
    items = {i["daemon"]: i for i in data["harden_items"]}
    assert set(items) == {"vsftpd", "snmpd"}
    assert items["vsftpd"]["key"] == "10.213.0.10/tcp/21/nmap:ftp-anon"
    assert "sources" not in items["vsftpd"]
    assert items["snmpd"]["key"] == "10.213.0.10/udp/161/nmap:snmp-sysdescr"
    assert items["snmpd"]["sources"] == ["10.213.0.1/32", "fd00:213::1/128"]
    assert {"vsftpd.service", "snmpd.service"} <= set(data["remediator_snapshot_units"])


def test_the_suite_asks_each_daemon_on_the_host(tmp_path: Path) -> None:
    suite = _files(tmp_path)["tests/test_legacy_lab.py"].decode()
    assert "def test_fix_ftp_21_refuses_anonymous(host):\n" in suite
    assert "    assert ftp_refuses_anonymous(host, 21), " in suite
    assert "def test_fix_snmp_161_communities_within_policy(host):\n" in suite
    assert (
        "    assert snmp_communities_within(host, ('10.213.0.1/32', 'fd00:213::1/128', )), "
        in suite
    )
