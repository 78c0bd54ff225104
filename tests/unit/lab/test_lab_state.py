"""Labs are found wherever they run: the default state dir and its siblings."""

from __future__ import annotations

from pathlib import Path

from remediator.lab import state
from tests.unit.lab.labstates import save_lab


def test_every_running_lab_is_found_default_first(tmp_path: Path) -> None:
    default = tmp_path / "lab"
    save_lab(tmp_path / "lab-slot2", "rml2", 222)
    save_lab(default, "rmlab", 213)
    (tmp_path / "lab-broken").mkdir()
    (tmp_path / "lab-broken" / state.STATE_FILE).write_text("{not json", encoding="utf-8")
    (tmp_path / "lab-empty").mkdir()
    found = [lab.config.prefix for lab in state.running_labs(default)]
    assert found == ["rmlab", "rml2"]


def test_no_lab_up_finds_none(tmp_path: Path) -> None:
    assert list(state.running_labs(tmp_path / "lab")) == []


def test_a_lab_with_its_state_anywhere_else_is_found_until_it_is_down(tmp_path: Path) -> None:
    default = tmp_path / "var" / "lab"
    elsewhere = tmp_path / "home" / "someone" / "demo-state"
    save_lab(elsewhere, "rmdemo", 214)
    save_lab(default, "rmlab", 213)
    assert [lab.config.prefix for lab in state.running_labs(default)] == ["rmlab", "rmdemo"]
    state.forget(elsewhere)
    assert [lab.config.prefix for lab in state.running_labs(default)] == ["rmlab"]
    assert elsewhere.resolve() not in {p.resolve() for p in state.LAB_POINTERS.iterdir()}
