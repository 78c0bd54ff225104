"""``verify.json`` in the run record: a verification written, and read back for the report.

Outcomes are stored by finding key and re-attached to the plan's decisions on reading,
so the report always shows the decision (verdict, reason, exception) the run was based
on, never a copy that could drift from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from remediator.errors import InputError
from remediator.ingest.model import FindingKey
from remediator.verify.model import (
    NewFinding,
    Original,
    Outcome,
    Seen,
    State,
    TestResult,
    Verification,
)

VERIFY_FILE: Final = "verify.json"
SCHEMA: Final = "remediator/verify/v1"


def verification_from_json(
    document: Mapping[str, Any], originals: Sequence[Original], where: str
) -> Verification:
    """The verification of ``document`` with each outcome re-attached to its decision."""
    if document.get("schema") != SCHEMA:
        raise InputError(f"{where}: not a {SCHEMA} document")
    by_key = {o.finding_key: o for o in originals}
    try:
        outcomes = tuple(_outcome(raw, by_key, where) for raw in document["outcomes"])
        new = tuple(_new(raw) for raw in document["new"])
        return Verification(
            outcomes, new, rescanned=bool(document["rescanned"]), tested=bool(document["tested"])
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{where}: malformed verification ({exc})") from None


def _outcome(raw: Mapping[str, Any], by_key: Mapping[str, Original], where: str) -> Outcome:
    key = f"{raw['address']}/{raw['protocol']}/{raw['port']}/{raw['check_id']}"
    original = by_key.get(key)
    if original is None:
        raise InputError(f"{where}: outcome {key} matches no decision of the run's plan")
    return Outcome(
        original=original,
        state=State(raw["state"]),
        reason=str(raw["reason"]),
        seen=Seen(raw["rescan"]),
        tests=tuple(_test(t) for t in raw.get("tests", ())),
        allowed_broken=bool(raw.get("allowed_broken")),
    )


def _test(raw: Mapping[str, Any]) -> TestResult:
    return TestResult(
        host=str(raw["host"]),
        name=str(raw["name"]),
        outcome=str(raw["outcome"]),
        keys=tuple(str(k) for k in raw["keys"]),
        message=str(raw.get("message", "")),
    )


def _new(raw: Mapping[str, Any]) -> NewFinding:
    return NewFinding(
        host=None if raw["host"] is None else str(raw["host"]),
        key=FindingKey(
            str(raw["address"]), str(raw["protocol"]), int(raw["port"]), str(raw["kind"])
        ),
        check_id=str(raw["check_id"]),
        title=str(raw["title"]),
        severity=float(raw["severity"]),
        evidence=str(raw["evidence"]),
        blocking=bool(raw["blocking"]),
    )
