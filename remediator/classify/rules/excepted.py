"""Approved exceptions: while valid the finding is excepted; once expired, the plan says so."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from remediator.classify.context import RuleOutcome
from remediator.classify.policy.model import PolicyException


@dataclass(frozen=True)
class ExceptionMatch:
    """The exception matching a finding, judged on the plan's as-of date."""

    exception: PolicyException
    as_of: date

    @property
    def active(self) -> bool:
        """Valid up to and including its expiry day."""
        return self.exception.active_on(self.as_of)


class ExceptedRule:
    """Wraps the normal decision: an active exception replaces its actions with none."""

    id = "excepted"
    pci = ("12.3.1", "11.3.2")
    summary = "unexpired exception: no action until it expires (the normal decision in the reason)"

    def adjust(self, outcome: RuleOutcome, match: ExceptionMatch) -> RuleOutcome:
        """The outcome under the exception (active) or with a note that it expired."""
        exc = match.exception
        if match.active:
            return replace(
                outcome,
                actions=(),
                policy_fail=False,
                reason=(
                    f"Excepted until {exc.expires.isoformat()} ({exc.path}, approved by "
                    f"{exc.approved_by}): {exc.justification}. Without the exception: "
                    f"{outcome.reason}"
                ),
            )
        return replace(
            outcome,
            reason=(
                f"{outcome.reason} Exception {exc.path} (approved by {exc.approved_by}) "
                f"expired on {exc.expires.isoformat()} and no longer applies (judged as of "
                f"{match.as_of.isoformat()})."
            ),
        )
