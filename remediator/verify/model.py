"""The verification model: what each original finding ended as, and on what evidence.

These frozen records are what ``remediator verify`` hands to ``remediator report``. A
finding is matched across scans by its :class:`~remediator.ingest.model.FindingKey`
``(address, protocol, port, kind)``, the fourth part the classifier's scanner-neutral
kind, so an nmap rescan can confirm (or refute) what Nessus or Qualys reported under their
own check ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import ClassVar

from remediator.classify.plan_document import PlanException
from remediator.ingest.model import FindingKey


class State(StrEnum):
    """The one word each finding ends as, shared by the JSON and the HTML report."""

    RESOLVED = "resolved"
    KEPT = "kept"
    """An allowed service still answering, as the policy wants: never a failure."""
    OPEN = "open"
    """Should be gone and is not (or an allowed service that broke): always a failure."""
    NEW = "new"
    EXCEPTED = "excepted"
    MANUAL = "manual"
    PENDING_REBOOT = "pending_reboot"
    """Changed on a Windows host, in effect only after a reboot the run never does."""
    UNKNOWN = "unknown"


class Role(StrEnum):
    """What the plan meant to do about a finding, which decides how it is judged."""

    FIX = "fix"
    """A change action (disable, block, restrict, enforce TLS): must end ``resolved``."""
    MANUAL = "manual"
    """Failing, but only a person can fix it (patch, certificate): ``manual`` until gone."""
    EXCEPTED = "excepted"
    """An active policy exception: deliberately left as it is until the exception expires."""
    ALLOWED = "allowed"
    """Passes the policy (an allowed service, informational): ``kept``, never counted as a fix."""


class Seen(StrEnum):
    """What the rescan said about one original finding."""

    SEEN = "seen"
    PORT_CLOSED = "port_closed"
    KIND_GONE = "kind_gone"
    UNDETECTABLE = "undetectable"
    NO_ANSWER = "no_answer"
    NOT_SCANNED = "not_scanned"
    NO_RESCAN = "no_rescan"


@dataclass(frozen=True)
class Original:
    """One decision of the plan the run came from: the finding as first reported."""

    host: str | None
    address: str
    protocol: str
    port: int
    check_id: str
    kind: str
    title: str
    severity: float
    verdict: str
    actions: tuple[str, ...]
    reason: str
    role: Role
    restrict_sources: tuple[str, ...] = ()
    keep_sources: tuple[str, ...] | None = None
    policy_entry: str | None = None
    justification: str | None = None
    exception: PlanException | None = None
    manual_tasks: tuple[str, ...] = ()
    asv: str = ""
    """The ASV outcome the plan predicted for the finding as scanned ("" in an older plan)."""
    asv_reason: str = ""
    pci: tuple[str, ...] = ()
    """The PCI DSS requirements the finding touches, as the plan names them."""
    owner: str | None = None
    waits_for_reboot: bool = False
    """Its fix is a setting Windows reads at boot (SCHANNEL, SMB1), nothing closes its port:
    until the host reboots, the rescan still sees it."""

    @property
    def expired_on(self) -> str | None:
        """The expiry day of an exception that no longer applies (None: none, or active).

        Set by the plan (expired before it was made) or by re-judging on a later day
        (:func:`remediator.verify.originals.originals_of`): such a finding is judged like
        any failing one, and its reason says when the exception ran out.
        """
        e = self.exception
        return e.expires if e is not None and not e.active else None

    @property
    def finding_key(self) -> str:
        """``address/protocol/port/check_id``, the key the generated tests cite."""
        return str(FindingKey(self.address, self.protocol, self.port, self.check_id))

    @property
    def match_key(self) -> FindingKey:
        """The scanner-neutral key a rescan is matched on (its fourth part the kind)."""
        return FindingKey(self.address, self.protocol, self.port, self.kind)


@dataclass(frozen=True)
class TestResult:
    """One generated testinfra test's outcome and the finding keys it stands for."""

    __test__: ClassVar[bool] = False  # a result record, not a pytest test class

    host: str
    name: str
    outcome: str
    keys: tuple[str, ...]
    message: str = ""

    def to_json(self) -> dict[str, object]:
        """The verification form."""
        return {
            "host": self.host,
            "name": self.name,
            "outcome": self.outcome,
            "keys": list(self.keys),
            "message": self.message,
        }


