"""Who approved an apply: ``--approved-by`` and ``--ticket``, or ``--no-approval`` said aloud.

An apply changes production hosts, and an auditor's first question is who allowed it
under which change ticket. So an apply without both is refused before anything runs,
unless the operator waives approval with ``--no-approval``; the run record and the
evidence then say so plainly, rather than leaving an empty field to be misread.

The two values are the operator's own words: kept as typed (only trimmed), one line,
bounded in length, never interpreted. They end up in JSON and HTML, escaped there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from remediator.common.text import unsafe
from remediator.errors import InputError

MAX_LENGTH: Final = 200
"""The longest approver or ticket: a name with an address, or a ticket's URL."""
WAIVED: Final = "applied WITHOUT approval (--no-approval)"


@dataclass(frozen=True)
class Approval:
    """An apply's approval: who and which ticket, or waived (and then neither)."""

    approved_by: str | None
    ticket: str | None
    waived: bool

    def to_json(self) -> dict[str, object]:
        """``run.json``'s and ``summary.json``'s ``approval``."""
        return {"approved_by": self.approved_by, "ticket": self.ticket, "waived": self.waived}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Approval:
        """The approval of a schema-checked ``approval`` object."""
        return cls(data.get("approved_by"), data.get("ticket"), bool(data.get("waived")))

    def statement(self) -> str:
        """The one line a person reads: "approved by X, ticket Y" or the waiver, plainly."""
        if self.waived:
            return WAIVED
        return f"approved by {self.approved_by or 'nobody named'}, ticket {self.ticket or 'none'}"


def approval_of(approved_by: str | None, ticket: str | None, *, no_approval: bool) -> Approval:
    """The approval an apply was given on its command line; InputError (exit 2) unless it
    names both an approver and a ticket, or waives approval and names neither.

    Checked before anything else an apply does, so a refusal has contacted no host,
    taken no lock and written no record.
    """
    if no_approval:
        if approved_by is not None or ticket is not None:
            raise InputError(
                "apply: --no-approval waives approval, so it cannot go with --approved-by or "
                "--ticket: give an approval or waive it, not both"
            )
        return Approval(None, None, waived=True)
    who, which = _value("--approved-by", approved_by), _value("--ticket", ticket)
    missing = [name for name, value in (("--approved-by", who), ("--ticket", which)) if not value]
    if missing:
        raise InputError(
            "apply needs who approved it and under which ticket "
            f"(missing {' and '.join(missing)}): "
            "give --approved-by WHO and --ticket ID, or --no-approval to apply without "
            "approval, which the run record and the evidence then state"
        )
    return Approval(who, which, waived=False)


def _value(option: str, value: str | None) -> str | None:
    """``value`` trimmed (None when it is missing, empty or blank); InputError when it is
    not one printable line of at most :data:`MAX_LENGTH` characters."""
    text = (value or "").strip()
    if not text:
        return None
    if any(unsafe(c) for c in text):
        raise InputError(f"apply: {option} must be one line without control characters")
    if len(text) > MAX_LENGTH:
        raise InputError(f"apply: {option} must be at most {MAX_LENGTH} characters")
    return text
