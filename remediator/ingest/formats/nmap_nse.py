"""NSE script results from nmap XML, turned into findings.

Every ``<script>`` on a port, or in a host's ``<hostscript>``, becomes one finding
``nmap:<script id>`` whose evidence is the script's text output. Most scripts only
report facts (a page title, a banner), so they are ``info``. A few say something is
wrong; the rules below give those a score:

* scripts built on nmap's ``vulns`` library (``smb-vuln-*``, ``ssl-ccs-injection``,
  ``*-vuln-*``...) when their ``state`` says VULNERABLE: the CVSS they list, else the
  band of their "Risk factor", else medium;
* ``vulners``: the highest CVSS among the entries it lists, with their CVE ids;
* :data:`TEXT_RULES`: a short table of scripts whose output sentence is the finding.

The TLS scripts with structured facts (``ssl-enum-ciphers``, ``ssl-cert``) live in
:mod:`remediator.ingest.formats.nmap_tls`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from remediator.ingest.formats._tls_common import protocol_severity
from remediator.ingest.model import (
    FIELD_LIMIT,
    CertificateFacts,
    Finding,
    ScannedHost,
    Service,
    Severity,
    Source,
    TlsFacts,
    clip,
    clip_evidence,
)

MAX_CVES: Final = 500
"""CVE ids kept per finding; vulners lists hundreds for old software, highest CVSS first."""


@dataclass(frozen=True, slots=True)
class NseTable:
    """A ``<table>`` of NSE structured output: keyed ``<elem>`` texts and nested tables.

    Unkeyed elements (list items) have the key ``""``. The script element itself is
    the root table, with key ``""``.
    """

    key: str = ""
    elems: tuple[tuple[str, str], ...] = ()
    tables: tuple[NseTable, ...] = ()

    def elem(self, key: str) -> str:
        """Text of the first element named ``key``, '' when absent."""
        for name, text in self.elems:
            if name == key:
                return text
        return ""

    def table(self, key: str) -> NseTable | None:
        """The first child table named ``key``."""
        for table in self.tables:
            if table.key == key:
                return table
        return None

    def values(self) -> tuple[str, ...]:
        """Texts of the unkeyed (list) elements."""
        return tuple(text for name, text in self.elems if not name)

    def walk(self) -> Iterator[NseTable]:
        """This table and every table below it, depth first."""
        yield self
        for table in self.tables:
            yield from table.walk()


@dataclass(frozen=True, slots=True)
class NseScript:
    """One script result: its id, its text output and its structured output."""

    id: str
    output: str
    data: NseTable = NseTable()


@dataclass(frozen=True, slots=True)
class Where:
    """What a script result is about: a port of a host, or the host itself (port 0)."""

    host: ScannedHost
    protocol: str
    port: int
    service: Service | None
    source: Source


def make_finding(
    where: Where,
    check_id: str,
    title: str,
    severity: Severity,
    evidence: str = "",
    *,
    cves: tuple[str, ...] = (),
    tls: TlsFacts | None = None,
    certificate: CertificateFacts | None = None,
) -> Finding:
    """A finding at ``where``, with the untrusted texts capped."""
    return Finding(
        host=where.host,
        protocol=where.protocol,
        port=where.port,
        check_id=check_id,
        title=clip(title, FIELD_LIMIT),
        severity=severity,
        source=where.source,
        service=where.service,
        evidence=clip_evidence(evidence),
        cves=cves,
        tls=tls,
        certificate=certificate,
    )


INFO: Final = Severity(0.0, "")
"""nmap rates nothing itself; a script that only reports facts is informational."""


@dataclass(frozen=True, slots=True)
class TextRule:
    """A script whose output contains ``pattern`` reports a weakness worth ``score``."""

    script: str
    pattern: re.Pattern[str]
    score: float
    title: str


TEXT_RULES: Final[tuple[TextRule, ...]] = (
    # Nessus 10079 "Anonymous FTP Enabled" is CVSS v3 5.3.
    TextRule(
        "ftp-anon", re.compile(r"Anonymous FTP login allowed"), 5.3, "Anonymous FTP login allowed"
    ),
    # SSLv2 is broken (DROWN) and an automatic ASV failure: its risk in the TLS data.
    TextRule(
        "sslv2",
        re.compile(r"SSLv2 supported"),
        protocol_severity("SSLv2").score,
        "SSLv2 offered",
    ),
    # The server's private key is in a public key database: anyone can impersonate it.
    TextRule("ssl-known-key", re.compile(r"^Found in ", re.M), 7.5, "TLS key is publicly known"),
    # Nessus 10539: an open resolver, cache poisoning and amplification.
    TextRule(
        "dns-recursion",
        re.compile(r"Recursion appears to be enabled"),
        5.0,
        "DNS recursion enabled",
    ),
    # Nessus 57608 "SMB Signing not required" is CVSS v3 5.3.
    TextRule(
        "smb-security-mode", re.compile(r"message_signing: disabled"), 5.3, "SMB signing disabled"
    ),
)

_RULES_BY_SCRIPT: Final = {rule.script: rule for rule in TEXT_RULES}

_VULNERABLE = re.compile(r"^(?:LIKELY )?VULNERABLE", re.I)
_RISK_LINE = re.compile(r"Risk factor:\s*(HIGH|MEDIUM|LOW)\b", re.I)
_CVSS_TEXT = re.compile(r"CVSSv([23]):\s*(\d+(?:\.\d+)?)")
_CVE = re.compile(r"CVE-\d{4}-\d{4,7}")
_VULNERS_LINE = re.compile(r"^\s*(\S+)\t(\d+(?:\.\d+)?)\t", re.M)
_RISK_SCORES: Final = {"HIGH": 7.5, "MEDIUM": 5.0, "LOW": 2.0}
_UNSCORED_VULNERABLE: Final = 5.0
"""A VULNERABLE result that gives neither CVSS nor risk factor: medium, so it is not lost."""


def generic_findings(script: NseScript, where: Where) -> list[Finding]:
    """The one finding every script yields, scored by the rules above."""
    check_id = "nmap:" + clip(script.id, FIELD_LIMIT)
    if script.id == "vulners":
        return [_vulners(script, where, check_id)]
    vulnerable = _vulnerable_finding(script, where, check_id)
    if vulnerable is not None:
        return [vulnerable]
    rule = _RULES_BY_SCRIPT.get(script.id)
    if rule is not None and rule.pattern.search(script.output):
        return [make_finding(where, check_id, rule.title, Severity(rule.score), script.output)]
    return [make_finding(where, check_id, f"nmap {script.id}", INFO, script.output)]


def _vulnerable_finding(script: NseScript, where: Where, check_id: str) -> Finding | None:
    """A finding for a ``vulns``-library result whose state is VULNERABLE, else None."""
    states = [(t, t.elem("state")) for t in script.data.walk() if t.elem("state")]
    if not states:
        states = [(NseTable(), state) for state in _state_lines(script.output)]
    hits = [table for table, state in states if _VULNERABLE.match(state)]
    if not hits:
        return None
    cves: list[str] = []
    scores: list[float] = []
    for table in hits:
        cves.extend(_CVE.findall(" ".join((table.key, *_ids(table)))))
        scores.extend(_table_scores(table))
    cves.extend(_CVE.findall(script.output))
    risk = _RISK_LINE.search(script.output)
    if not scores:
        found = (_leading_float(score) for _v, score in _CVSS_TEXT.findall(script.output))
        scores = [score for score in found if score is not None]
    if not scores:
        scores = [_RISK_SCORES[risk.group(1).upper()] if risk else _UNSCORED_VULNERABLE]
    label = hits[0].elem("state") or "VULNERABLE"
    if risk:
        label = f"{label}, risk factor {risk.group(1).upper()}"
    title = hits[0].elem("title") or f"nmap {script.id}: vulnerable"
    severity = Severity(max(scores), clip(label, FIELD_LIMIT))
    unique = tuple(dict.fromkeys(cves))[:MAX_CVES]
    return make_finding(where, check_id, title, severity, script.output, cves=unique)


def _state_lines(output: str) -> list[str]:
    """The values of ``State:`` lines in a vulns-library text report."""
    lines = (line.strip() for line in output.splitlines())
    return [line[6:].strip() for line in lines if line.startswith("State:")]


def _ids(table: NseTable) -> tuple[str, ...]:
    ids = table.table("ids")
    return ids.values() if ids is not None else ()


def _table_scores(table: NseTable) -> list[float]:
    """CVSS v3 scores of a vulns table, else its v2 scores ('10.0 (HIGH) (AV:N/...)')."""
    scores = table.table("scores")
    if scores is None:
        return []
    for version in ("CVSSv3", "CVSSv2"):
        found = [_leading_float(text) for name, text in scores.elems if name.startswith(version)]
        valid = [score for score in found if score is not None]
        if valid:
            return valid
    return []


def _leading_float(text: str) -> float | None:
    match = re.match(r"\s*(\d+(?:\.\d+)?)", text)
    if match is None:
        return None
    value = float(match.group(1))
    return value if 0.0 <= value <= 10.0 else None


def _vulners(script: NseScript, where: Where, check_id: str) -> Finding:
    """vulners: the worst CVSS it lists (CVEs and exploits for them), its CVE ids."""
    entries = _vulners_entries(script)
    scores = [score for _id, score, _kind in entries]
    ids = (i for i, _s, kind in entries if kind == "cve" and _CVE.fullmatch(i))
    cves = tuple(dict.fromkeys(ids))[:MAX_CVES]
    worst = max(scores, default=0.0)
    severity = Severity(worst, f"CVSS {worst:.1f}" if scores else "")
    title = f"Known vulnerabilities for the detected version ({len(cves)} CVEs)"
    return make_finding(where, check_id, title, severity, script.output, cves=cves)


def _vulners_entries(script: NseScript) -> list[tuple[str, float, str]]:
    """(id, cvss, type) of every vulners entry, from tables, else from the text lines."""
    entries: list[tuple[str, float, str]] = []
    for table in script.data.walk():
        ident, cvss = table.elem("id"), _leading_float(table.elem("cvss"))
        if ident and cvss is not None:
            entries.append((ident, cvss, table.elem("type").lower()))
    if entries:
        return entries
    for ident, cvss in _VULNERS_LINE.findall(script.output):
        score = _leading_float(cvss)
        if score is not None:
            kind = "cve" if _CVE.fullmatch(ident) else ""
            entries.append((ident, score, kind))
    return entries