@dataclass(frozen=True)
class Outcome:
    """How one original finding ended after the run, and why."""

    original: Original
    state: State
    reason: str
    seen: Seen
    tests: tuple[TestResult, ...] = ()
    allowed_broken: bool = False

    def to_json(self) -> dict[str, object]:
        """The verification form."""
        o = self.original
        return {
            "host": o.host,
            "address": o.address,
            "protocol": o.protocol,
            "port": o.port,
            "check_id": o.check_id,
            "kind": o.kind,
            "role": o.role.value,
            "state": self.state.value,
            "reason": self.reason,
            "rescan": self.seen.value,
            "asv": o.asv,
            "pci": list(o.pci),
            "allowed_broken": self.allowed_broken,
            "tests": [t.to_json() for t in self.tests],
        }


@dataclass(frozen=True)
class NewFinding:
    """Something the rescan reports that no original finding matches."""

    host: str | None
    key: FindingKey
    check_id: str
    title: str
    severity: float
    evidence: str
    blocking: bool

    def to_json(self) -> dict[str, object]:
        """The verification form."""
        return {
            "host": self.host,
            "address": self.key.address,
            "protocol": self.key.protocol,
            "port": self.key.port,
            "kind": self.key.kind,
            "check_id": self.check_id,
            "title": self.title,
            "severity": self.severity,
            "evidence": self.evidence,
            "state": State.NEW.value,
            "blocking": self.blocking,
        }


@dataclass(frozen=True)
class Verification:
    """Every original finding's outcome plus what the rescan found that is new."""

    outcomes: tuple[Outcome, ...]
    new: tuple[NewFinding, ...]
    rescanned: bool
    tested: bool
    judged_on: str | None = None
    """The day exceptions were judged on (ISO date); None in a verification written before
    it was recorded."""

    def fixable(self) -> tuple[Outcome, ...]:
        """Outcomes of findings the run was meant to fix."""
        return tuple(o for o in self.outcomes if o.original.role is Role.FIX)

    @property
    def broken_allowed(self) -> tuple[Outcome, ...]:
        """Allowed services the rescan no longer reaches from an allowed source."""
        return tuple(o for o in self.outcomes if o.allowed_broken)

    @property
    def passed(self) -> bool:
        """Every fixable finding resolved, nothing ``open`` (an allowed service that broke,
        a finding whose exception expired), nothing blocking is new; ``kept`` never fails."""
        return (
            all(o.state is State.RESOLVED for o in self.fixable())
            and not any(o.state is State.OPEN for o in self.outcomes)
            and not self.broken_allowed
            and not any(n.blocking for n in self.new)
        )

    def counts(self) -> dict[str, int]:
        """Findings per state word (new ones included), every state listed."""
        words = [o.state.value for o in self.outcomes] + [State.NEW.value] * len(self.new)
        return {state.value: words.count(state.value) for state in State}

    def to_json(self) -> dict[str, object]:
        """The ``remediator/verify/v1`` document."""
        return {
            "schema": "remediator/verify/v1",
            **({"judged_on": self.judged_on} if self.judged_on else {}),
            "passed": self.passed,
            "rescanned": self.rescanned,
            "tested": self.tested,
            "counts": self.counts(),
            "fixable": {
                state.value: sum(1 for o in self.fixable() if o.state is state) for state in State
            },
            "outcomes": [o.to_json() for o in self.outcomes],
            "new": [n.to_json() for n in self.new],
        }


@dataclass(frozen=True)
class VerifyOptions:
    """What ``remediator verify`` was asked (see ``remediator verify --help``)."""

    run: str
    runs_dir: Path = Path("runs")
    rescan: bool = False
    lab_state_dir: Path | None = None
    rescan_command: str | None = None
    rescan_source: tuple[str, ...] = ()
    no_tests: bool = False
    workers: str = "auto"
    json: bool = False
    limit: str | None = None
    junit: str | None = None
    as_of: date | None = None
    """The day exceptions are re-judged on (None: the day verify runs)."""
