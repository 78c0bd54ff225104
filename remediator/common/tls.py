"""TLS judgement as data: what makes a protocol, a cipher suite or a certificate weak.

Ingest (every TLS-reading format), classify (the catalog's protocol kinds and spellings)
and generate (the probes' OpenSSL switches) used to each carry their own tables, with two
weak-signature regexes and two "expired" functions between them. The verdicts now live in
one versioned file, ``tls.yml`` beside this module, checked against
``remediator/schemas/tls.schema.json`` (version ``remediator/tls/v1``) and read once per
process into the frozen :class:`TlsJudgement`; a broken file is one
:class:`TlsDataError` line naming the file, the JSON path and the version.

Where scanners were judged differently before (nmap's ssl-cert signature rule, nmap's own
cipher grades), the file keeps both rule sets by name, so no reader's verdict changed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any, Final

import yaml

from remediator.common.documents import schema
from remediator.errors import RemediatorError

DATA_FILE: Final = "tls.yml"
"""The shipped judgement, in this package (``remediator/common/tls.yml``)."""

SCANNER_SIGNATURES: Final = "scanners"
"""The weak-signature rule set of sslscan and sslyze (see ``weak_signatures`` in the data)."""
NMAP_SIGNATURES: Final = "nmap-ssl-cert"
"""The weak-signature rule set of nmap's ssl-cert script."""

_COMPACT_DROP: Final = re.compile(r"[V\s._-]")


class TlsDataError(RemediatorError):
    """The shipped TLS judgement is broken: a packaging or editing bug, never user input."""


@dataclass(frozen=True)
class Protocol:
    """One protocol version: its PCI risk and how scanners, classify and OpenSSL spell it."""

    id: str
    """Canonical name: ``SSLv2`` ... ``TLSv1.3``."""
    risk: str
    """The severity label of offering it at all (``info`` for TLS 1.2 and 1.3)."""
    aliases: tuple[str, ...]
    """Exact spellings classify accepts (any case)."""
    compact: tuple[str, ...]
    """Scanner spellings without ``v``, spaces, dots, underscores and dashes."""
    scanner_ids: Mapping[str, str]
    """Scanner -> the name of this version's own check (testssl.sh row id, sslyze command)."""
    openssl_flag: str | None = None
    """The s_client switch offering only this version; None when OpenSSL 3 cannot."""

    @property
    def weak(self) -> bool:
        """Offering it is a weakness of its own (a ``tls-protocol:<id>`` finding kind)."""
        return self.risk != "info"


@dataclass(frozen=True)
class TokenGrade:
    """One grade of the token rules: a suite whose name or size matches gets ``grade``."""

    grade: str
    severity: str
    why: str
    tokens: frozenset[str]
    anonymous: bool = False
    bits_equal: int | None = None
    bits_below: int | None = None

    def matches(self, tokens: set[str], bits: int | None, anonymous: bool) -> bool:
        """Whether a suite with these name tokens, key bits and key exchange earns the grade."""
        if self.anonymous and anonymous:
            return True
        if tokens & self.tokens:
            return True
        if bits is None:
            return False
        return bits == self.bits_equal or (self.bits_below is not None and bits < self.bits_below)


@dataclass(frozen=True)
class NmapGrading:
    """How a suite nmap's ssl-enum-ciphers graded is judged weak."""

    grade_ranks: Mapping[str, int]
    word_ranks: Mapping[str, int]
    unknown_rank: int
    weak_rank: int
    broken_name: re.Pattern[str]

    def rank(self, grade: str) -> int:
        """Badness of nmap's grade: letters since 6.47, words before; unknown is middling."""
        letter = self.grade_ranks.get(grade.strip().upper())
        if letter is not None:
            return letter
        return self.word_ranks.get(grade.strip().lower(), self.unknown_rank)

    def is_weak(self, name: str, grade: str) -> bool:
        """Graded at the weak rank or worse, or named after a family broken today."""
        return self.rank(grade) >= self.weak_rank or bool(self.broken_name.search(name))


