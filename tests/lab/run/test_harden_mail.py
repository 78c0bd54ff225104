"""mail's Dovecot and Postfix take passwords before TLS on ports the policy keeps; hardened.

The policy keeps IMAP (143) and POP3 (110) open besides SMTP, submission and IMAPS, and
the test turns SMTP AUTH on for submission (Dovecot SASL), as a mail server for staff
has it. Before, nmap's capability scripts see IMAP without LOGINDISABLED, POP3 offering
USER and SASL PLAIN, and submission offering AUTH PLAIN LOGIN before STARTTLS, and real
clients log in without TLS. After the apply, those clients are refused before TLS and
served after STARTTLS (the allowed clients still connect), the management connection
still works, the rescan calls every such finding resolved, and a second dry-run finds
nothing to change.
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
LAB_RESET_HOSTS = ("mail",)
HOST = "mail"
NMAP = ("nmap", "-n", "-Pn", "-sS", "-sV", "-p", "22,110,143,587,993",
        "--script", "imap-capabilities,pop3-capabilities,smtp-commands")  # fmt: skip
"""The mail ports that take logins, IMAPS (TLS from the first byte: its listing is no
weakness), and the management port every real scan sees."""
SUBMISSION_AUTH = """
cat > /etc/dovecot/conf.d/99-lab-sasl.conf <<'CONF'
service auth {
  unix_listener /var/spool/postfix/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
CONF
postconf -e smtpd_sasl_type=dovecot smtpd_sasl_path=private/auth
postconf -P submission/inet/smtpd_sasl_auth_enable=yes
doveconf -n >/dev/null && systemctl reload dovecot && systemctl reload postfix
"""
"""SMTP AUTH on submission through Dovecot's SASL, as a staff mail server has it."""
USER = ("alice", "alice-lab-password")
"""The lab's mailbox user (provisioning)."""
LOGIN = """
import imaplib, poplib, smtplib, ssl, sys
protocol, tls, host, user, password = sys.argv[1:]
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
try:
    if protocol == "imap":
        client = imaplib.IMAP4(host, 143, timeout=10)
        if tls == "starttls":
            client.starttls(context)
        print(client.login(user, password)[0])
    elif protocol == "pop3":
        client = poplib.POP3(host, 110, timeout=10)
        if tls == "starttls":
            client.stls(context)
        client.user(user)
        print(client.pass_(password).decode())
    else:
        client = smtplib.SMTP(host, 587, timeout=10)
        client.ehlo()
        if tls == "starttls":
            client.starttls(context=context)
            client.ehlo()
        print(client.login(user, password)[0])
except Exception as refused:
    print("refused:", type(refused).__name__, refused)
"""
"""alice's login over one protocol, in clear text or after STARTTLS; prints the server's
answer, or why the client gave up."""


def logs_in(lab_run: LabRun, protocol: str, tls: str) -> bool:
    """Whether alice logs in over ``protocol`` from the controller, in clear text
    (``tls`` "none") or after STARTTLS ("starttls")."""
    address = lab_run.lab.address(HOST)
    argv = [sys.executable, "-c", LOGIN, protocol, tls, address, *USER]
    done = lab_run.lab.in_controller(argv)
    assert done.returncode == 0, done.stderr
    answer = done.stdout.strip()
    return not answer.startswith("refused:") and answer.split()[0] in {"OK", "+OK", "235"}


def mail_logins_kept(groups: dict[str, Any]) -> None:
    """The lab policy with IMAP and POP3 kept open too (staff still on STARTTLS)."""
    groups[HOST]["allow"] += [
        {"service": "imap", "sources": ["any"], "justification": "Staff mail (STARTTLS)",
         "owner": "mail-team"},
        {"service": "pop3", "sources": ["any"], "justification": "Staff mail (STARTTLS)",
         "owner": "mail-team"},
    ]  # fmt: skip


def test_mail_logins_before_tls_are_refused_and_taken_after_starttls(
    lab_run: LabRun, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lab = lab_run.lab
    done = lab.ssh(HOST, SUBMISSION_AUTH)  # ssh hands it to the remote shell
    assert done.returncode == 0, done.stderr
    for protocol in ("imap", "pop3", "smtp"):
        assert logs_in(lab_run, protocol, "none"), protocol  # the weakness, with a client

    scans = scan_port(lab, HOST, tmp_path, NMAP)
    plan = plan_with(lab, scans, lab_run.inventory, tmp_path, mail_logins_kept)
    decisions = json.loads(plan.read_text("utf-8"))["decisions"]
    hardened = {
        f"{d['address']}/{d['protocol']}/{d['port']}/{d['check_id']}": a["daemon"]
        for d in decisions
        for a in d["actions"]
        if a["type"] == "harden"
    }
    # IMAP, POP3 and submission over IPv4 and IPv6
    assert sorted(hardened.values()) == ["dovecot"] * 4 + ["postfix"] * 2, decisions
    listed = [d for d in decisions if d["kind"] == "cleartext-login" and d["port"] == 993]
    assert listed and all(d["verdict"] == "pass" for d in listed), listed

    project = sshd_project(plan, tmp_path / "project")
    runs = tmp_path / "runs"
    common = ["--inventory", str(lab_run.inventory), "--runs-dir", str(runs), "--json"]
    dry_run_and_apply(capsys, project, plan, common, hardened)

    for protocol in ("imap", "pop3", "smtp"):
        assert not logs_in(lab_run, protocol, "none"), protocol
        assert logs_in(lab_run, protocol, "starttls"), protocol  # the allowed clients
    assert lab.ssh(HOST, "true").returncode == 0  # a new management connection

    code, verified = rescan(lab, runs, HOST, hardened)
    assert verified["counts"]["open"] == 0, verified["counts"]
    # The rescan always runs ssl-enum-ciphers and ssl-cert: it sees mail's TLS 1.0 and
    # self-signed certificate, which this test's scan did not look for (the demo's plan
    # covers them). Verify says so with its exit code; no login before TLS is among them.
    new_kinds = {n["kind"] for n in verified["new"]}
    assert code == 1 and new_kinds <= {"tls-protocol:TLSv1.0", "tls-protocol:TLSv1.1",
                                       "certificate", "other"}, new_kinds  # fmt: skip

    dry_run_again(capsys, project, common, hardened)
