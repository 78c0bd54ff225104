"""What an SSH server offered, read from a finding's evidence, and what of it is weak.

Scanners report SSH algorithms as text: nmap's ``ssh2-enum-algos`` lists each category
under a header (``kex_algorithms: (9)``), Nessus and OpenVAS list the offending names one
per line after a sentence. The text is hostile, so it only ever decides *what* is weak:
a name is kept only if it looks like an algorithm name, and outside nmap's category
sections only names the profiles' vocabulary knows are taken (a word of a sentence is not
an algorithm). What the host is configured with comes from the profile alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from remediator.classify.hardening.ssh import CATEGORIES, SshJudgement, SshProfile

NMAP_SECTIONS: Final = {
    "kex_algorithms": "kex",
    "server_host_key_algorithms": "host_key_algorithms",
    "encryption_algorithms": "ciphers",
    "mac_algorithms": "macs",
    "compression_algorithms": None,
}
"""nmap ``ssh2-enum-algos`` section headers; compression is not a weakness here."""

_HEADER: Final = re.compile(r"^\s*([a-z_]+):\s*(?:\(\d+\))?\s*$")
_NAME: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9@.+=_-]{0,79}$")
_TOKEN_SPLIT: Final = re.compile(r"[\s,;:()'\"\[\]]+")
MAX_NAMES: Final = 256
"""More names than any real server offers: the rest of a hostile text is not read."""


@dataclass(frozen=True)
class WeakAlgorithm:
    """One name the server offers that the profile does not allow, and why it is weak."""

    category: str | None
    """Its list (:data:`~remediator.classify.hardening.ssh.CATEGORIES`), if the text said."""
    name: str
    why: str

    def describe(self) -> str:
        """``name (why)``, for reasons and plans."""
        return f"{self.name} ({self.why})"


@dataclass(frozen=True)
class SshOffer:
    """The algorithms a scan saw offered: per category where the scanner said, else loose."""

    by_category: tuple[tuple[str, tuple[str, ...]], ...]
    loose: tuple[str, ...]

    @property
    def empty(self) -> bool:
        """Whether nothing recognisable was read."""
        return not self.loose and not any(names for _, names in self.by_category)


def read_offer(evidence: str, judgement: SshJudgement) -> SshOffer:
    """The algorithms named in ``evidence`` (nmap sections, else known names anywhere)."""
    sections: dict[str, list[str]] = {}
    loose: list[str] = []
    current: str | None = None
    in_section = False
    seen = 0
    for line in evidence.splitlines():
        header = _HEADER.match(line)
        if header and header.group(1) in NMAP_SECTIONS:
            current = NMAP_SECTIONS[header.group(1)]
            in_section = True
            continue
        stripped = line.strip()
        if in_section and _NAME.match(stripped):
            seen += 1
            if current is not None:
                sections.setdefault(current, []).append(stripped)
        elif not in_section:
            for token in _TOKEN_SPLIT.split(line):
                if _NAME.match(token) and judgement.recognises(token):
                    seen += 1
                    loose.append(token)
        if seen >= MAX_NAMES:
            break
    return SshOffer(
        by_category=tuple(
            (c, tuple(dict.fromkeys(sections[c]))) for c in CATEGORIES if c in sections
        ),
        loose=tuple(dict.fromkeys(loose)),
    )


def weak_algorithms(
    offer: SshOffer, profile: SshProfile, judgement: SshJudgement
) -> tuple[WeakAlgorithm, ...]:
    """What ``offer`` holds that ``profile`` does not allow, in category then offer order."""
    weak: list[WeakAlgorithm] = []
    for category, names in offer.by_category:
        weak += [
            WeakAlgorithm(category, n, judgement.why_weak(n))
            for n in names
            if n not in judgement.signals and not profile.allows(category, n)
        ]
    listed = {w.name for w in weak}
    weak += [
        WeakAlgorithm(None, n, judgement.why_weak(n))
        for n in offer.loose
        if n not in listed and n not in judgement.signals and not profile.allows(None, n)
    ]
    return tuple(weak)


def within_profile(evidence: str, judgement: SshJudgement, profile: SshProfile) -> bool:
    """Whether an enumeration's ``evidence`` names algorithms and none outside ``profile``:
    the listing a hardened sshd leaves in a rescan, which is a fact, not a weakness."""
    offer = read_offer(evidence, judgement)
    return not offer.empty and not weak_algorithms(offer, profile, judgement)