@dataclass(frozen=True)
class CertificateCheck:
    """What a certificate finding is called and weighs."""

    id: str
    """The check id after ``<scanner>:certificate:``."""
    title: str
    """The finding's title."""
    severity: str
    """The finding's severity label."""


@dataclass(frozen=True)
class TlsJudgement:
    """The whole TLS judgement, with the lookups its readers need."""

    version: str
    """The data file's ``schema`` string, e.g. ``remediator/tls/v1``."""
    protocols: tuple[Protocol, ...]
    """Oldest first."""
    openssl_legacy_ciphers: str
    """The s_client cipher string that lets OpenSSL 3 offer TLS 1.0/1.1 at all."""
    token_grades: tuple[TokenGrade, ...]
    """sslscan, sslyze and testssl.sh: tried in order, the first match is the grade."""
    default_grade: str
    """The grade of a suite no token rule matches."""
    nmap: NmapGrading
    """nmap's ssl-enum-ciphers: its own grades, plus broken families."""
    weak_signatures: Mapping[str, re.Pattern[str]]
    """Rule set name -> the pattern of weak signature algorithms."""
    sized_key_types: frozenset[str]
    """Key types judged by length (upper case)."""
    min_key_bits: int
    """The shortest such key PCI DSS 4.2.1 accepts."""
    certificate_checks: Mapping[str, CertificateCheck]
    """Check id -> title and weight."""

    @property
    def protocol_ids(self) -> tuple[str, ...]:
        """Canonical protocol names, oldest first."""
        return tuple(p.id for p in self.protocols)

    @property
    def weak_protocols(self) -> frozenset[str]:
        """Protocols whose being offered is a weakness."""
        return frozenset(p.id for p in self.protocols if p.weak)

    def risk(self, protocol: str) -> str:
        """The PCI reading of ``protocol`` being offered (``info`` for one not listed)."""
        return next((p.risk for p in self.protocols if p.id == protocol), "info")

    def canonical_protocol(self, text: str) -> str | None:
        """``SSLv2`` ... ``TLSv1.3`` for any scanner's spelling (``TLS_1_0``), else None."""
        key = _COMPACT_DROP.sub("", text.strip().upper())
        return next((p.id for p in self.protocols if key in p.compact), None)

    def alias_map(self) -> dict[str, str]:
        """Every exact spelling (lower case) classify accepts, to its canonical name."""
        return {a.lower(): p.id for p in self.protocols for a in (p.id, *p.aliases)}

    def scanner_protocols(self, scanner: str) -> dict[str, str]:
        """``scanner``'s name for each version's own check -> the version, oldest first."""
        return {p.scanner_ids[scanner]: p.id for p in self.protocols}

    def openssl_flags(self) -> dict[str, str]:
        """Protocol -> s_client switch, oldest first, for the versions OpenSSL 3 can offer."""
        return {p.id: p.openssl_flag for p in self.protocols if p.openssl_flag is not None}

    def grade_cipher(self, name: str, bits: int | None = None, *, anonymous: bool = False) -> str:
        """The strength grade of one cipher suite (OpenSSL or IANA name) by the token rules."""
        tokens = set(re.split(r"[-_\s]+", name.upper()))
        for rule in self.token_grades:
            if rule.matches(tokens, bits, anonymous):
                return rule.grade
        return self.default_grade

    def grade_severity(self, grade: str) -> str | None:
        """The severity label of a weak grade (``F`` high, ``C`` medium); None if not weak."""
        return next((r.severity for r in self.token_grades if r.grade == grade), None)

    def weak_signature(self, algorithm: str, rules: str = SCANNER_SIGNATURES) -> bool:
        """Whether a certificate signature algorithm uses a hash with collision attacks."""
        return bool(self.weak_signatures[rules].search(algorithm))

    def short_key(self, key_type: str, bits: int) -> bool:
        """Whether an RSA/DSA/DH key is known to be shorter than PCI DSS 4.2.1 accepts."""
        return key_type.upper() in self.sized_key_types and 0 < bits < self.min_key_bits

    def certificate_check(self, check: str) -> CertificateCheck:
        """The title and weight of certificate check ``check`` (a KeyError is a bug)."""
        return self.certificate_checks[check]


