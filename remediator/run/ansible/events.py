"""ansible-runner job events turned into typed task results, one per host and loop item.

Results are read from the events ansible-runner records (never from the text output):
``runner_on_*`` for a task on a host, ``runner_item_on_*`` for each loop item. A loop's
closing event repeats its items under ``results``; it is skipped so that every item is
counted once. Each result keeps what the key mapping (:mod:`remediator.run.preview.keys`) needs:
the role, the finding keys its loop item carries, and hints (paths, command names,
unit names) for results that carry no item.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Any, Final

Event = Mapping[str, Any]

DIFF_CHARS: Final = 6000
"""A diff longer than this is cut (a whole rewritten config file says little more)."""
MESSAGE_CHARS: Final = 500
SHELLS: Final = frozenset({"sh", "bash", "dash"})
HINT_FIELDS: Final = ("dest", "path", "name", "unit")
"""Result, argument and loop-item fields whose value names a file, unit or package."""
COMMAND_FIELDS: Final = ("cmd", "argv", "_raw_params")
"""Fields holding a command, whose program name is the hint."""


class TaskOutcome(StrEnum):
    """What happened to one task (or loop item) on one host."""

    OK = "ok"
    CHANGED = "changed"
    FAILED = "failed"
    SKIPPED = "skipped"
    UNREACHABLE = "unreachable"


_OUTCOMES: Final = {
    "runner_on_ok": TaskOutcome.OK,
    "runner_item_on_ok": TaskOutcome.OK,
    "runner_on_failed": TaskOutcome.FAILED,
    "runner_item_on_failed": TaskOutcome.FAILED,
    "runner_on_skipped": TaskOutcome.SKIPPED,
    "runner_item_on_skipped": TaskOutcome.SKIPPED,
    "runner_on_unreachable": TaskOutcome.UNREACHABLE,
}


@dataclass(frozen=True)
class Diff:
    """One file's (or object's) before/after, as a unified diff."""

    header: str
    text: str


@dataclass(frozen=True)
class TaskResult:
    """One task (or loop item) on one host, as its job event reported it."""

    counter: int
    host: str
    task: str
    role: str | None
    action: str
    outcome: TaskOutcome
    item_keys: tuple[str, ...]
    label: str
    diffs: tuple[Diff, ...]
    message: str
    ignored: bool
    hints: tuple[str, ...]
    duration: float | None

    @property
    def changed(self) -> bool:
        return self.outcome is TaskOutcome.CHANGED

    def describe(self) -> str:
        """``task [label]``, for reports."""
        return f"{self.task} [{self.label}]" if self.label else self.task


@dataclass(frozen=True)
class HostStats:
    """A host's line of the play recap (``playbook_on_stats``)."""

    ok: int = 0
    changed: int = 0
    failures: int = 0
    unreachable: int = 0
    rescued: int = 0
    skipped: int = 0
    ignored: int = 0


def task_results(events: Iterable[Event]) -> list[TaskResult]:
    """Every per-host result of the events, in the order they happened."""
    return [r for r in (_result(e) for e in events) if r is not None]


def play_stats(events: Iterable[Event]) -> dict[str, HostStats]:
    """The last play recap's counts per host (empty when the run never got there)."""
    last: Mapping[str, Any] | None = None
    for event in events:
        if event.get("event") == "playbook_on_stats":
            last = event.get("event_data", {})
    if last is None:
        return {}
    fields = {
        "ok": "ok",
        "changed": "changed",
        "failures": "failures",
        "dark": "unreachable",
        "rescued": "rescued",
        "skipped": "skipped",
        "ignored": "ignored",
    }
    counts: dict[str, dict[str, int]] = {}
    for source, target in fields.items():
        for host, count in (last.get(source) or {}).items():
            counts.setdefault(str(host), {})[target] = int(count)
    return {host: HostStats(**values) for host, values in counts.items()}


def hosts_seen(events: Iterable[Event]) -> set[str]:
    """Hosts any event names."""
    return {str(h) for e in events if (h := e.get("event_data", {}).get("host"))}


def task_start(event: Event) -> tuple[str, str] | None:
    """``(host, task)`` when ``event`` says a task started on a host (live progress)."""
    if event.get("event") != "runner_on_start":
        return None
    data = event.get("event_data", {})
    return str(data.get("host", "")), str(data.get("task", ""))


