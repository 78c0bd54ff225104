"""Where each host of the running batch is, from the job events as they arrive.

An interrupted batch must leave every host either applied and verified or restored;
which one depends on how far the host got, and that is read from its events: no event
at all (untouched), snapshot taken (changes may have begun), restored by the play's own
rescue, or confirmed (verified from the host's view and the host-side restore disarmed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from remediator.run.ansible.events import Event, TaskOutcome, TaskResult, task_results
from remediator.run.apply.rollback import RESTORE_TASK, SNAPSHOT_ROLE, TAKE_TASK
from remediator.run.progress import Progress

CONFIRM_TASK: Final = "Disarm the revert timer"
"""The snapshot role's confirmation task (tasks/confirm.yml): the host passed its checks."""


class Phase(StrEnum):
    UNTOUCHED = "untouched"
    STARTED = "started"
    SNAPSHOT = "changing"
    RESTORED = "restored by the play"
    CONFIRMED = "confirmed"
    UNREACHABLE = "unreachable"


@dataclass
class BatchTracker:
    """The events of one batch's run, and each host's phase in it."""

    hosts: tuple[str, ...]
    progress: Progress
    events: list[Event] = field(default_factory=list)

    def feed(self, event: Event) -> None:
        """ansible-runner's event callback: keep it, and show phase changes."""
        self.events.append(event)
        self.progress.event(event)
        host = str((event.get("event_data") or {}).get("host") or "")
        if host in self.hosts and event.get("event") in ("runner_on_ok", "runner_on_unreachable"):
            phase = self.phase(host)
            if phase not in (Phase.STARTED, Phase.UNTOUCHED):
                self.progress.host_state(host, phase.value)

    def phase(self, host: str) -> Phase:
        return phase_of(host, task_results(self.events))


def phase_of(host: str, results: list[TaskResult]) -> Phase:
    """How far ``host`` got in a batch's run."""
    mine = [r for r in results if r.host == host]
    if not mine:
        return Phase.UNTOUCHED
    if any(r.outcome is TaskOutcome.UNREACHABLE for r in mine):
        return Phase.UNREACHABLE
    done = {
        r.task
        for r in mine
        if r.role == SNAPSHOT_ROLE and r.outcome in (TaskOutcome.OK, TaskOutcome.CHANGED)
    }
    if RESTORE_TASK in done:
        return Phase.RESTORED
    if CONFIRM_TASK in done:
        return Phase.CONFIRMED
    if TAKE_TASK in done:
        return Phase.SNAPSHOT
    return Phase.STARTED
