"""A rescan, reduced to what the comparison needs: scanner-neutral keys and who answered.

Each rescan finding's kind comes from the classifier's own identification
(:func:`remediator.classify.identify.classify_kind`), the same that gave the plan's
decisions theirs, so ``nmap:ssl-enum-ciphers:TLSv1.0`` and Nessus plugin 104743 both
become ``tls-protocol:TLSv1.0``.

A host *answered* when the rescan saw at least one open port on it. Remediation never
closes the management port, so a managed host that shows nothing is down or cut off,
and nothing about it may be called resolved (nmap ``-Pn`` reports such hosts "up").

Only a port that replied counts as present. nmap's ``open|filtered`` (UDP) means no
probe got a reply, ``-sV``'s service probe included: ingest keeps it as an exposure, as
a first scan should, but in a rescan it is silence, not an answer (a host that drops
everything shows every UDP port ``open|filtered``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Final

from remediator.classify.catalog import Catalog
from remediator.classify.hardening.maillogin import listing_without_plaintext
from remediator.classify.identify import classify_kind
from remediator.classify.rules.ssh_auth import listing_without_secrets
from remediator.classify.rules.ssh_crypto import enumeration_within_profile
from remediator.ingest.findingset import FindingSet
from remediator.ingest.model import PORT_OPEN, Finding, FindingKey

DETECTS: Final[dict[str, tuple[str, ...]]] = {
    "nmap": (
        "open-port",
        "tls-protocol:*",
        "certificate",
        "weak-cipher",
        "ssh-weak-crypto",
        "ssh-password-auth",
        "default-credentials",
        "cleartext-login",
        "other",
    ),
    "masscan": ("open-port",),
}
"""Kinds each rescan format can see on an open port (nmap as the lab's rescan runs it, with
ssl-enum-ciphers and ssl-cert, and ssh2-enum-algos, ftp-anon, snmp-sysdescr or the mail
capability listings where the first scan saw their kinds). A kind it cannot see is not
called gone just because the rescan is silent about it: a port-open-only rescan proves
nothing about a CVE. A listing of SSH algorithms all within the profile, of SSH login
methods without a password one, or of mail capabilities without a login before TLS, is
left out of the rescan: it is what a hardened daemon shows, not the weakness."""


@dataclass(frozen=True)
class RescanFinding:
    """One rescan finding with its scanner-neutral key."""

    key: FindingKey
    host: str | None
    check_id: str
    title: str
    severity: float
    evidence: str
    replied: bool = True


@dataclass(frozen=True)
class Rescan:
    """What the rescan saw, and what it looked at."""

    findings: tuple[RescanFinding, ...]
    answered: frozenset[str]
    addresses: frozenset[str]
    ports: frozenset[tuple[str, int]] | None
    sources: tuple[str, ...]
    formats: frozenset[str]

    @property
    def keys(self) -> frozenset[FindingKey]:
        """Every scanner-neutral key the rescan reports on a port that replied."""
        return frozenset(f.key for f in self.findings if f.replied)

    @property
    def open_ports(self) -> frozenset[tuple[str, str, int]]:
        """``(address, protocol, port)`` of every port the rescan found open."""
        return frozenset((k.address, k.protocol, k.port) for k in self.keys)

    def scanned(self, address: str, protocol: str, port: int) -> bool:
        """Whether the rescan looked at this port of this address."""
        if address not in self.addresses:
            return False
        return self.ports is None or (protocol, port) in self.ports

    def detects(self, kind: str, original_format: str | None = None) -> bool:
        """Whether the rescan could have reported ``kind`` on an open port.

        A format :data:`DETECTS` describes is judged by that list, even when the original
        came from the same scanner: nmap with vulners in the first scan found CVEs the
        lab's nmap rescan never looks for, and its silence proves nothing. Another format
        (a user's own rescan command, such as Nessus) runs the checks the user gave it,
        so the same format as the original is taken to see what the original saw.
        """
        same = original_format is not None and original_format in self.formats
        if same and original_format not in DETECTS:
            return True
        patterns = [p for f in self.formats for p in DETECTS.get(f, ())]
        return any(fnmatchcase(kind, pattern) for pattern in patterns)


def rescan_from(
    found: FindingSet,
    catalog: Catalog,
    *,
    addresses: Iterable[str] | None = None,
    ports: Iterable[tuple[str, int]] | None = None,
    sources: Iterable[str] = (),
) -> Rescan:
    """The rescan of ``found``: ``addresses`` scanned (default: every host it names),
    ``ports`` scanned (default: all), ``sources`` the scanner's own addresses."""
    findings = tuple(
        _reduce(f, found, catalog)
        for f in found.findings
        if not enumeration_within_profile(f.check_id, f.evidence)
        and not listing_without_secrets(f.check_id, f.evidence)
        and not listing_without_plaintext(f.check_id, f.evidence)
    )
    answered = frozenset(f.key.address for f in findings if f.check_id == PORT_OPEN and f.replied)
    scope = (
        frozenset(addresses) if addresses is not None else frozenset(h.address for h in found.hosts)
    )
    return Rescan(
        findings=findings,
        answered=answered,
        addresses=scope,
        ports=frozenset(ports) if ports is not None else None,
        sources=tuple(sources),
        formats=frozenset(f.source.format for f in found.findings),
    )


def _reduce(finding: Finding, found: FindingSet, catalog: Catalog) -> RescanFinding:
    kind = classify_kind(catalog, finding).kind
    return RescanFinding(
        key=FindingKey(finding.address, finding.protocol, finding.port, kind),
        host=found.inventory_host(finding.address),
        check_id=finding.check_id,
        title=finding.title,
        severity=finding.severity.score,
        evidence=finding.evidence,
        replied=finding.service is None or finding.service.state == "open",
    )
