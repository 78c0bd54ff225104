"""Judge a new scan against the accepted state: verify's own rules, then the difference.

The new scan is first judged exactly as ``verify`` judges a rescan
(:func:`remediator.verify.compare.compare`, no host tests): each finding of the plan gets
its state of today. Watch then compares, finding by finding, today's state with the one
verify recorded:

* ``resolved`` then, seen again now (``open``, ``manual``, ``pending_reboot``) ->
  ``reopened``; an allowed service coming back is ``kept``, nothing to report;
* ``excepted`` then, its exception expired by ``--as-of`` -> ``expired`` unless the scan
  shows it gone (port closed, or the weakness gone from a port that answers); still valid
  but ending within ``--expiring-within`` days -> ``expiring``, on the same condition;
* ``open``, ``manual``, ``pending_reboot`` or ``unknown`` then, still reported now ->
  ``still_open``: verify already said so (and failed), so it is listed, not an alarm;
* ``kept`` stays quiet while it answers;
* a finding key in the new scan that no decision of the plan and nothing verify saw
  as new has -> ``new`` when it is an open port or fails an ASV scan (CVSS >= 4.0),
  else ``noted``.

A port restricted to sources that include the scanner's own address answers by design
(``--rescan-source``): verify's rule leaves it unjudged, and watch never calls it reopened;
a weakness behind it (TLS 1.0 on it) is no restriction's to excuse, and is.
Hosts come from the inventory (the plan's decisions, the rescan's inventory mapping),
never from a name in the scan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from remediator.ingest.model import FindingKey
from remediator.verify.compare import compare
from remediator.verify.model import NewFinding, Original, Outcome, Seen, State, Verification
from remediator.verify.rescan import Rescan
from remediator.watch.model import Drift, DriftItem, Silent

SEEN_AGAIN = frozenset({State.OPEN, State.MANUAL, State.PENDING_REBOOT})
"""Today's states of a finding the scan reports and nothing accepts."""
NOT_ACCEPTED = frozenset({State.OPEN, State.MANUAL, State.PENDING_REBOOT, State.UNKNOWN})
"""The states verify leaves a finding in when it did not accept it."""
GONE = frozenset({Seen.PORT_CLOSED, Seen.KIND_GONE})


def judge(
    accepted: Verification,
    originals: Sequence[Original],
    rescan: Rescan,
    as_of: date,
    within: int,
) -> Judged:
    """Every item to report, in report order, and the accepted outcomes with nothing to say.

    ``originals`` are all the plan's decisions (re-judged on ``as_of``): a finding of the
    plan that a limited verify left out is known, never ``new``.
    """
    judged = compare(originals, rescan)
    today = {o.original.finding_key: o for o in judged.outcomes}
    evidence = _evidence(rescan)
    items: list[DriftItem] = []
    unchanged = unjudged = 0
    for then in accepted.outcomes:
        now = today[then.original.finding_key]
        item = _drift(then, now, as_of, within, evidence.get(then.original.match_key, ""))
        if item is not None:
            items.append(item)
        elif then.original.address in rescan.answered:
            unchanged += 1
        else:
            unjudged += 1
    seen_at_verify = {n.key for n in accepted.new}
    items += [_new(n) for n in judged.new if n.key not in seen_at_verify]
    return Judged(tuple(sorted(items, key=_order)), unchanged, unjudged)


@dataclass(frozen=True)
class Judged:
    """What :func:`judge` found."""

    items: tuple[DriftItem, ...]
    unchanged: int
    """Accepted outcomes on an address that answered, with nothing to report."""
    unjudged: int
    """Accepted outcomes on an address the scan did not cover, or that did not answer,
    with nothing to report (an exception running out is reported all the same)."""