def _result(event: Event) -> TaskResult | None:
    outcome = _OUTCOMES.get(str(event.get("event")))
    data = event.get("event_data") or {}
    if outcome is None or not data.get("host"):
        return None
    res = data.get("res") or {}
    if not isinstance(res, Mapping):
        res = {}
    item_event = str(event.get("event")).startswith("runner_item_")
    if not item_event and isinstance(res.get("results"), list):
        return None  # a loop's summary: its items were reported one by one
    if outcome is TaskOutcome.OK and res.get("changed"):
        outcome = TaskOutcome.CHANGED
    item = res.get("item") if item_event else None
    if item is None and isinstance(res.get("finding"), str):
        item = {"key": res["finding"]}  # a module that echoes its finding (remediator_backport)
    return TaskResult(
        counter=int(event.get("counter") or 0),
        host=str(data["host"]),
        task=str(data.get("task") or ""),
        role=str(data["role"]) if data.get("role") else None,
        action=str(data.get("resolved_action") or data.get("task_action") or ""),
        outcome=outcome,
        item_keys=tuple(_item_keys(item)),
        label=_label(res, item),
        diffs=tuple(_diffs(res.get("diff"))),
        message=_message(res),
        ignored=bool(data.get("ignore_errors")),
        hints=tuple(dict.fromkeys(_hints(res, item))),
        duration=float(data["duration"]) if isinstance(data.get("duration"), int | float) else None,
    )


def _item_keys(item: object) -> Iterator[str]:
    """Finding keys a loop item carries: ``key``, ``keys`` or ``findings`` (the disable
    role's unit and superserver items), or those of a nested ``item``."""
    if not isinstance(item, Mapping):
        return
    key = item.get("key")
    keys = item.get("keys", item.get("findings"))
    if isinstance(key, str):
        yield key
    elif isinstance(keys, list):
        yield from (k for k in keys if isinstance(k, str))
    else:
        yield from _item_keys(item.get("item"))


def _label(res: Mapping[str, Any], item: object) -> str:
    label = res.get("_ansible_item_label", item)
    if label is None:
        return ""
    text = label if isinstance(label, str) else json.dumps(label, sort_keys=True, default=str)
    return text[:200]


def _message(res: Mapping[str, Any]) -> str:
    parts = [str(res.get("msg") or "").strip()]
    stderr = str(res.get("stderr") or "").strip()
    if stderr and stderr not in parts[0]:
        parts.append(stderr)
    return " | ".join(p for p in parts if p)[:MESSAGE_CHARS]


def _hints(res: Mapping[str, Any], item: object) -> Iterator[str]:
    """Paths, command names and unit names that tell which daemon or unit a result is about."""
    invocation = res.get("invocation")
    arguments = invocation.get("module_args") if isinstance(invocation, Mapping) else None
    nested = item.get("item") if isinstance(item, Mapping) else None
    for source in (res, arguments, item, nested):
        if not isinstance(source, Mapping):
            continue
        for field in HINT_FIELDS:
            value = source.get(field)
            if isinstance(value, str) and value:
                yield value
        for field in COMMAND_FIELDS:
            word = _command_word(source.get(field))
            if word:
                yield word


def _command_word(command: object) -> str | None:
    """The program a command ran (its base name), from an argv list or a command line.

    For ``sh -c SCRIPT`` it is the script's first program (``apache2ctl configtest && ...``).
    """
    if isinstance(command, list) and command:
        program = PurePosixPath(str(command[0])).name
        if program in SHELLS and len(command) > 2 and command[1] == "-c":
            return _command_word(str(command[2]))
        return program
    if isinstance(command, str) and command.strip():
        return PurePosixPath(command.split()[0]).name
    return None


def _diffs(raw: object) -> Iterator[Diff]:
    entries = raw if isinstance(raw, list) else [raw] if isinstance(raw, Mapping) else []
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        if isinstance(entry.get("prepared"), str):
            yield Diff("prepared", entry["prepared"][:DIFF_CHARS])
            continue
        if "before" not in entry and "after" not in entry:
            continue
        before, after = _text(entry.get("before")), _text(entry.get("after"))
        if before == after:
            continue
        old = str(entry.get("before_header") or "before")
        new = str(entry.get("after_header") or "after")
        lines = difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), old, new
        )
        text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
        yield Diff(new if new != "after" else old, text[:DIFF_CHARS])


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=1, sort_keys=True, default=str) + "\n"
