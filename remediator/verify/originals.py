"""The original findings of a run, read from the plan it kept (``plan.json``).

The plan's decisions already carry the classifier's scanner-neutral ``kind``, the
verdict and the actions, so a rescan can be judged against what the plan meant to do
without re-reading the first scan or the policy (which may have changed since).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from remediator.errors import InputError
from remediator.verify.model import ExceptionInfo, Original, Role

CHANGE_TYPES = frozenset({"disable_service", "firewall_block", "firewall_restrict", "enforce_tls"})


def originals_from_plan(plan: Mapping[str, Any], where: str) -> tuple[Original, ...]:
    """One :class:`Original` per decision of a ``remediator/plan/v1`` document."""
    if plan.get("schema") != "remediator/plan/v1":
        raise InputError(f"{where}: not a remediator/plan/v1 document")
    decisions = plan.get("decisions")
    if not isinstance(decisions, list):
        raise InputError(f"{where}: the plan has no decisions list")
    return tuple(_original(d, f"{where}: decision {i}") for i, d in enumerate(decisions))


def _original(raw: object, where: str) -> Original:
    if not isinstance(raw, Mapping):
        raise InputError(f"{where}: not an object")
    try:
        actions = [a for a in raw["actions"] if isinstance(a, Mapping)]
        types = tuple(str(a["type"]) for a in actions)
        return Original(
            host=_opt(raw.get("host")),
            address=str(raw["address"]),
            protocol=str(raw["protocol"]),
            port=int(raw["port"]),
            check_id=str(raw["check_id"]),
            kind=str(raw["kind"]),
            title=str(raw.get("title", "")),
            severity=float(raw.get("severity", 0.0)),
            verdict=str(raw["verdict"]),
            actions=types,
            reason=str(raw.get("reason", "")),
            role=_role(str(raw["verdict"]), types),
            restrict_sources=_sources(actions, "firewall_restrict") or (),
            keep_sources=_sources(actions, "keep"),
            policy_entry=_opt(raw.get("policy_entry")),
            justification=_opt(raw.get("justification")),
            exception=_exception(raw.get("exception")),
            manual_tasks=tuple(str(a.get("task", "")) for a in actions if a["type"] == "manual"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{where}: malformed decision ({exc})") from None


def _role(verdict: str, types: Sequence[str]) -> Role:
    if verdict == "excepted":
        return Role.EXCEPTED
    if verdict != "fail":
        return Role.ALLOWED
    return Role.FIX if CHANGE_TYPES.intersection(types) else Role.MANUAL


def _sources(actions: Sequence[Mapping[str, Any]], kind: str) -> tuple[str, ...] | None:
    """The CIDRs an action names (``("any",)`` for any); None when there is no such action."""
    for action in actions:
        if action["type"] != kind:
            continue
        sources = action.get("sources")
        if not isinstance(sources, Mapping):
            return ("any",)
        if sources.get("any"):
            return ("any",)
        return tuple(str(c) for c in sources.get("cidrs", ()))
    return None


def _exception(raw: object) -> ExceptionInfo | None:
    if not isinstance(raw, Mapping):
        return None
    return ExceptionInfo(
        entry=str(raw.get("entry", "")),
        justification=str(raw.get("justification", "")),
        approved_by=str(raw.get("approved_by", "")),
        expires=str(raw.get("expires", "")),
        active=raw.get("status") == "active",
    )


def _opt(value: object) -> str | None:
    return None if value is None else str(value)
