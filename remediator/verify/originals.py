"""The original findings of a run, read from the plan it kept (``plan.json``).

The plan's decisions already carry the classifier's scanner-neutral ``kind``, the
verdict and the actions, so a rescan can be judged against what the plan meant to do
without re-reading the first scan or the policy (which may have changed since). The plan
is read only through :mod:`remediator.classify.plan_document`, which checks it against the
plan schema: a hand-edited plan fails there, naming the file, the JSON path and the version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from remediator.classify.model import (
    Action,
    DisableService,
    EnforceTls,
    FirewallBlock,
    FirewallRestrict,
    Harden,
    Keep,
    Manual,
    changes,
)
from remediator.classify.plan_document import (
    PlanDecision,
    PlanDoc,
    PlanException,
    plan_from_document,
)
from remediator.classify.policy.sources import ANY, Sources
from remediator.verify.model import Original, Role


def originals_from_plan(
    plan: Mapping[str, Any], where: str, on: date | None = None
) -> tuple[Original, ...]:
    """One :class:`Original` per decision of a parsed ``remediator/plan/v1`` document."""
    return originals_of(plan_from_document(plan, where), on)


def originals_of(plan: PlanDoc, on: date | None = None) -> tuple[Original, ...]:
    """One :class:`Original` per decision of a checked plan, its exception re-judged ``on``.

    The plan judged each exception on its own day; verify and report run later. An
    exception whose expiry is before ``on`` no longer applies: the finding is judged like
    a failing one (``fix`` if the decision changes something, else ``manual``), never
    ``excepted`` by a plan that was right only when it was made. None keeps the plan's word.
    """
    windows = frozenset(h.name for h in plan.hosts if h.os == "windows")
    return tuple(_original(d, d.host in windows, on) for d in plan.decisions)


def _original(decision: PlanDecision, windows: bool = False, on: date | None = None) -> Original:
    actions = decision.actions
    exception = _rejudged(decision.exception, on)
    verdict = decision.verdict
    if verdict == "excepted" and exception is not None and not exception.active:
        verdict = "fail"  # the plan's own word for a finding no exception covers
    return Original(
        host=decision.host,
        address=decision.address,
        protocol=decision.protocol,
        port=decision.port,
        check_id=decision.check_id,
        kind=decision.kind,
        title=decision.title,
        severity=decision.severity,
        verdict=decision.verdict,
        actions=tuple(a.type for a in actions),
        reason=decision.reason,
        role=_role(verdict, actions),
        restrict_sources=_restricted(actions),
        keep_sources=_kept(actions),
        policy_entry=decision.policy_entry,
        justification=decision.justification,
        exception=exception,
        manual_tasks=tuple(a.task for a in actions if isinstance(a, Manual)),
        asv=decision.asv,
        asv_reason=decision.asv_reason,
        pci=decision.pci,
        owner=decision.owner,
        waits_for_reboot=windows and _waits_for_reboot(actions),
    )


def _rejudged(exception: PlanException | None, on: date | None) -> PlanException | None:
    """``exception`` as of ``on``: inactive once its expiry day has passed (the policy's
    own rule, :meth:`~remediator.classify.policy.model.PolicyException.active_on`)."""
    if exception is None or on is None or not exception.active:
        return exception
    try:
        expires = date.fromisoformat(exception.expires)
    except ValueError:  # the plan schema checks the date; keep the plan's word if not
        return exception
    return exception if on <= expires else replace(exception, active=False)


def _waits_for_reboot(actions: tuple[Action, ...]) -> bool:
    """SCHANNEL (enforce_tls on Windows) or SMB1 off, and nothing that closes the port."""
    at_boot = any(
        isinstance(a, EnforceTls) or (isinstance(a, Harden) and a.daemon == "smb") for a in actions
    )
    return at_boot and not any(isinstance(a, DisableService | FirewallBlock) for a in actions)


def _role(verdict: str, actions: tuple[Action, ...]) -> Role:
    if verdict == "excepted":
        return Role.EXCEPTED
    if verdict != "fail":
        return Role.ALLOWED
    return Role.FIX if changes(actions) else Role.MANUAL


def _cidrs(sources: Sources | None) -> tuple[str, ...]:
    """The CIDRs ``sources`` name, ``("any",)`` for everyone (or no sources at all)."""
    if sources is None or sources.any:
        return (ANY,)
    return tuple(sources.cidrs())


def _restricted(actions: tuple[Action, ...]) -> tuple[str, ...]:
    """The sources of the first restrict action, () when there is none."""
    found = next((a for a in actions if isinstance(a, FirewallRestrict)), None)
    return _cidrs(found.sources) if found else ()


def _kept(actions: tuple[Action, ...]) -> tuple[str, ...] | None:
    """The sources of the first keep action, None when there is none."""
    found = next((a for a in actions if isinstance(a, Keep)), None)
    return _cidrs(found.sources) if found else None
