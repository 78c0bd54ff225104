"""Unit tests never touch the machine's own lab registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from remediator.lab import state


@pytest.fixture(autouse=True)
def _own_lab_pointers(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Pointers to labs with a state dir elsewhere go to a directory of the test's own."""
    pointers = tmp_path_factory.mktemp("lab-pointers") / "labs"
    monkeypatch.setattr(state, "LAB_POINTERS", pointers)
    return pointers
