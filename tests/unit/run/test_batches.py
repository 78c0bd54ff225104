"""Batches cut as Ansible's serial cuts them; windows checked before a batch starts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from ansible.utils.helpers import pct_to_int
from hypothesis import given
from hypothesis import strategies as st

from remediator.common.window import parse_window
from remediator.errors import InputError, RefusedError
from remediator.run.apply.batches import (
    CHECK_TO_APPLY,
    VERIFY_ALLOWANCE,
    estimate,
    open_window,
    parse_percent,
    parse_size,
    split,
)
from remediator.run.project import Project

from .conftest import GENERATED_AT


def ansible_batches(hosts: list[str], serial: list[int | str]) -> list[tuple[str, ...]]:
    """ansible-core's PlaybookExecutor._get_serialized_batches, on a plain list."""
    remaining, total, index, out = list(hosts), len(hosts), 0, []
    serial = serial or [-1]
    while remaining:
        size = pct_to_int(serial[index], total)
        if size <= 0:
            out.append(tuple(remaining))
            break
        out.append(tuple(remaining[:size]))
        remaining = remaining[size:]
        index = min(index + 1, len(serial) - 1)
    return out


sizes = st.one_of(st.integers(1, 12), st.integers(1, 100).map(lambda n: f"{n}%"))


@given(st.integers(0, 40), st.lists(sizes, min_size=1, max_size=4))
def test_batches_match_ansible_serial(count: int, serial: list[int | str]) -> None:
    hosts = [f"h{i}" for i in range(count)]
    assert split(hosts, serial) == ansible_batches(hosts, serial)


def test_project_default_one_then_a_quarter() -> None:
    hosts = [f"h{i}" for i in range(9)]
    assert [len(b) for b in split(hosts, (1, "25%"))] == [1, 2, 2, 2, 2]
    assert split(["a", "b"], ()) == [("a", "b")]


@pytest.mark.parametrize(("text", "value"), [("3", 3), ("25%", "25%"), (" 100% ", "100%")])
def test_batch_sizes(text: str, value: int | str) -> None:
    assert parse_size(text) == value


@pytest.mark.parametrize("text", ["0", "-1", "101%", "x", "5%%", ""])
def test_bad_batch_sizes(text: str) -> None:
    with pytest.raises(InputError):
        parse_size(text)


def test_max_fail_percentages() -> None:
    assert parse_percent("0%") == 0
    assert parse_percent("50") == 50
    with pytest.raises(InputError):
        parse_percent("150%")


def test_estimate_never_below_the_dry_run_nor_the_slowest_batch() -> None:
    assert estimate(10.0, []) == 10.0 * CHECK_TO_APPLY + VERIFY_ALLOWANCE
    assert estimate(10.0, [15.0, 90.0, 30.0]) == 90.0
    assert estimate(100.0, [15.0]) == 100.0 * CHECK_TO_APPLY + VERIFY_ALLOWANCE


def test_outside_the_window_refuses_and_says_when_it_opens(lab_project: Project) -> None:
    now = GENERATED_AT + timedelta(hours=1)
    window = parse_window("2026-11-28T22:00+01:00/2026-11-29T02:00+01:00", now)
    with pytest.raises(RefusedError) as refused:
        open_window(window, lab_project, now)
    message = str(refused.value)
    assert "outside the maintenance window" in message
    assert "next opens 2026-11-28T22:00+01:00" in message
    assert "No host was contacted" in message


def test_the_project_window_is_checked_too(lab_project: Project) -> None:
    later = GENERATED_AT + timedelta(hours=5)  # the project's now+4h has closed
    with pytest.raises(RefusedError, match="the window the project was generated for"):
        open_window(parse_window("now+1h", later), lab_project, later)
    unwindowed = replace(lab_project, openings=())
    with pytest.raises(RefusedError, match="without a maintenance window"):
        open_window(parse_window("now+1h", later), unwindowed, later)


def test_the_window_closing_first_decides(lab_project: Project) -> None:
    now = GENERATED_AT + timedelta(hours=1)
    short = open_window(parse_window("now+30m", now), lab_project, now)
    assert short.closes == now + timedelta(minutes=30)
    assert "maintenance window 'now+30m'" in short.what
    assert short.fits(now, 1800) and not short.fits(now, 1801)
    long = open_window(parse_window("now+10h", now), lab_project, now)
    assert long.closes == GENERATED_AT + timedelta(hours=4)
    assert "project's window" in long.what


def test_recurring_window_in_a_zone(lab_project: Project) -> None:
    # Wednesday 2026-11-25 10:00 UTC = 11:00 Berlin: inside "Mon-Fri 08:00-12:00".
    now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    opened = open_window(parse_window("Mon-Fri 08:00-12:00 Europe/Berlin", now), lab_project, now)
    assert opened.closes == datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
