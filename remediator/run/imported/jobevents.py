"""The job events of a run made elsewhere: ansible-runner's artifacts, or AWX's event export.

Two sources hold the same events, as ansible-runner's callback emitted them:

* an ansible-runner **artifacts directory** (``artifacts/<ident>/`` with ``job_events/``,
  ``status`` and ``rc``), or the private data dir holding exactly one of them: what a
  plain ``ansible-runner run`` or ``transmit | worker | process`` stream leaves;
* an **AWX job's events** as the API returns them (``GET /api/v2/jobs/N/job_events/``:
  one page ``{"count", "next", "results": [...]}``, a list of such pages, or a bare list
  of events). AWX deletes the runner artifacts after a job; its events are what remains.

The files come from another system and are read as untrusted data: every event must have
the shape the readers expect, or the whole source is refused naming the first bad one;
nothing in an event names a path or is run. Events are ordered by their ``counter``.
Which hosts they may speak of is decided later, by the project's inventory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from remediator.errors import InputError
from remediator.run.ansible.events import Event, play_stats

EVENT_KEYS: Final = ("event", "counter", "uuid", "parent_uuid", "created", "event_data")
"""What a run record keeps of an event: the keys ansible-runner and AWX share."""
MAX_BYTES: Final = 1 << 30
"""A source larger than this is refused, not read into memory."""
STATS_KEYS: Final = ("ok", "changed", "failures", "dark", "rescued", "skipped", "ignored")
ARTIFACTS: Final = "ansible-runner artifacts"
AWX_EVENTS: Final = "AWX job events"


@dataclass(frozen=True)
class JobEvents:
    """A job's events, in order, how it ended, and where they were read from."""

    events: tuple[Event, ...]
    status: str
    rc: int | None
    kind: str
    """:data:`ARTIFACTS` or :data:`AWX_EVENTS`."""
    source: Path


def read_job(source: Path) -> JobEvents:
    """The events of the job at ``source``: an artifacts directory or an AWX export file."""
    if source.is_dir():
        return _from_artifacts(_artifacts_dir(source))
    if source.is_file():
        return _from_awx(source)
    raise InputError(f"{source}: no such artifacts directory or AWX events file")


def _artifacts_dir(source: Path) -> Path:
    """``source`` itself, or the one ``artifacts/<ident>`` of a private data dir."""
    if (source / "job_events").is_dir():
        return source
    found = sorted(p.parent for p in source.glob("artifacts/*/job_events") if p.is_dir())
    if len(found) == 1:
        return found[0]
    if not found:
        raise InputError(
            f"{source}: no job_events/ here or under artifacts/<ident>/: not ansible-runner "
            "artifacts"
        )
    names = ", ".join(p.name for p in found)
    raise InputError(f"{source}: several runs under artifacts/ ({names}); name one of them")


def _from_artifacts(folder: Path) -> JobEvents:
    events = []
    for path in sorted((folder / "job_events").glob("*.json")):
        events.append(_event(_load(path), str(path)))
    status = _small_text(folder / "status")
    rc_text = _small_text(folder / "rc")
    rc = int(rc_text) if rc_text and rc_text.lstrip("-").isdigit() else None
    ordered = _ordered(events, str(folder))
    return JobEvents(ordered, status or _status_of(ordered), rc, ARTIFACTS, folder)


def _from_awx(path: Path) -> JobEvents:
    document = _load(path)
    found = enumerate(_awx_events(document, path))
    events = [_event(raw, f"{path}: event {n}") for n, raw in found]
    ordered = _ordered(events, str(path))
    return JobEvents(ordered, _status_of(ordered), None, AWX_EVENTS, path)


def _awx_events(document: object, path: Path) -> Iterator[object]:
    """The events of one API page, a list of pages, or a bare list of events."""
    pages = document if isinstance(document, list) else [document]
    for page in pages:
        if isinstance(page, Mapping) and "results" in page:
            results = page["results"]
            if not isinstance(results, list):
                raise InputError(f"{path}: 'results' is not a list of job events")
            yield from results
        elif isinstance(page, Mapping) and "event" in page:
            yield page
        else:
            raise InputError(
                f"{path}: not an AWX job events export (expected the API's pages of "
                "'results', or a list of events)"
            )


def _event(raw: object, where: str) -> Event:
    """The shared keys of one event, refused unless they have the types readers rely on."""
    if not isinstance(raw, Mapping):
        raise InputError(f"{where}: a job event is not an object")
    event, counter, data = raw.get("event"), raw.get("counter"), raw.get("event_data", {})
    if not isinstance(event, str) or not isinstance(counter, int) or isinstance(counter, bool):
        raise InputError(f"{where}: a job event needs an 'event' name and an integer 'counter'")
    if not isinstance(data, Mapping):
        raise InputError(f"{where}: the event's 'event_data' is not an object")
    for key in ("host", "task", "role"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise InputError(f"{where}: the event's '{key}' is not text")
    if event == "playbook_on_stats" and not all(_counts(data.get(k)) for k in STATS_KEYS):
        raise InputError(f"{where}: the play recap's counts are not host-to-number maps")
    return {key: raw[key] for key in EVENT_KEYS if key in raw} | {"event_data": dict(data)}


def _counts(value: object) -> bool:
    """Whether a recap field is absent or maps host names to counts."""
    if value is None:
        return True
    return isinstance(value, Mapping) and all(
        isinstance(h, str) and isinstance(n, int) and not isinstance(n, bool)
        for h, n in value.items()
    )


def _ordered(events: Sequence[Event], where: str) -> tuple[Event, ...]:
    """By counter; one event per counter (an export's overlapping pages repeat some)."""
    unique: dict[int, Event] = {}
    for event in events:
        counter = int(event["counter"])
        if counter in unique and unique[counter].get("uuid") != event.get("uuid"):
            raise InputError(f"{where}: two different events share counter {counter}")
        unique.setdefault(counter, event)
    if not unique:
        raise InputError(f"{where}: no job events")
    return tuple(unique[c] for c in sorted(unique))


def _status_of(events: Sequence[Event]) -> str:
    """AWX's word for how the job ended, from its events (an export carries no status)."""
    if not any(e.get("event") == "playbook_on_stats" for e in events):
        return "canceled"
    stats = play_stats(events)
    bad = any(s.failures or s.unreachable for s in stats.values())
    return "failed" if bad else "successful"


def _load(path: Path) -> object:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError(f"{path}: larger than {MAX_BYTES >> 20} MiB")
        return json.loads(path.read_bytes())
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not JSON: {exc}") from None
    except RecursionError:
        raise InputError(f"{path}: nested too deeply to be job events") from None


def _small_text(path: Path) -> str:
    """A one-word artifact (``status``, ``rc``); empty when absent or not a word."""
    try:
        text = path.read_text("utf-8", errors="replace")[:64].strip()
    except OSError:
        return ""
    return text if text.replace("-", "").replace("_", "").isalnum() else ""