def _drift(then: Outcome, now: Outcome, as_of: date, within: int, seen: str) -> DriftItem | None:
    """The item for one finding of the accepted state, or None when there is nothing to say."""
    if then.state is State.RESOLVED:
        if now.seen is Seen.SEEN and now.state in SEEN_AGAIN:
            why = "resolved at verify; the new scan reports it again"
            return _item(Drift.REOPENED, then, why, seen, as_of)
        return None
    if then.state is State.EXCEPTED:
        return _exception(then, now, as_of, within, seen)
    if then.state in NOT_ACCEPTED and now.seen is Seen.SEEN and now.state in SEEN_AGAIN:
        why = f"left {then.state.value} by verify ({then.reason}); still in the new scan"
        return _item(Drift.STILL_OPEN, then, why, seen, as_of)
    return None


def _exception(
    then: Outcome, now: Outcome, as_of: date, within: int, seen: str
) -> DriftItem | None:
    """An excepted finding: expired since verify, or ending soon, unless shown gone."""
    o = then.original
    if o.expired_on is not None:
        if now.state is State.RESOLVED:
            return None
        why = f"excepted at verify; {now.reason}"
        return _item(Drift.EXPIRED, then, why, seen, as_of)
    left = _days_left(o, as_of)
    if o.exception is None or left is None or left > within or now.seen in GONE:
        return None
    why = (
        f"excepted under {o.exception.entry} until {o.exception.expires}: "
        f"{left} day{'s' if left != 1 else ''} left; renew it or fix the finding"
    )
    return _item(Drift.EXPIRING, then, why, seen, as_of)


def _item(drift: Drift, then: Outcome, reason: str, evidence: str, as_of: date) -> DriftItem:
    o = then.original
    return DriftItem(
        drift=drift,
        host=o.host,
        address=o.address,
        protocol=o.protocol,
        port=o.port,
        kind=o.kind,
        check_id=o.check_id,
        title=o.title,
        severity=o.severity,
        reason=reason,
        evidence=evidence,
        accepted=then.state.value,
        expires=o.exception.expires if o.exception else None,
        days_left=_days_left(o, as_of),
    )


def _new(finding: NewFinding) -> DriftItem:
    k = finding.key
    if finding.blocking:
        drift, why = Drift.NEW, "not in the accepted state: "
        why += "a port open" if k.kind == "open-port" else "a weakness that fails an ASV scan"
    else:
        drift, why = Drift.NOTED, "not in the accepted state, below what fails an ASV scan"
    return DriftItem(
        drift=drift,
        host=finding.host,
        address=k.address,
        protocol=k.protocol,
        port=k.port,
        kind=k.kind,
        check_id=finding.check_id,
        title=finding.title,
        severity=finding.severity,
        reason=why,
        evidence=finding.evidence,
    )


def silent_addresses(accepted: Verification, rescan: Rescan) -> tuple[Silent, ...]:
    """Addresses of the accepted state the scan left out, or saw nothing open on."""
    hosts: dict[str, str | None] = {}
    for outcome in accepted.outcomes:
        hosts.setdefault(outcome.original.address, outcome.original.host)
    return tuple(
        Silent(address, host, address in rescan.addresses)
        for address, host in sorted(hosts.items())
        if address not in rescan.answered
    )


def _days_left(o: Original, as_of: date) -> int | None:
    if o.exception is None:
        return None
    try:
        return (date.fromisoformat(o.exception.expires) - as_of).days
    except ValueError:  # the plan schema checks the date; no count if it is not one
        return None


def _evidence(rescan: Rescan) -> Mapping[FindingKey, str]:
    """The scan's own words for each key it reports (the first, on a port that replied)."""
    found: dict[FindingKey, str] = {}
    for f in rescan.findings:
        if f.replied:
            found.setdefault(f.key, f.evidence)
    return found


DRIFT_ORDER = tuple(Drift)


def _order(item: DriftItem) -> tuple[int, str, str, str, int, str]:
    return (
        DRIFT_ORDER.index(item.drift),
        item.host or "\uffff",
        item.address,
        item.protocol,
        item.port,
        item.kind,
    )
