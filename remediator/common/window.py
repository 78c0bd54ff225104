"""Maintenance windows: when the business allows a change.

Three spellings, each parsed into a :class:`Window` that answers "is ``at`` inside?",
"when does the current window close?" and "when does the next one open?":

* ``2026-11-28T22:00+01:00/2026-11-29T02:00+01:00`` — an ISO 8601 interval with offsets;
* ``Mon-Fri 22:00-02:00 Europe/Berlin`` — recurring; DAYS is ``daily``, ``Mon``,
  ``Mon,Thu`` or ``Mon-Fri``; a window may cross midnight (it then belongs to the day it
  opens on); daylight saving time is the zone's own;
* ``now+2h`` — a window that opens at once and lasts the duration.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from remediator.errors import InputError

DAY_NAMES: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]|24):([0-5]\d)$")
_LOOKAHEAD_DAYS: Final = 8


@dataclass(frozen=True, slots=True)
class Interval:
    """One concrete opening of a window, in absolute (offset-aware) time."""

    start: datetime
    end: datetime

    def contains(self, at: datetime) -> bool:
        """Whether ``at`` falls inside ``[start, end)``."""
        return self.start <= at < self.end


@dataclass(frozen=True, slots=True)
class Window:
    """A maintenance window: a single interval or a weekly recurrence in a time zone."""

    spec: str
    interval: Interval | None = None
    days: frozenset[int] = frozenset()
    opens: time = time(0)
    closes: time = time(0)
    zone: str = "UTC"

    def openings(self, after: datetime) -> Iterator[Interval]:
        """The window's intervals that end after ``after``, in order."""
        if self.interval is not None:
            if self.interval.end > after:
                yield self.interval
            return
        zone = ZoneInfo(self.zone)
        local_day = after.astimezone(zone).date() - timedelta(days=1)
        while True:
            if local_day.weekday() in self.days:
                opening = self._on(local_day, zone)
                if opening.end > after:
                    yield opening
            local_day += timedelta(days=1)

    def _on(self, day: date, zone: ZoneInfo) -> Interval:
        start = datetime.combine(day, self.opens, tzinfo=zone)
        end_day = day if self.closes > self.opens else day + timedelta(days=1)
        end = datetime.combine(end_day, self.closes, tzinfo=zone)
        return Interval(start.astimezone(UTC), end.astimezone(UTC))

    def current(self, at: datetime) -> Interval | None:
        """The opening ``at`` is inside, or None when the window is closed then."""
        for opening in self._nearby(at):
            if opening.contains(at):
                return opening
        return None

    def next_opening(self, at: datetime) -> Interval | None:
        """The next opening that starts after ``at``; None when there is none."""
        for opening in self._nearby(at):
            if opening.start > at:
                return opening
        return None

    def _nearby(self, at: datetime) -> Iterator[Interval]:
        limit = at + timedelta(days=_LOOKAHEAD_DAYS)
        for opening in self.openings(at):
            if opening.start > limit:
                return
            yield opening

    def intervals_until(self, at: datetime, horizon: timedelta) -> tuple[Interval, ...]:
        """Every opening between ``at`` and ``at + horizon``, for playbooks to check offline."""
        result = []
        for opening in self.openings(at):
            if opening.start > at + horizon:
                break
            result.append(opening)
        return tuple(result)


def parse_window(spec: str, now: datetime) -> Window:
    """Parse a window spec (see the module docstring); InputError names what is wrong."""
    text = spec.strip()
    if text.lower().startswith("now+"):
        return Window(text, interval=Interval(now, now + parse_duration(text[4:], spec)))
    if "/" in text and " " not in text:
        return _parse_interval(text)
    return _parse_recurring(text)


def parse_duration(text: str, spec: str) -> timedelta:
    """``2h``, ``90m``, ``1h30m``, ``1d``: a positive duration."""
    match = _DURATION.fullmatch(text.strip().lower())
    if not text.strip() or match is None:
        raise InputError(f"window {spec!r}: {text!r} is not a duration like 2h, 90m or 1h30m")
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    duration = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    if duration <= timedelta(0):
        raise InputError(f"window {spec!r}: the duration must be longer than zero")
    return duration


def _parse_interval(text: str) -> Window:
    start_text, end_text = text.split("/", 1)
    start, end = _instant(start_text, text), _instant(end_text, text)
    if end <= start:
        raise InputError(f"window {text!r}: it ends before it starts")
    return Window(text, interval=Interval(start, end))


def _instant(text: str, spec: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"window {spec!r}: {text!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise InputError(f"window {spec!r}: {text!r} needs a UTC offset, e.g. {text}+01:00")
    return value


def _parse_recurring(text: str) -> Window:
    parts = text.split()
    if len(parts) != 3:
        raise InputError(
            f"window {text!r}: expected 'START/END', 'DAYS HH:MM-HH:MM ZONE' or 'now+DURATION'"
        )
    days_text, clock, zone = parts
    match = _CLOCK.match(clock)
    if match is None:
        raise InputError(f"window {text!r}: {clock!r} is not a time range like 22:00-02:00")
    opens = time(int(match[1]), int(match[2]))
    until_midnight = match[3] == "24"
    if until_midnight and match[4] != "00":
        raise InputError(f"window {text!r}: {clock!r} is not a time range like 22:00-02:00")
    closes = time(0) if until_midnight else time(int(match[3]), int(match[4]))
    if opens == closes and not until_midnight:
        raise InputError(f"window {text!r}: it opens and closes at the same time")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"window {text!r}: {zone!r} is not an IANA time zone") from None
    return Window(text, days=_parse_days(days_text, text), opens=opens, closes=closes, zone=zone)


def _parse_days(text: str, spec: str) -> frozenset[int]:
    if text.lower() == "daily":
        return frozenset(range(7))
    days: set[int] = set()
    for item in text.lower().split(","):
        first, _, last = item.partition("-")
        if first not in DAY_NAMES or (last and last not in DAY_NAMES):
            raise InputError(f"window {spec!r}: {item!r} is not a day like Mon, Mon,Thu or Mon-Fri")
        start = DAY_NAMES.index(first)
        stop = DAY_NAMES.index(last) if last else start
        days.update(d % 7 for d in range(start, stop + 1 if stop >= start else stop + 8))
    return frozenset(days)
