"""Everything a rule may look at for one finding, gathered once, and what a rule returns.

Rules stay small and pure because the lookups (kind, service, policy entries, needs,
predicted ASV outcome) happen here, before any rule runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

from remediator.classify.catalog import Catalog, Kind, PortKey, ServiceEntry
from remediator.classify.model import Action
from remediator.classify.policy.host import HostPolicy
from remediator.classify.policy.model import AllowEntry, DenyEntry
from remediator.classify.policy.sources import Sources
from remediator.ingest.model import Finding

ASV_AUTO_FAIL = "auto_fail"
ASV_FAIL = "fail"
ASV_SPECIAL_NOTE = "special_note"
ASV_PASS = "pass"  # noqa: S105 - an ASV outcome, not a password
ASV_FAILING = frozenset({ASV_AUTO_FAIL, ASV_FAIL})
PCI_THRESHOLD = 4.0
"""ASV Program Guide: a CVSS base score of 4.0 or more fails the component."""

EXPOSURE_KINDS = frozenset({"open-port", "cleartext-service"})
"""Kinds that are about the port being reachable at all."""


@dataclass(frozen=True)
class Need:
    """An allowed service that needs this one: locally (policy ``needs``) or over the network."""

    entry: AllowEntry
    by: str
    local: bool


@dataclass(frozen=True)
class FindingContext:
    """The facts about one finding that rules decide on."""

    finding: Finding
    kind: Kind
    basis: str
    service: ServiceEntry | None
    scanner_service: str
    product: str
    host: HostPolicy | None
    allowed: tuple[AllowEntry, ...]
    denied: DenyEntry | None
    needs: tuple[Need, ...]
    shared_with: tuple[str, ...]
    asv: str
    asv_why: str
    catalog: Catalog

    @property
    def port_key(self) -> PortKey:
        """``(protocol, port)`` of the finding."""
        return (self.finding.protocol, self.finding.port)

    @property
    def port_label(self) -> str:
        """``443/tcp``."""
        return f"{self.finding.port}/{self.finding.protocol}"

    @property
    def label(self) -> str:
        """The service as a reason names it: ``HTTPS on 443/tcp``."""
        if self.service is not None:
            return f"{self.service.title} on {self.port_label}"
        seen = f" (scanner: {self.scanner_service!r})" if self.scanner_service else ""
        return f"an unidentified service on {self.port_label}{seen}"

    @property
    def exposure_allowed(self) -> bool:
        """Whether the policy allows this port on this host (allowed and not denied)."""
        return bool(self.allowed) and self.denied is None

    @property
    def allowed_sources(self) -> Sources:
        """Union of the sources of every allow entry for the port."""
        return reduce(lambda a, b: a.union(b), (e.sources for e in self.allowed), Sources())

    @property
    def failing(self) -> bool:
        """Whether the ASV would fail this finding (automatic failure or CVSS >= 4.0)."""
        return self.asv in ASV_FAILING

    @property
    def score(self) -> float:
        """The finding's CVSS-like score."""
        return self.finding.severity.score


@dataclass(frozen=True)
class RuleOutcome:
    """What a rule decided: ordered actions, a reason, and whether the policy is breached.

    ``policy_fail`` is the rule's own judgement (an unapproved exposure fails even with a
    CVSS of 0); the decision's verdict also fails whenever the ASV would.
    """

    actions: tuple[Action, ...]
    reason: str
    policy_fail: bool
    entry: AllowEntry | None = None
    impacts: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    """Why the plan did something other than the obvious (sshd on 2222 blocked, not disabled)."""


def predict_asv(
    kind: Kind, score: float, service: ServiceEntry | None, port: int
) -> tuple[str, str]:
    """The ASV outcome the reference's decision rules predict (section 2.6), and why.

    1. automatic failure (the kind, or an exposed database) regardless of score;
    2. fail at CVSS >= 4.0;
    3. special note for remote access, insecure (cleartext) services and unknown services;
    4. pass.
    """
    exposure = kind.id in EXPOSURE_KINDS
    if kind.auto_fail:
        return ASV_AUTO_FAIL, kind.title
    if exposure and service is not None and service.asv_auto_fail:
        return ASV_AUTO_FAIL, f"{service.title} is a database reachable from the scanner"
    if score >= PCI_THRESHOLD:
        return ASV_FAIL, f"CVSS {score:.1f} is at least {PCI_THRESHOLD}"
    note = _special_note(kind, service, port)
    if note:
        return ASV_SPECIAL_NOTE, note
    return ASV_PASS, f"CVSS {score:.1f} is below {PCI_THRESHOLD}"


def _special_note(kind: Kind, service: ServiceEntry | None, port: int) -> str:
    """Why the ASV would need a declaration (remote access, insecure, unknown), or ''."""
    if kind.special_note:
        return kind.title
    if kind.id not in EXPOSURE_KINDS:
        return ""
    if service is None:
        return "unknown service" if port > 0 else ""
    if service.category == "remote-access":
        return f"remote-access service {service.title}"
    if service.category == "cleartext":
        return f"insecure service {service.title}"
    return ""