def expired(
    not_after: str, scan_time: datetime | None, *, naive_is_utc: bool = False
) -> bool | None:
    """Whether a certificate had expired when it was scanned; None when that is unknown.

    Judged at the scan's time, not today, so a report reads the same whenever it is
    ingested. ``naive_is_utc``: the scanner writes UTC times without a zone (nmap);
    otherwise a zoned time and a zone-less one cannot be compared and the answer is None.
    """
    if scan_time is None or not not_after:
        return None
    try:
        end = datetime.fromisoformat(not_after)
    except ValueError:
        return None
    if end.tzinfo is None and naive_is_utc:
        end = end.replace(tzinfo=UTC)
    if (end.tzinfo is None) != (scan_time.tzinfo is None):
        return None
    return end < scan_time


@cache
def tls_judgement() -> TlsJudgement:
    """The shipped judgement, validated against its schema (read once per process)."""
    text = resources.files("remediator.common").joinpath(DATA_FILE).read_text(encoding="utf-8")
    return judgement_from_text(text, f"remediator/common/{DATA_FILE}")


def judgement_from_text(text: str, where: str) -> TlsJudgement:
    """A judgement from YAML ``text``; anything wrong is one TlsDataError naming ``where``."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TlsDataError(f"{where}: not YAML: {_first_line(exc)}") from None
    tls_schema = schema("tls")
    problem = tls_schema.problem(data)
    if problem is not None:
        raise TlsDataError(f"{where}: {problem} (schema {tls_schema.version})")
    return _build(data, where, tls_schema.version)


def _build(data: Mapping[str, Any], where: str, version: str) -> TlsJudgement:
    tokens = data["cipher_rules"]["tokens"]
    nmap = data["cipher_rules"]["nmap"]
    compile_at = _Compiler(where, version)
    return TlsJudgement(
        version=version,
        protocols=tuple(
            Protocol(
                p["id"],
                p["risk"],
                tuple(p["aliases"]),
                tuple(p["compact"]),
                dict(p["scanner_ids"]),
                p.get("openssl_flag"),
            )
            for p in data["protocols"]
        ),
        openssl_legacy_ciphers=data["openssl_legacy_ciphers"],
        token_grades=tuple(
            TokenGrade(
                g["grade"],
                g["severity"],
                g["why"],
                frozenset(g["tokens"]),
                g.get("anonymous", False),
                g.get("bits_equal"),
                g.get("bits_below"),
            )
            for g in tokens["grades"]
        ),
        default_grade=tokens["default_grade"],
        nmap=NmapGrading(
            grade_ranks={k.upper(): v for k, v in nmap["grade_ranks"].items()},
            word_ranks={k.lower(): v for k, v in nmap["word_ranks"].items()},
            unknown_rank=nmap["unknown_rank"],
            weak_rank=nmap["weak_rank"],
            broken_name=compile_at("$.cipher_rules.nmap.broken_name", nmap["broken_name"], flags=0),
        ),
        weak_signatures={
            name: compile_at(f"$.weak_signatures.{name}.pattern", rule["pattern"])
            for name, rule in data["weak_signatures"].items()
        },
        sized_key_types=frozenset(t.upper() for t in data["keys"]["sized_types"]),
        min_key_bits=data["keys"]["min_bits"],
        certificate_checks={
            c["id"]: CertificateCheck(c["id"], c["title"], c["severity"])
            for c in data["certificate_checks"]
        },
    )


@dataclass(frozen=True)
class _Compiler:
    """Compiles the data's patterns; a broken one is a TlsDataError naming its JSON path."""

    where: str
    version: str

    def __call__(self, path: str, pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
        try:
            return re.compile(pattern, flags)
        except re.error as exc:
            raise TlsDataError(
                f"{self.where}: {path}: bad pattern {pattern!r}: {exc} (schema {self.version})"
            ) from None


def _first_line(exc: yaml.YAMLError) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
