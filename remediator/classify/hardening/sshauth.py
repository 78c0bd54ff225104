"""Which login methods an SSH server offers, read from a finding's evidence.

nmap's ``ssh-auth-methods`` lists them one per line under "Supported authentication
methods:"; Nessus 149334 says in a sentence that password logins work. The text is
hostile: only the method names SSH defines (RFC 4252 and OpenSSH's) are taken from it.
"""

from __future__ import annotations

import re
from typing import Final

METHODS: Final = frozenset(
    {"publickey", "password", "keyboard-interactive", "hostbased", "gssapi-with-mic", "none"}
)
SECRETS: Final = frozenset({"password", "keyboard-interactive"})
"""Methods that log in with something typed: what ``keys_only`` switches off."""
_WORD: Final = re.compile(r"[a-z-]+")
MAX_WORDS: Final = 4096


def offered_methods(evidence: str) -> frozenset[str]:
    """The SSH login methods ``evidence`` names (a word of a sentence counts only when it
    is a method's exact name: "password" in "password logins" does)."""
    words = _WORD.findall(evidence.lower()[: MAX_WORDS * 16])
    return frozenset(w for w in words[:MAX_WORDS] if w in METHODS)


def offers_secrets(evidence: str) -> bool:
    """Whether the evidence names a password or keyboard-interactive login."""
    return bool(offered_methods(evidence) & SECRETS)
