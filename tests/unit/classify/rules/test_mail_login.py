"""CleartextLoginRule on real scans of the lab's mail host (see ../test_mail_listings.py).

Under the lab policy, with IMAP and POP3 kept for staff: Dovecot's IMAP and POP3 and
Postfix's submission take passwords before TLS and get their login setting; IMAPS (TLS
from the first byte) passes; the same listings after the change pass. Without the allow
entries, IMAP and POP3 are closed, not hardened.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from remediator.classify.model import Decision, Harden, Keep
from remediator.classify.plan import Plan, build_plan
from remediator.classify.policy.read import load_policy
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import load_inventory
from tests.unit.classify.helpers import AS_OF, decision

REPO = Path(__file__).resolve().parents[4]
FIXTURES = Path(__file__).parents[2] / "fixtures"
MAIL = "10.213.0.12/tcp"


def _plan(tmp_path: Path, scan: str, keep_logins: bool = True) -> Plan:
    policy = yaml.safe_load((REPO / "examples" / "lab-policy.yml").read_text("utf-8"))
    if keep_logins:
        policy["groups"]["mail"]["allow"] += [
            {"service": s, "sources": ["any"], "justification": "j", "owner": "o"}
            for s in ("imap", "pop3")
        ]
    path = tmp_path / "policy.yml"
    path.write_text(yaml.safe_dump(policy), "utf-8")
    inventory = load_inventory(REPO / "examples" / "lab-inventory.yml")
    findings = load_findings([FIXTURES / scan], inventory=inventory)
    return build_plan(findings, load_policy(path, inventory), inventory, AS_OF)


def _harden(item: Decision) -> Harden | None:
    found = [a for a in item.actions if isinstance(a, Harden)]
    return found[0] if found else None


def test_logins_before_tls_get_the_daemons_login_setting(tmp_path: Path) -> None:
    plan = _plan(tmp_path, "lab_mail_capabilities.xml")
    expected = {
        "110/nmap:pop3-capabilities": ("dovecot", "plaintext_auth_off"),
        "143/nmap:imap-capabilities": ("dovecot", "plaintext_auth_off"),
        "587/nmap:smtp-commands": ("postfix", "auth_only_tls"),
    }
    for where, (daemon, setting) in expected.items():
        item = decision(plan, f"{MAIL}/{where}")
        harden = _harden(item)
        assert (item.rule, item.verdict) == ("cleartext-login", "fail"), item.reason
        assert isinstance(item.actions[0], Keep)
        assert harden is not None and (harden.daemon, harden.settings) == (daemon, (setting,))
        assert "before TLS" in item.reason and "8.3.2" in item.reason


def test_imaps_passes_though_it_lists_auth_plain(tmp_path: Path) -> None:
    imaps = decision(
        _plan(tmp_path, "lab_mail_capabilities.xml"), f"{MAIL}/993/nmap:imap-capabilities"
    )
    assert imaps.verdict == "pass" and "TLS from the first byte" in imaps.reason
    assert _harden(imaps) is None


def test_the_hardened_server_passes(tmp_path: Path) -> None:
    plan = _plan(tmp_path, "lab_mail_capabilities_hardened.xml")
    for where in ("110/nmap:pop3-capabilities", "143/nmap:imap-capabilities",
                  "587/nmap:smtp-commands"):  # fmt: skip
        item = decision(plan, f"{MAIL}/{where}")
        assert item.verdict == "pass" and _harden(item) is None, item.reason


def test_ports_the_policy_does_not_keep_are_closed_not_hardened(tmp_path: Path) -> None:
    plan = _plan(tmp_path, "lab_mail_capabilities.xml", keep_logins=False)
    for where in ("110/nmap:pop3-capabilities", "143/nmap:imap-capabilities"):
        item = decision(plan, f"{MAIL}/{where}")
        assert item.rule != "cleartext-login" and _harden(item) is None
        assert "closes it" in item.reason
