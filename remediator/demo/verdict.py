"""The demo's own verdict on top of verify's: nothing fixable left, nothing good harmed.

``remediator verify`` already fails when a fixable finding is not ``resolved``, anything
is ``open`` (an expired exception too), an allowed service stopped answering from an
allowed source, or the rescan found something new that blocks; allowed services still
answering are ``kept`` and never fail it. The demo also promises that the lab's control host
(role ``clean``, which the policy finds compliant) was left alone: the apply changed
nothing on it and the rescan still sees every one of its findings exactly as before.
"""

from __future__ import annotations

from collections.abc import Iterable

from remediator.lab.config import LabConfig
from remediator.lab.inventory import inventory_name
from remediator.report.model import Evidence
from remediator.verify.model import Outcome, Role, Seen, State

CONTROL_ROLE = "clean"


def clean_hosts(config: LabConfig) -> frozenset[str]:
    """Inventory names of the lab's control hosts."""
    return frozenset(inventory_name(h) for h in config.hosts if h.role.name == CONTROL_ROLE)


def judge(evidence: Evidence, clean: Iterable[str]) -> tuple[str, ...]:
    """Why the demo did not pass (empty: it passed)."""
    v = evidence.verification
    problems = [
        f"{o.state.value}: {o.original.host or '-'} {o.original.finding_key}: {o.reason}"
        for o in v.outcomes
        if _left(o)
    ]
    problems += [f"allowed service broke: {o.original.finding_key}" for o in v.broken_allowed]
    problems += [f"new in the rescan: {n.key} ({n.check_id})" for n in v.new if n.blocking]
    problems += _touched(evidence, frozenset(clean))
    if not v.rescanned:
        problems.append("no rescan was made")
    return tuple(problems)


def _left(outcome: Outcome) -> bool:
    """A fixable finding not resolved, or anything else ``open`` (a finding whose exception
    expired) but an allowed service that broke, which has its own line. ``kept`` is fine."""
    if outcome.original.role is Role.FIX:
        return outcome.state is not State.RESOLVED
    return outcome.state is State.OPEN and not outcome.allowed_broken


def _touched(evidence: Evidence, clean: frozenset[str]) -> list[str]:
    problems = []
    hosts = [h for h in evidence.hosts if h.name in clean]
    if not hosts:
        problems.append(f"the control host(s) {', '.join(sorted(clean))} are not in the plan")
    for host in hosts:
        for f in host.findings:
            if f.change is not None and f.change.status == "changed":
                problems.append(f"the apply changed the control host: {f.ident}")
            if f.outcome.seen is not Seen.SEEN:
                problems.append(f"the control host changed: {f.ident} is {f.outcome.seen.value}")
    return problems
