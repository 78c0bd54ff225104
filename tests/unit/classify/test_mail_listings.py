"""Reading mail capability listings for logins before TLS, on real nmap output.

lab_mail_capabilities.xml is nmap 7.93 (imap-capabilities, pop3-capabilities,
smtp-commands) against the lab's mail host with SMTP AUTH on submission: Dovecot takes
plaintext logins, Postfix offers AUTH PLAIN LOGIN before STARTTLS.
lab_mail_capabilities_hardened.xml is the same host after disable_plaintext_auth = yes
and smtpd_tls_auth_only = yes. nmap prints IMAP capabilities as a set, in any order, and
glues its own command tag to the last word of the line (``LOGINDISABLEDA0001``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remediator.classify.hardening.maillogin import (
    LISTINGS,
    listing_without_plaintext,
    read_listing,
)
from remediator.ingest import read_scan

FIXTURES = Path(__file__).parents[1] / "fixtures"


def _listings(name: str) -> dict[tuple[int, str], str]:
    return {
        (f.port, f.check_id): f.evidence
        for report in read_scan(FIXTURES / name)
        for f in report.findings
        if f.check_id in LISTINGS
    }


BEFORE = _listings("lab_mail_capabilities.xml")
AFTER = _listings("lab_mail_capabilities_hardened.xml")


@pytest.mark.parametrize(
    ("port", "check_id"),
    [(110, "nmap:pop3-capabilities"), (143, "nmap:imap-capabilities"), (587, "nmap:smtp-commands")],
)
def test_a_real_server_taking_passwords_before_tls_and_then_not(port: int, check_id: str) -> None:
    before = read_listing(check_id, BEFORE[(port, check_id)])
    after = read_listing(check_id, AFTER[(port, check_id)])
    assert before is not None and before.plaintext_login and before.starttls
    assert after is not None and not after.plaintext_login and after.starttls
    assert listing_without_plaintext(check_id, AFTER[(port, check_id)])
    assert not listing_without_plaintext(check_id, BEFORE[(port, check_id)])


def test_the_nmap_tag_glued_to_logindisabled_still_counts() -> None:
    assert "LOGINDISABLEDA0001" in AFTER[(143, "nmap:imap-capabilities")]
    listing = read_listing("nmap:imap-capabilities", "IMAP4rev1 LOGINDISABLEDA0001 STARTTLS")
    assert listing is not None and not listing.plaintext_login
    glued = read_listing("nmap:imap-capabilities", "IMAP4rev1 LOGINDISABLED STARTTLSA0002")
    assert glued is not None and glued.starttls and not glued.plaintext_login


def test_a_word_that_only_contains_logindisabled_does_not() -> None:
    listing = read_listing("nmap:imap-capabilities", "IMAP4rev1 X-NOT-LOGINDISABLED-YET STARTTLS")
    assert listing is not None and listing.plaintext_login


def test_other_checks_are_not_listings() -> None:
    assert read_listing("nessus:15856", "The remote IMAP server allows cleartext logins") is None
    assert not listing_without_plaintext("nessus:15856", "")


@given(st.sampled_from(sorted(LISTINGS)), st.text(max_size=20000))
def test_any_text_reads_without_error(check_id: str, text: str) -> None:
    listing = read_listing(check_id, text)
    assert listing is not None and listing.protocol == LISTINGS[check_id]
