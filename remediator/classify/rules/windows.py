"""Windows hosts: the plan says what to do, a person does it, until Windows support lands."""

from __future__ import annotations

from dataclasses import replace

from remediator.classify.context import RuleOutcome
from remediator.classify.hostos import UNKNOWN, HostOs
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

    def adjust(self, outcome: RuleOutcome, host_os: HostOs) -> RuleOutcome:
        """The outcome with its actions folded into a manual task on a Windows host, or on
        one the scan calls Windows and the inventory does not (never Linux roles there)."""
        if not outcome.actions:
            return outcome
        why = host_os.reason
        doubtful = host_os.name == UNKNOWN
        host = f"Windows by the scan only ({why})" if doubtful else f"Windows ({why})"
        if all(a.type == "keep" for a in outcome.actions):
            return replace(
                outcome,
                actions=(),
                reason=f"{outcome.reason} The host is {host}; nothing is generated for it.",
            )
        steps = "; ".join(describe(a) for a in outcome.actions)
        task = f"{'Host' if doubtful else 'Windows host'} ({why}): {steps}"
        later = (
            "no Linux role runs on it until the inventory says which OS it is"
            if doubtful
            else "remediator does not generate Windows tasks yet"
        )
        return replace(
            outcome,
            actions=(Manual(task),),
            reason=f"{outcome.reason} The host is {host}; {later}, so this is manual.",
        )
