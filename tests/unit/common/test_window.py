"""Maintenance window specs: parsing, inside/outside, next opening, midnight and DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remediator.common.window import parse_window
from remediator.errors import InputError

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # a Wednesday


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Berlin."""
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def test_now_plus_duration_opens_at_once() -> None:
    window = parse_window("now+2h", NOW)
    opening = window.current(NOW)
    assert opening is not None
    assert (opening.start, opening.end) == (NOW, NOW + timedelta(hours=2))
    assert window.current(NOW + timedelta(hours=2)) is None
    assert parse_window("now+1h30m", NOW).current(NOW + timedelta(minutes=89)) is not None


def test_iso_interval_with_offsets() -> None:
    window = parse_window("2026-11-28T22:00+01:00/2026-11-29T02:00+01:00", NOW)
    assert window.current(NOW) is None
    nxt = window.next_opening(NOW)
    assert nxt is not None
    assert nxt.start == datetime(2026, 11, 28, 21, 0, tzinfo=UTC)
    assert window.current(datetime(2026, 11, 29, 0, 30, tzinfo=UTC)) is not None
    after = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
    assert window.current(after) is None
    assert window.next_opening(after) is None


def test_weekday_range_crossing_midnight() -> None:
    window = parse_window("Mon-Fri 22:00-02:00 Europe/Berlin", NOW)
    assert window.current(at(2026, 11, 25, 23, 30)) is not None  # Wednesday night
    assert window.current(at(2026, 11, 26, 1, 59)) is not None  # ... into Thursday
    assert window.current(at(2026, 11, 26, 2, 0)) is None
    # Saturday 01:00 still belongs to Friday's window; Sunday 01:00 to no window.
    assert window.current(at(2026, 11, 28, 1, 0)) is not None
    assert window.current(at(2026, 11, 29, 1, 0)) is None
    nxt = window.next_opening(at(2026, 11, 28, 12, 0))  # Saturday noon -> Monday 22:00
    assert nxt is not None
    assert nxt.start == at(2026, 11, 30, 22, 0).astimezone(UTC)


def test_day_lists_and_daily() -> None:
    mon_thu = parse_window("Mon,Thu 01:00-03:00 UTC", NOW)
    assert mon_thu.days == frozenset({0, 3})
    assert parse_window("daily 00:00-24:00 UTC", NOW).current(NOW) is not None
    assert parse_window("Sat-Mon 10:00-11:00 UTC", NOW).days == frozenset({5, 6, 0})


def test_dst_is_the_zones_own() -> None:
    window = parse_window("Sun 01:00-05:00 Europe/Berlin", NOW)
    # 2026-03-29: clocks go 02:00 -> 03:00 in Berlin, so the window lasts 3 real hours.
    spring = window.next_opening(datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    assert spring is not None
    assert spring.end - spring.start == timedelta(hours=3)
    # 2026-10-25: clocks go 03:00 -> 02:00, so it lasts 5 real hours.
    autumn = window.next_opening(datetime(2026, 10, 24, 12, 0, tzinfo=UTC))
    assert autumn is not None
    assert autumn.end - autumn.start == timedelta(hours=5)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("now+", "not a duration"),
        ("now+0m", "longer than zero"),
        ("now+2 hours", "not a duration"),
        ("2026-11-28T22:00/2026-11-29T02:00", "needs a UTC offset"),
        ("2026-11-29T02:00+01:00/2026-11-28T22:00+01:00", "ends before it starts"),
        ("someday/2026-11-28T22:00+01:00", "not an ISO 8601"),
        ("Funday 22:00-02:00 UTC", "not a day"),
        ("Mon 25:00-02:00 UTC", "not a time range"),
        ("Mon 22:00-22:00 UTC", "same time"),
        ("Mon 22:00-02:00 Mars/Olympus", "not an IANA time zone"),
        ("tonight", "expected"),
    ],
)
def test_bad_specs_say_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_window(spec, NOW)


@given(
    moment=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    days=st.sampled_from(["daily", "Mon", "Mon,Thu", "Mon-Fri", "Fri-Mon"]),
    opens=st.integers(0, 23),
    hours=st.integers(1, 23),
)
def test_property_inside_or_next_opening_after(
    moment: datetime, days: str, opens: int, hours: int
) -> None:
    """Any instant is either inside an opening or before the next one, never both."""
    closes = (opens + hours) % 24
    window = parse_window(f"{days} {opens:02d}:00-{closes:02d}:00 America/New_York", NOW)
    current = window.current(moment)
    nxt = window.next_opening(moment)
    assert nxt is not None
    assert nxt.start > moment
    if current is not None:
        assert current.start <= moment < current.end
        assert nxt.start >= current.end
    else:
        assert all(
            not o.contains(moment) for o in window.intervals_until(moment, timedelta(days=8))
        )
