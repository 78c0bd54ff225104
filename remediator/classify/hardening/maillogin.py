"""Whether a mail server lets a client log in before TLS, read from its capability listing.

nmap's ``imap-capabilities``, ``pop3-capabilities`` and ``smtp-commands`` ask the server
what it offers on a connection that has not started TLS. A login is possible in clear
text when IMAP does not say ``LOGINDISABLED``, when POP3 offers ``USER`` or a PLAIN/LOGIN
SASL mechanism, and when SMTP offers ``AUTH`` with PLAIN or LOGIN. The text is hostile:
only capability words of the protocols' own vocabulary are read from it, and it is cut
short before it is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

MAX_TEXT: Final = 8192
"""Capability listings are a line or two; anything longer is cut before it is read."""
_WORD: Final = re.compile(r"[A-Z0-9][A-Z0-9=+_.-]*")
_NMAP_TAG: Final = re.compile(r"(?<=[A-Z0-9=+_.-])A[0-9]{4}(?=\s|$)")
"""nmap's IMAP command tag (A0001), which it glues to the last word of the capability
line it prints, whichever word that is (``LOGINDISABLEDA0001``)."""
_POP3_SASL: Final = re.compile(r"SASL\(([A-Z0-9 _-]*)\)")
_SMTP_AUTH: Final = re.compile(r"(?:^|[,\n])\s*AUTH[ =]([A-Z0-9 _-]*)")
CLEARTEXT_MECHANISMS: Final = frozenset({"PLAIN", "LOGIN"})
"""SASL mechanisms that send the password itself (CRAM-MD5 and SCRAM send proofs)."""


@dataclass(frozen=True)
class LoginListing:
    """What one capability listing says: a login in clear text, and TLS to move to."""

    protocol: str
    plaintext_login: bool
    starttls: bool


LISTINGS: Final = {
    "nmap:imap-capabilities": "imap",
    "nmap:pop3-capabilities": "pop3",
    "nmap:smtp-commands": "smtp",
}
"""Checks that list a mail server's capabilities before TLS, and their protocol."""


def read_listing(check_id: str, evidence: str) -> LoginListing | None:
    """The listing's reading, or None when ``check_id`` is not one (a scanner's sentence,
    such as Nessus's "Cleartext Login Permitted", is taken at its word elsewhere)."""
    protocol = LISTINGS.get(check_id)
    if protocol is None:
        return None
    text = evidence[:MAX_TEXT].upper()
    if protocol == "imap":
        text = _NMAP_TAG.sub("", text)
    words = frozenset(_WORD.findall(text))
    if protocol == "imap":
        return LoginListing(protocol, "LOGINDISABLED" not in words, "STARTTLS" in words)
    if protocol == "pop3":
        sasl = {m for group in _POP3_SASL.findall(text) for m in group.split()}
        plaintext = "USER" in words or bool(sasl & CLEARTEXT_MECHANISMS)
        return LoginListing(protocol, plaintext, "STLS" in words)
    mechanisms = {m for group in _SMTP_AUTH.findall(text) for m in group.split()}
    return LoginListing(protocol, bool(mechanisms & CLEARTEXT_MECHANISMS), "STARTTLS" in words)


def listing_without_plaintext(check_id: str, evidence: str) -> bool:
    """Whether a finding is a capability listing that offers no login before TLS: what a
    hardened server leaves in a rescan, a fact and not the weakness."""
    listing = read_listing(check_id, evidence)
    return listing is not None and not listing.plaintext_login
