"""Windows hosts: the plan says what to do, a person does it, until Windows support lands."""

from __future__ import annotations

from dataclasses import replace

from remediator.classify.context import RuleOutcome
from remediator.classify.model import Action, DisableService, Manual


def describe(action: Action) -> str:
    """One action in words, for the manual task."""
    if isinstance(action, Manual):
        return action.task
    if isinstance(action, DisableService):
        names = ", ".join(action.windows) or "the service behind it"
        return f"stop and disable {names} ({action.port}/{action.protocol})"
    port = getattr(action, "port", 0)
    protocol = getattr(action, "protocol", "")
    return f"{action.type.replace('_', ' ')} {port}/{protocol}"


class WindowsRule:
    """Replaces Linux actions on a Windows host with one manual task saying what they were."""

    id = "windows-manual"
    pci = ("2.2.4",)
    summary = "Windows host: manual (no Linux tasks) until Windows support lands"

    def adjust(self, outcome: RuleOutcome, why: str) -> RuleOutcome:
        """The outcome with its actions folded into a manual task on a Windows host."""
        if not outcome.actions:
            return outcome
        if all(a.type == "keep" for a in outcome.actions):
            return replace(
                outcome,
                actions=(),
                reason=f"{outcome.reason} The host is Windows "
                f"({why}); nothing is generated for it.",
            )
        steps = "; ".join(describe(a) for a in outcome.actions)
        task = f"Windows host ({why}): {steps}"
        return replace(
            outcome,
            actions=(Manual(task),),
            reason=(
                f"{outcome.reason} The host is Windows ({why}); remediator does not "
                f"generate Windows tasks yet, so this is manual."
            ),
        )
