"""legacy's anonymous FTP and SNMP 'public' on ports the policy keeps; hardened.

The policy keeps FTP and SNMP open to anyone (so the controller tests the daemons'
settings, not a firewall rule), and names no exception: closing the ports is not the
fix, the daemons' own settings are. The
monitoring team has moved to SNMPv3 (the test gives legacy an SNMPv3 user first), so
snmpd's communities can go entirely.

Before, nmap's ftp-anon logs in anonymously and snmp-sysdescr reads the system
description with community ``public`` (the scan the plan is made from). After the apply:
anonymous FTP gets 530 while an account with a password still logs in, ``public`` gets
no answer while the SNMPv3 user does, the management connection still works, the rescan
calls both findings resolved, and a second dry-run finds nothing to change.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import LabRun
from .hardenrun import dry_run_again, dry_run_and_apply, rescan
from .sshlab import plan_with, scan_port
from .test_harden_sshd import sshd_project

pytestmark = pytest.mark.lab
LAB_RESET_HOSTS = ("legacy",)
HOST = "legacy"
NMAP = ("nmap", "-n", "-Pn", "-sS", "-sU", "-sV", "-p", "T:21,22,U:161",
        "--script", "ftp-anon,snmp-sysdescr")  # fmt: skip
"""FTP and SNMP, and the management port every real scan sees (verify's rescan looks at
it to tell a host that answers from one that is down)."""
FTP_USER = ("labftp", "lab-ftp-password")
SNMP_USER = ("labmon", "lab-auth-phrase", "lab-priv-phrase")
SNMPV3_USER = (
    "systemctl stop snmpd && "
    'echo \'createUser {0} SHA "{1}" AES "{2}"\' >> /var/lib/snmp/snmpd.conf && '
    "echo 'rouser {0} authpriv' >> /etc/snmp/snmpd.conf && "
    "systemctl start snmpd"
).format(*SNMP_USER)
FTP_ACCOUNT = "useradd -m {0} && echo '{0}:{1}' | chpasswd".format(*FTP_USER)
FTP_LOGIN = """
import ftplib, sys
ftp = ftplib.FTP()
ftp.connect(sys.argv[1], 21, timeout=10)
try:
    print(ftp.login(*sys.argv[2:]))
except ftplib.error_perm as refused:
    print(refused)
"""


def ftp_login(lab_run: LabRun, *credentials: str) -> str:
    """The FTP server's answer to a login from the controller (anonymous without
    ``credentials``): ``230 ...`` when it lets the client in, ``530 ...`` when not."""
    address = lab_run.lab.address(HOST)
    done = lab_run.lab.in_controller([sys.executable, "-c", FTP_LOGIN, address, *credentials])
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def snmp_get(lab_run: LabRun, *how: str) -> bool:
    """Whether legacy's snmpd answers a GET of sysDescr.0 asked ``how`` (version and
    credentials), from the controller."""
    address = lab_run.lab.address(HOST)
    argv = ["snmpget", "-r", "1", "-t", "2", *how, address, "1.3.6.1.2.1.1.1.0"]
    done = lab_run.lab.in_controller(argv)
    return done.returncode == 0 and "STRING" in done.stdout


PUBLIC = ("-v2c", "-c", "public")
SNMPV3 = ("-v3", "-l", "authPriv", "-u", SNMP_USER[0], "-a", "SHA", "-A", SNMP_USER[1],
          "-x", "AES", "-X", SNMP_USER[2])  # fmt: skip


def ftp_and_snmp_kept(groups: dict[str, Any]) -> None:
    """The lab policy with FTP and SNMP kept open to anyone on legacy."""
    groups[HOST]["allow"] = [
        {"service": "ftp", "sources": ["any"], "justification": "Supplier uploads",
         "owner": "ops"},
        {"service": "snmp", "sources": ["any"], "justification": "Monitoring over SNMPv3",
         "owner": "network-team"},
    ]  # fmt: skip


def test_anonymous_ftp_and_snmp_communities_are_turned_off_where_the_ports_stay_open(
    lab_run: LabRun, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lab = lab_run.lab
    for script in (SNMPV3_USER, FTP_ACCOUNT):
        done = lab.ssh(HOST, script)  # ssh hands it to the remote shell
        assert done.returncode == 0, done.stderr
    assert ftp_login(lab_run).startswith("230")  # anonymous is let in
    assert snmp_get(lab_run, *PUBLIC) and snmp_get(lab_run, *SNMPV3)

    scans = scan_port(lab, HOST, tmp_path, NMAP)
    plan = plan_with(lab, scans, lab_run.inventory, tmp_path, ftp_and_snmp_kept,
                     exceptions=False)  # fmt: skip
    decisions = json.loads(plan.read_text("utf-8"))["decisions"]
    hardened = {
        f"{d['address']}/{d['protocol']}/{d['port']}/{d['check_id']}": a["daemon"]
        for d in decisions
        for a in d["actions"]
        if a["type"] == "harden"
    }
    # ftp-anon and snmp-sysdescr over IPv4, ftp-anon over IPv6 (snmpd answers v6 too)
    assert sorted(hardened.values()).count("vsftpd") == 2, decisions
    assert "snmpd" in hardened.values(), decisions

    project = sshd_project(plan, tmp_path / "project")
    runs = tmp_path / "runs"
    common = ["--inventory", str(lab_run.inventory), "--runs-dir", str(runs), "--json"]
    dry_run_and_apply(capsys, project, plan, common, hardened)

    assert ftp_login(lab_run).startswith("530")
    assert ftp_login(lab_run, *FTP_USER).startswith("230")  # the account still logs in
    assert not snmp_get(lab_run, *PUBLIC)
    assert snmp_get(lab_run, *SNMPV3)  # the allowed manager still gets answers
    assert lab.ssh(HOST, "true").returncode == 0  # a new management connection

    code, verified = rescan(lab, runs, HOST, hardened)
    assert code == 0, verified["counts"]
    dry_run_again(capsys, project, common, hardened)
