"""One dispute page: the finding as the scanner saw it, why it stays, what guards it.

An ASV accepts a dispute (false positive, compensating control) on written evidence that
says when, where and how it was collected; it decides alone and re-judges every scan
period. So each :class:`DisputeCase` carries, for one excepted or manual finding, exactly
what the run record can vouch for: the scanner's words, the plan's decision (its ASV
outcome, PCI DSS requirements, owner, exception), what the plan did on the same port and
what verify proved. Scan text stays raw here; the renderer escapes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from remediator.classify.plan_document import PlanDecision, PlanException
from remediator.report.model import FindingEvidence, RunFacts
from remediator.verify.model import Original, Seen, TestResult

RESCAN_WORDS: Final = {
    Seen.SEEN: "the rescan still reports it",
    Seen.PORT_CLOSED: "the rescan finds the port closed",
    Seen.KIND_GONE: "the port still answers; the rescan no longer reports the weakness",
    Seen.UNDETECTABLE: "the rescan cannot detect this kind of finding",
    Seen.NO_ANSWER: "the host did not answer the rescan",
    Seen.NOT_SCANNED: "the rescan did not cover this port",
    Seen.NO_RESCAN: "no rescan was run",
}
"""What each rescan word means, in a sentence an ASV reads without the manual."""


@dataclass(frozen=True)
class PortControl:
    """One thing the plan did (or kept) on the finding's address and port, and its proof.

    A self-signed certificate on a port only partners can reach, or TLS enforced on the
    port of a service that must stay: the control is another decision's action on the same
    port, proven by that decision's own change and verification.
    """

    check_id: str
    """The finding the action answered (scan text)."""
    action: str
    """The action in words (firewall restriction and its sources, TLS profile ...)."""
    applied: str
    """The apply's status for that finding (``changed`` ...), ``nothing to change`` for a
    kept port, or ``no change recorded``."""
    state: str
    """verify's state word for that finding."""
    reason: str
    """verify's reason."""
    tests: tuple[TestResult, ...] = ()


@dataclass(frozen=True)
class DisputeCase:
    """One page: an excepted or manual finding with everything an ASV asks for."""

    stem: str
    """The page's file name without its suffix: inventory host name, protocol, port, a
    number (:mod:`remediator.report.dispute.names`); never scan text."""
    finding: FindingEvidence
    decision: PlanDecision | None
    """The plan's decision for the finding (None only for a plan edited since verify)."""
    banner: str
    """The service as the scanner fingerprinted it (name, product, version), if it did."""
    controls: tuple[PortControl, ...]
    judged_on: str
    """The day the exception was judged on (the report's day)."""

    @property
    def original(self) -> Original:
        """The finding as the plan decided it, its exception re-judged on :attr:`judged_on`."""
        return self.finding.outcome.original

    @property
    def host(self) -> str:
        """The inventory host, or the address when no inventory host claims it."""
        return self.original.host or self.original.address

    @property
    def exception(self) -> PlanException | None:
        """The policy exception, as re-judged on :attr:`judged_on`."""
        return self.original.exception

    @property
    def basis(self) -> str:
        """What this page can support, in one line."""
        if self.exception is not None and self.exception.active:
            return "compensating control under a dated policy exception"
        if self.exception is not None:
            return (
                f"none: the policy exception expired on {self.exception.expires}; "
                "fix the finding or renew the exception"
            )
        return (
            "a person must fix it; dispute only with proof of a false positive "
            "or a compensating control"
        )

    @property
    def expiry(self) -> str:
        """The exception's expiry as judged on the report's day."""
        e = self.exception
        if e is None:
            return "no exception: nothing dates this finding"
        if not e.active:
            return f"expired on {e.expires}"
        return f"valid until {e.expires} (judged on {self.judged_on})"

    @property
    def owner(self) -> str:
        """Who answers for the service, from the policy entry."""
        return (self.decision.owner if self.decision else None) or "not recorded"

    @property
    def asv(self) -> str:
        """The ASV outcome the plan predicted."""
        return (self.decision.asv if self.decision else None) or "not recorded"

    @property
    def pci(self) -> tuple[str, ...]:
        """The PCI DSS requirements the decision rests on."""
        return self.decision.pci if self.decision else ()

    @property
    def rescan(self) -> str:
        """What the rescan said, in a sentence."""
        return RESCAN_WORDS[self.finding.outcome.seen]


@dataclass(frozen=True)
class DisputePackage:
    """Every dispute page of one run, and the run's facts they all cite."""

    run: RunFacts
    generated: str
    rescanned: bool
    tested: bool
    cases: tuple[DisputeCase, ...]
