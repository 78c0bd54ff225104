"""Batches and the window's clock: which hosts go together, and whether a batch may start.

Batches follow Ansible's ``serial`` exactly (a size or a percentage of all hosts per
batch, the last size repeating), so ``--batch`` means what it means in the playbook.
A batch starts only if it can finish before the window closes, judged conservatively:
the longest batch so far, and never less than the dry-run's check time scaled up for
the apply's extra work (snapshot, handlers, verification) plus the controller's checks.
The dry-run checks all its hosts at once, so its time is that of one batch of all of them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from remediator.common.window import Interval, Window
from remediator.errors import InputError, RefusedError
from remediator.run.project import Project

CHECK_TO_APPLY: Final = 2.0
"""An apply of a batch takes about this many times the check run of the same hosts."""
VERIFY_ALLOWANCE: Final = 20.0
"""Seconds the controller's post-batch checks add (connection, connects, testinfra)."""
_SIZE: Final = re.compile(r"^([1-9][0-9]*)(%?)$")


def parse_size(text: str) -> int | str:
    """``3`` or ``25%`` (1-100 %); InputError otherwise."""
    match = _SIZE.match(text.strip())
    if match is None or (match[2] and int(match[1]) > 100):
        raise InputError(f"batch size {text!r}: expected a number like 2 or a percentage like 25%")
    return f"{match[1]}%" if match[2] else int(match[1])


def parse_percent(text: str) -> int:
    """``10%`` or ``10`` as 0-100; InputError otherwise."""
    value = text.strip().removesuffix("%")
    if not value.isdigit() or int(value) > 100:
        raise InputError(f"{text!r}: expected a percentage from 0% to 100%")
    return int(value)


def split(hosts: Sequence[str], sizes: Sequence[int | str]) -> list[tuple[str, ...]]:
    """``hosts`` cut into batches the way Ansible's ``serial`` cuts a play's hosts."""
    remaining, total = list(hosts), len(hosts)
    batches: list[tuple[str, ...]] = []
    index = 0
    while remaining:
        size = _count(sizes[index], total) if sizes else 0
        if size <= 0:
            batches.append(tuple(remaining))
            break
        batches.append(tuple(remaining[:size]))
        remaining = remaining[size:]
        index = min(index + 1, len(sizes) - 1)
    return batches


def _count(size: int | str, total: int) -> int:
    if isinstance(size, str) and size.endswith("%"):
        return int(int(size[:-1]) / 100.0 * total) or 1
    return int(size)


def estimate(check_seconds: float, done: Sequence[float]) -> float:
    """Seconds the next batch is expected to take."""
    return max([check_seconds * CHECK_TO_APPLY + VERIFY_ALLOWANCE, *done])


@dataclass(frozen=True)
class OpenWindow:
    """The window a run is inside: when it closes, and which window closes first."""

    closes: datetime
    what: str

    def fits(self, now: datetime, seconds: float) -> bool:
        return now + timedelta(seconds=seconds) <= self.closes


def open_window(window: Window, project: Project, now: datetime) -> OpenWindow:
    """The window ``now`` is inside (the CLI's and the project's); RefusedError outside."""
    current = window.current(now)
    if current is None:
        raise RefusedError(
            _outside(f"the maintenance window {window.spec!r}", now, window.next_opening(now))
        )
    if not project.openings:
        raise RefusedError(
            f"the project {project.root} was generated without a maintenance window, so its "
            "guard play refuses every run: regenerate it with --window"
        )
    generated = project.opening(now)
    if generated is None:
        what = f"the window the project was generated for ({project.window_spec or 'unnamed'})"
        raise RefusedError(_outside(what, now, project.next_opening(now)))
    if generated.end < current.end:
        return OpenWindow(generated.end, f"the project's window {project.window_spec!r}")
    return OpenWindow(current.end, f"the maintenance window {window.spec!r}")


def _outside(what: str, now: datetime, upcoming: Interval | None) -> str:
    when = (
        f"it next opens {upcoming.start.isoformat(timespec='minutes')} until "
        f"{upcoming.end.isoformat(timespec='minutes')}"
        if upcoming
        else "it does not open again"
    )
    return (
        f"outside {what}: it is {now.isoformat(timespec='seconds')}; {when}. No host was contacted."
    )
