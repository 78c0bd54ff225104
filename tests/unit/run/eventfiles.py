"""The recorded job-event fixtures (fixtures/*.json): how they are read and how a real
run's events are trimmed to the recorded form.

Trimming keeps every field :mod:`remediator.run.ansible.events` reads and drops the bulk no test
needs (gathered facts, systemd status dumps, module arguments it does not read, text
output), so that a
fixture recorded from the lab again (``tests/lab/run/record_lab_check.py``) has the form
of the one checked in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from remediator.run.ansible.events import COMMAND_FIELDS, HINT_FIELDS

FIXTURES = Path(__file__).resolve().parent / "fixtures"

DROPPED_EVENTS = frozenset({"verbose", "runner_on_file_diff"})
"""Events nothing reads: ansible's verbose lines, and diffs repeated in the task's result."""
DROPPED_RESULT_FIELDS = frozenset({"ansible_facts", "status", "stdout_lines", "stderr_lines"})
"""Bulk of a task's result: facts, a systemd unit's full ``status``, and text already kept
in ``stdout``/``stderr``."""
HINT_ARGUMENTS = (*HINT_FIELDS, *COMMAND_FIELDS)
"""The module arguments (``invocation.module_args``) the run stage reads hints from
(``remediator.run.ansible.events``); the rest of a module's echo of its arguments goes."""
DROPPED_EVENT_FIELDS = frozenset({"stdout"})
"""The event's rendering for a terminal: the result fields hold the same."""
OUTPUT_CHARS = 1500
"""A command's ``stdout``/``stderr`` is cut here (the keys mapping reads none of it)."""


def events(name: str) -> list[dict[str, Any]]:
    """The events of fixture ``name`` (``fixtures/<name>.json``)."""
    data: list[dict[str, Any]] = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    return data


def trimmed(raw: Iterable[Mapping[str, Any]], hosts: Iterable[str]) -> list[dict[str, Any]]:
    """``raw`` events in counter order, those of other hosts than ``hosts`` left out
    (events of no host, the play recap among them, are kept), each trimmed."""
    keep = frozenset(hosts)
    ordered = sorted(raw, key=lambda event: int(event["counter"]))
    return [
        _trim_event(event)
        for event in ordered
        if event.get("event") not in DROPPED_EVENTS
        and event.get("event_data", {}).get("host") in keep | {None}
    ]


def _trim_event(event: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in event.items() if k not in DROPPED_EVENT_FIELDS}
    data = dict(out.get("event_data", {}))
    if isinstance(data.get("res"), Mapping):
        data["res"] = _trim_result(data["res"])
    out["event_data"] = data
    return out


def _trim_result(result: Mapping[str, Any]) -> dict[str, Any]:
    out = {
        key: _trim_field(key, value)
        for key, value in result.items()
        if key not in DROPPED_RESULT_FIELDS
    }
    if "invocation" in out:
        arguments = _hint_arguments(out.pop("invocation"))
        if arguments:
            out["invocation"] = {"module_args": arguments}
    return out


def _hint_arguments(invocation: Any) -> dict[str, Any]:
    arguments = invocation.get("module_args") if isinstance(invocation, Mapping) else None
    if not isinstance(arguments, Mapping):
        return {}
    return {k: arguments[k] for k in HINT_ARGUMENTS if arguments.get(k) not in (None, "", [])}


def _trim_field(key: str, value: Any) -> Any:
    if key in ("stdout", "stderr") and isinstance(value, str):
        return value[:OUTPUT_CHARS]
    if key == "results" and isinstance(value, list):
        return [_trim_result(v) if isinstance(v, Mapping) else v for v in value]
    return value
