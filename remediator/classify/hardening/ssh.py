"""SSH profiles as data: which algorithms a hardened sshd may offer, and why others are weak.

The lists live in ``ssh.yml`` beside this module, checked against
``remediator/schemas/ssh.schema.json`` (version ``remediator/ssh/v1``) and read once per
process. A profile is named with its year (``ssh-2026``): a plan records the name, the
generator writes that profile's lists, and a stricter list later is a new name, so an old
plan keeps meaning what it said. A broken file is a packaging bug: one
:class:`SshDataError` line naming the file and the JSON path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final

import yaml

from remediator.common.documents import schema
from remediator.errors import RemediatorError

DATA_FILE: Final = "ssh.yml"
CATEGORIES: Final = ("kex", "ciphers", "macs", "host_key_algorithms")
"""The four lists an sshd offers, in the order ``sshd_config`` and scanners name them."""
SSHD_KEYWORDS: Final = {
    "kex": "KexAlgorithms",
    "ciphers": "Ciphers",
    "macs": "MACs",
    "host_key_algorithms": "HostKeyAlgorithms",
}
"""Each category's ``sshd_config`` keyword."""


class SshDataError(RemediatorError):
    """The shipped SSH profiles are broken: a packaging or editing bug, never user input."""


@dataclass(frozen=True)
class SshProfile:
    """One versioned list of what an sshd may offer, and which clients it leaves behind."""

    name: str
    summary: str
    clients: str
    allowed: Mapping[str, tuple[str, ...]]
    """Category (:data:`CATEGORIES`) -> allowed names, in preference order."""

    def allows(self, category: str | None, name: str) -> bool:
        """Whether ``name`` may be offered (in ``category``, or in any when it is None)."""
        if category is not None:
            return name in self.allowed.get(category, ())
        return any(name in names for names in self.allowed.values())


@dataclass(frozen=True)
class SshJudgement:
    """The shipped profiles, the pseudo-algorithms to ignore and why a name is weak."""

    version: str
    default: str
    profiles: Mapping[str, SshProfile]
    signals: frozenset[str]
    reasons: Mapping[str, str]
    patterns: tuple[tuple[str, str], ...]

    def profile(self, name: str | None = None) -> SshProfile:
        """The profile ``name`` (the default when None); KeyError for an unknown name."""
        return self.profiles[name or self.default]

    def why_weak(self, name: str) -> str:
        """Why an algorithm outside the profile is weak, in a few words."""
        if name in self.reasons:
            return self.reasons[name]
        lowered = name.lower()
        for match, why in self.patterns:
            if match in lowered:
                return why
        return "not in the profile"

    def recognises(self, name: str) -> bool:
        """Whether ``name``, found loose in a sentence, is an algorithm. A word ("none",
        "CBC", "sha1") never is: the name must be in the vocabulary (allowed somewhere, a
        signal or a reason) and contain a ``-``, ``@`` or digit, or have a ``-`` or ``@``
        and belong to a weak family (``rijndael-cbc@lysator.liu.se``)."""
        vocabulary = (
            name in self.signals
            or name in self.reasons
            or any(p.allows(None, name) for p in self.profiles.values())
        )
        if vocabulary:
            return any(c in name for c in "-@0123456789")
        lowered = name.lower()
        compound = "-" in name or "@" in name
        return compound and any(match in lowered for match, _ in self.patterns)


@cache
def ssh_judgement() -> SshJudgement:
    """The shipped profiles, validated against their schema (read once per process)."""
    text = resources.files(__package__).joinpath(DATA_FILE).read_text(encoding="utf-8")
    return judgement_from_text(text, f"remediator/classify/hardening/{DATA_FILE}")


def judgement_from_text(text: str, where: str) -> SshJudgement:
    """Profiles from YAML ``text``; anything wrong is one SshDataError naming ``where``."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SshDataError(f"{where}: not YAML: {first}") from None
    ssh_schema = schema("ssh")
    problem = ssh_schema.problem(data)
    if problem is not None:
        raise SshDataError(f"{where}: {problem} (schema {ssh_schema.version})")
    if data["default"] not in data["profiles"]:
        raise SshDataError(f"{where}: $.default: no profile named {data['default']!r}")
    return _build(data, ssh_schema.version)


def _build(data: Mapping[str, Any], version: str) -> SshJudgement:
    profiles = {
        name: SshProfile(
            name=name,
            summary=" ".join(str(raw["summary"]).split()),
            clients=" ".join(str(raw["clients"]).split()),
            allowed={c: tuple(raw["allowed"][c]) for c in CATEGORIES},
        )
        for name, raw in data["profiles"].items()
    }
    return SshJudgement(
        version=version,
        default=str(data["default"]),
        profiles=profiles,
        signals=frozenset(data["signals"]),
        reasons=dict(data["reasons"]),
        patterns=tuple((p["match"], p["why"]) for p in data["patterns"]),
    )
