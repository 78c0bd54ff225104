"""Where a kept cleartext login service must keep logins inside TLS, the suite asks the
daemon itself: ``doveconf -h disable_plaintext_auth`` must say yes. The tls role set it
before; nothing asserted it.

No scan of the lab has a cleartext-login finding (nmap sees STARTTLS on 143), so the plan
here is the golden plan with one dovecot decision marked as a plan made from one would
be (Nessus 15856 "IMAP Service Cleartext Logins Permitted" gives ``require_tls_for_auth``).
"""

from __future__ import annotations

import json

from remediator.classify.plan_document import parse_plan
from remediator.generate.jobs import build_jobs
from remediator.generate.testinfra import suite_tests
from tests.unit.generate.helpers import golden_plan, golden_plan_bytes, project


def _with_login_over_tls() -> tuple[bytes, str]:
    document = json.loads(golden_plan_bytes())
    for decision in document["decisions"]:
        for action in decision["actions"]:
            if action["type"] == "enforce_tls" and action.get("daemon") == "dovecot":
                action["require_tls_for_auth"] = True
                key = "/".join(
                    str(decision[k]) for k in ("address", "protocol", "port", "check_id")
                )
                return json.dumps(document).encode(), key
    raise AssertionError("the golden plan has no dovecot TLS decision")


def test_a_login_kept_inside_tls_gets_dovecots_own_word_asserted() -> None:
    text, key = _with_login_over_tls()
    plan = parse_plan(text, "plan.json")
    mail = next(j for j in build_jobs(plan) if j.name == "mail.lab")
    (test,) = [t for t in suite_tests(mail) if t.kind == "command_says"]
    assert test.name == "test_fix_dovecot_plaintext_logins_off"
    assert test.args == ("doveconf", "-h", "disable_plaintext_auth", "yes")
    assert test.keys == (key,)
    suite = project(plan)["tests/test_mail_lab.py"].decode()
    expected = "command_says(host, ('doveconf', '-h', 'disable_plaintext_auth', ), 'yes')"
    assert expected in suite


def test_the_lab_plan_asks_nothing_of_the_kind() -> None:
    """Its TLS findings are about protocol versions, not logins in clear text."""
    tests = [t for j in build_jobs(golden_plan()) for t in suite_tests(j)]
    assert not [t for t in tests if t.kind == "command_says"]
