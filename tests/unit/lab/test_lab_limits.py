"""The lab raises, and never lowers, the inotify instance limit its hosts' systemd need."""

from __future__ import annotations

from pathlib import Path

import pytest

from remediator.errors import ExecutionError
from remediator.lab.limits import WANTED_INOTIFY_INSTANCES, ensure_inotify_room


def test_a_low_limit_is_raised_and_the_old_value_returned(tmp_path: Path) -> None:
    knob = tmp_path / "max_user_instances"
    knob.write_text("128\n", encoding="ascii")
    assert ensure_inotify_room(knob) == 128
    assert int(knob.read_text(encoding="ascii")) == WANTED_INOTIFY_INSTANCES


def test_a_higher_limit_is_left_alone(tmp_path: Path) -> None:
    knob = tmp_path / "max_user_instances"
    knob.write_text("65536\n", encoding="ascii")
    assert ensure_inotify_room(knob) is None
    assert knob.read_text(encoding="ascii") == "65536\n"


def test_an_unreadable_limit_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ExecutionError, match="cannot read"):
        ensure_inotify_room(tmp_path / "missing")
