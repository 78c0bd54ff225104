"""How a host of a batch ended: restored, untouched, pending its timer, or why it failed.

Small judgements :mod:`remediator.run.apply.orchestrate` makes about each host once its batch is
over (or interrupted), kept apart so the order of an apply stays readable there.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from remediator.run.ansible.events import TaskOutcome, TaskResult
from remediator.run.apply.postcheck import Check
from remediator.run.apply.rollback import SNAPSHOT_ROLE, TAKE_TASK, Restore, RestoreResult
from remediator.run.records.outcome import HostEnd


def restored_end(result: RestoreResult, revert_after: int) -> tuple[HostEnd, str]:
    """The end of a host the apply tried to restore, and what to tell the admin about it."""
    if result.outcome is Restore.RESTORED:
        return HostEnd.ROLLED_BACK, f"restored from its snapshot ({result.detail})"
    if result.outcome is Restore.NO_SNAPSHOT:
        return HostEnd.UNTOUCHED, "no snapshot was taken, so nothing was changed"
    if result.outcome is Restore.UNREACHABLE:
        return HostEnd.PENDING_REVERT, (
            f"unreachable: its host-side timer restores the snapshot at most {revert_after} s "
            f"after it was taken ({result.detail})"
        )
    return HostEnd.RESTORE_FAILED, f"the restore failed: {result.detail}"


def snapshot_taken(host: str, results: Sequence[TaskResult]) -> bool:
    """Whether the host's snapshot was taken: before it, no role has changed anything."""
    return any(
        r.host == host
        and r.role == SNAPSHOT_ROLE
        and r.task == TAKE_TASK
        and r.outcome in (TaskOutcome.OK, TaskOutcome.CHANGED)
        for r in results
    )


def why_failed(host: str, results: Sequence[TaskResult], checks: Sequence[Check]) -> str:
    """What failed the host: its failed checks, else the first failure of its play."""
    failures = [c for c in checks if c.failed]
    if failures:
        return "failed checks: " + "; ".join(f"{c.name}: {c.detail}"[:300] for c in failures[:5])
    failed = next(
        (
            r
            for r in results
            if r.host == host
            and not r.ignored
            and r.outcome in (TaskOutcome.FAILED, TaskOutcome.UNREACHABLE)
        ),
        None,
    )
    return f"{failed.describe()}: {failed.message}"[:400] if failed else ""


@contextmanager
def deferred_signals() -> Iterator[None]:
    """Ignore Ctrl-C and SIGTERM while the hosts are being settled; restore after."""
    wanted = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.getsignal(s) for s in wanted}
    for sig in wanted:
        signal.signal(sig, signal.SIG_IGN)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
