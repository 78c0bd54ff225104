"""``verify.json`` in the run record: a verification written, and read back for the report.

Outcomes are stored by finding key and re-attached to the plan's decisions on reading,
so the report always shows the decision (verdict, reason, exception) the run was based
on, never a copy that could drift from it.

``verify.json`` is a schema-checked document (``remediator/verify/v1``): written by
:func:`write_verification` and read by :func:`read_verification`, here only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from remediator.common.documents import read_document, write_document
from remediator.errors import InputError
from remediator.ingest.model import FindingKey
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

VERIFY_FILE: Final = "verify.json"
SCHEMA: Final = "remediator/verify/v1"
DOCUMENT: Final = "verify"
"""The name of ``verify.json``'s shipped schema."""


def write_verification(run_dir: Path, verification: Verification) -> Path:
    """Write ``verify.json`` into the run record (key-sorted), checked against its schema."""
    target = run_dir / VERIFY_FILE
    write_document(target, DOCUMENT, verification.to_json(), sort_keys=True)
    return target


def read_verification(run_dir: Path, originals: Sequence[Original]) -> Verification:
    """The run's ``verify.json``, each outcome re-attached to its decision in ``originals``."""
    path = run_dir / VERIFY_FILE
    return _verification(read_document(path, DOCUMENT), originals, str(path))


def _verification(
    document: Mapping[str, Any], originals: Sequence[Original], where: str
) -> Verification:
    """The verification of a document checked against the ``verify`` schema."""
    by_key = {o.finding_key: o for o in originals}
    outcomes = tuple(_outcome(raw, by_key, where) for raw in document["outcomes"])
    new = tuple(_new(raw) for raw in document["new"])
    return Verification(
        outcomes,
        new,
        rescanned=document["rescanned"],
        tested=document["tested"],
        judged_on=document.get("judged_on"),
    )


def _outcome(raw: Mapping[str, Any], by_key: Mapping[str, Original], where: str) -> Outcome:
    key = f"{raw['address']}/{raw['protocol']}/{raw['port']}/{raw['check_id']}"
    original = by_key.get(key)
    if original is None:
        raise InputError(f"{where}: outcome {key} matches no decision of the run's plan")
    return Outcome(
        original=original,
        state=_state(raw, original),
        reason=str(raw["reason"]),
        seen=Seen(raw["rescan"]),
        tests=tuple(_test(t) for t in raw.get("tests", ())),
        allowed_broken=bool(raw.get("allowed_broken")),
    )


def _state(raw: Mapping[str, Any], original: Original) -> State:
    """The stored state; ``open`` for an allowed service that did not break, as documents
    written before ``kept`` existed say, reads as ``kept`` (the same fact, in today's word)."""
    state = State(raw["state"])
    if state is State.OPEN and original.role is Role.ALLOWED and not raw.get("allowed_broken"):
        return State.KEPT
    return state


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
