"""Judge every original finding by the rescan and the generated tests.

Rules, in order, for one original finding (see :class:`~remediator.verify.model.Role`):

* an active exception keeps it ``excepted`` whatever the rescan says (it was left alone
  on purpose, and the report must show the exception and its expiry); an expired one
  (by the plan's day or re-judged on verify's, see :mod:`~remediator.verify.originals`)
  covers nothing: the finding is judged like any failing one, seen again it is ``open``
  (even where only a person can fix it), and its reason says "exception expired on …";
* a host that did not answer the rescan is ``unknown``, never ``resolved``;
* a ``firewall_restrict`` whose allowed sources include the rescan's own address cannot
  be judged by that rescan (it still sees the port by design): its tests decide;
* seen again -> ``open`` (``manual`` for work only a person can do); gone because the
  port is closed, or because a rescan able to see that kind no longer reports it ->
  ``resolved``, unless a test of it failed;
* not judgeable by the rescan (not scanned, a kind it cannot see, no rescan) -> the tests
  decide: all passed ``resolved``, one failed ``open``, none ``unknown``.

Allowed findings (verdict pass) still answering, by the rescan or by their passing tests,
are ``kept``: left as the policy wants, never a failure. One with a failed test, or whose
``keep`` sources include the rescan's address and that the rescan no longer sees, is
flagged ``allowed_broken`` and is ``open``: ``open`` always means something is not as it
should be. Rescan keys no original matches are ``new``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from remediator.verify.model import (
    NewFinding,
    Original,
    Outcome,
    Role,
    Seen,
    State,
    TestResult,
    Verification,
)
from remediator.verify.rescan import Rescan

BLOCKING_SEVERITY = 4.0
"""A new finding at or above this CVSS score fails an ASV scan, so it fails verify too."""


def compare(
    originals: Sequence[Original], rescan: Rescan | None, tests: Iterable[TestResult] = ()
) -> Verification:
    """The verification of ``originals`` against ``rescan`` and the test results."""
    by_key = _tests_by_key(tests)
    outcomes = tuple(
        _judge(o, rescan, by_key.get(o.finding_key, ())) for o in sorted(originals, key=_order)
    )
    new = _new(originals, rescan) if rescan is not None else ()
    return Verification(outcomes, new, rescanned=rescan is not None, tested=bool(by_key))


def judged_again(outcome: Outcome) -> Outcome:
    """A stored outcome re-judged on a later day, by what the rescan and tests recorded.

    ``outcome.original`` was re-judged (:func:`~remediator.verify.originals.originals_of`);
    an ``excepted`` outcome whose exception has since expired is judged like any failing
    finding from the evidence verify kept (the rescan's word and the tests); every other
    outcome stands as verify wrote it.
    """
    o = outcome.original
    if outcome.state is not State.EXCEPTED or o.role is Role.EXCEPTED or o.expired_on is None:
        return outcome
    seen, tests = outcome.seen, outcome.tests
    if seen is Seen.NO_ANSWER:
        judged = Outcome(o, State.UNKNOWN, "the host did not answer the rescan", seen, tests)
    else:
        judged = _failing(o, seen, tests)
    return replace(judged, reason=f"exception expired on {o.expired_on}; {judged.reason}")


def observe(original: Original, rescan: Rescan | None) -> Seen:
    """What the rescan says about one original finding."""
    o = original
    if rescan is None:
        return Seen.NO_RESCAN
    if not rescan.scanned(o.address, o.protocol, o.port):
        return Seen.NOT_SCANNED
    if o.address not in rescan.answered:
        return Seen.NO_ANSWER
    return _on_answering_host(o, rescan)


def _on_answering_host(o: Original, rescan: Rescan) -> Seen:
    if o.match_key in rescan.keys:
        return Seen.SEEN
    if (o.address, o.protocol, o.port) not in rescan.open_ports:
        return Seen.PORT_CLOSED
    if rescan.detects(o.kind, _format_of(o.check_id)):
        return Seen.KIND_GONE
    return Seen.UNDETECTABLE


def _judge(o: Original, rescan: Rescan | None, tests: tuple[TestResult, ...]) -> Outcome:
    judged = _judged(o, rescan, tests)
    if o.expired_on is None:
        return judged
    return replace(judged, reason=f"exception expired on {o.expired_on}; {judged.reason}")


def _judged(o: Original, rescan: Rescan | None, tests: tuple[TestResult, ...]) -> Outcome:
    seen = observe(o, rescan)
    if o.role is Role.EXCEPTED:
        expiry = o.exception.expires if o.exception else "?"
        why = f"left as it is under a policy exception until {expiry}"
        return Outcome(o, State.EXCEPTED, f"{why}; rescan: {_SEEN_WORDS[seen]}", seen, tests)
    if seen is Seen.NO_ANSWER:
        return Outcome(o, State.UNKNOWN, "the host did not answer the rescan", seen, tests)
    if o.role is Role.ALLOWED:
        return _allowed(o, rescan, seen, tests)
    if o.restrict_sources and rescan is not None and _inside(rescan.sources, o.restrict_sources):
        why = "the rescan ran from an allowed source of this restriction"
        return _by_tests(o, seen, tests, why)
    return _failing(o, seen, tests)


PENDING_REBOOT_WHY = (
    "the rescan still reports it, and no host test failed: Windows applies the fix "
    "(SCHANNEL, SMB1) at the host's next reboot, which the run never does; reboot it, "
    "then verify again"
)


def _failing(o: Original, seen: Seen, tests: tuple[TestResult, ...]) -> Outcome:
    """A failing finding (to fix, or manual) judged by the rescan first, then its tests."""
    failed = [t for t in tests if t.outcome == "failed"]
    if seen is Seen.SEEN and o.waits_for_reboot and not failed:
        return Outcome(o, State.PENDING_REBOOT, PENDING_REBOOT_WHY, seen, tests)
    if seen is Seen.SEEN:
        person = o.role is Role.MANUAL and o.expired_on is None
        state = State.MANUAL if person else State.OPEN
        return Outcome(o, state, "the rescan still reports it", seen, tests)
    if seen not in (Seen.PORT_CLOSED, Seen.KIND_GONE):
        return _by_tests(o, seen, tests, f"the rescan cannot judge it ({_SEEN_WORDS[seen]})")
    if failed:
        why = f"gone from the rescan but test {failed[0].name} failed"
        return Outcome(o, State.OPEN, why, seen, tests)
    why = f"the rescan confirms it: {_SEEN_WORDS[seen]}"
    return Outcome(o, State.RESOLVED, why, seen, tests)


def _by_tests(o: Original, seen: Seen, tests: tuple[TestResult, ...], why: str) -> Outcome:
    failed = [t for t in tests if t.outcome == "failed"]
    passed = [t for t in tests if t.outcome == "passed"]
    if failed:
        return Outcome(o, State.OPEN, f"{why}; test {failed[0].name} failed", seen, tests)
    if passed:
        names = ", ".join(t.name for t in passed)
        if o.role is Role.ALLOWED:
            why = f"{why}; still answering, as intended"
            return Outcome(o, State.KEPT, f"{why}: tests passed: {names}", seen, tests)
        return Outcome(o, State.RESOLVED, f"{why}; tests passed: {names}", seen, tests)
    idle = State.MANUAL if o.role is Role.MANUAL else State.UNKNOWN
    return Outcome(o, idle, f"{why}; no test ran for it", seen, tests)


def _allowed(
    o: Original, rescan: Rescan | None, seen: Seen, tests: tuple[TestResult, ...]
) -> Outcome:
    failed = [t for t in tests if t.outcome == "failed"]
    if failed:
        why = f"passes the policy, but test {failed[0].name} failed: an allowed service broke"
        return Outcome(o, State.OPEN, why, seen, tests, allowed_broken=True)
    if seen is Seen.SEEN:
        why = "passes the policy; the rescan still reports it: still answering, as intended"
        return Outcome(o, State.KEPT, why, seen, tests)
    if seen in (Seen.PORT_CLOSED, Seen.KIND_GONE):
        must_answer = (
            o.keep_sources is not None
            and seen is Seen.PORT_CLOSED
            and rescan is not None
            and _inside(rescan.sources, o.keep_sources)
        )
        if must_answer:
            return Outcome(
                o,
                State.OPEN,
                "allowed service no longer answers from an allowed "
                "source: the remediation broke it",
                seen,
                tests,
                allowed_broken=True,
            )
        return Outcome(o, State.RESOLVED, f"passes the policy; {_SEEN_WORDS[seen]}", seen, tests)
    return _by_tests(
        o, seen, tests, f"passes the policy; the rescan cannot judge it ({_SEEN_WORDS[seen]})"
    )


def _new(originals: Sequence[Original], rescan: Rescan) -> tuple[NewFinding, ...]:
    known = {o.match_key for o in originals}
    fresh: dict[object, NewFinding] = {}
    for f in rescan.findings:
        if not f.replied or f.key in known or f.key in fresh:
            continue
        blocking = f.key.kind == "open-port" or f.severity >= BLOCKING_SEVERITY
        fresh[f.key] = NewFinding(
            f.host, f.key, f.check_id, f.title, f.severity, f.evidence, blocking
        )
    return tuple(sorted(fresh.values(), key=lambda n: n.key))


def _inside(addresses: Sequence[str], cidrs: Sequence[str]) -> bool:
    """Whether any scanner address falls in the allowed sources (``any`` always does)."""
    if "any" in cidrs:
        return True
    networks = []
    for cidr in cidrs:
        try:
            networks.append(ipaddress.ip_network(cidr, strict=False))
        except ValueError:
            continue
    for text in addresses:
        ip = ipaddress.ip_address(text)
        if any(ip.version == n.version and ip in n for n in networks):
            return True
    return False


def _tests_by_key(tests: Iterable[TestResult]) -> Mapping[str, tuple[TestResult, ...]]:
    found: dict[str, list[TestResult]] = {}
    for test in tests:
        for key in test.keys:
            found.setdefault(key, []).append(test)
    return {key: tuple(value) for key, value in found.items()}


def _format_of(check_id: str) -> str | None:
    head, sep, _ = check_id.partition(":")
    return head if sep else None


def _order(o: Original) -> tuple[str, str, str, int, str]:
    return (o.host or "", o.address, o.protocol, o.port, o.check_id)


_SEEN_WORDS = {
    Seen.SEEN: "still reported",
    Seen.PORT_CLOSED: "the port no longer answers",
    Seen.KIND_GONE: "the port answers without this weakness",
    Seen.UNDETECTABLE: "this rescan cannot see this kind of weakness",
    Seen.NO_ANSWER: "the host did not answer",
    Seen.NOT_SCANNED: "not rescanned",
    Seen.NO_RESCAN: "no rescan",
}
