"""``lab down`` of a lab that is not up clears its own leftovers, never another lab.

A second ``remediator lab --state-dir SLOT down`` finds no state and falls back to the
default prefix; it then stopped the processes and deleted the namespaces of the default
lab, which was up and in use. Observed while a test session ran on the default lab.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from remediator.lab import host as hosts
from remediator.lab import manager, network, state
from tests.unit.lab.labstates import save_lab


@pytest.fixture
def torn(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What teardown did to namespaces and processes (recorded, never done)."""
    done: list[str] = []
    monkeypatch.setattr(hosts, "stray_processes", lambda prefix: [[f"{prefix}-pid"]])
    monkeypatch.setattr(network, "namespaces", lambda prefix: [f"{prefix}-ctl"])
    monkeypatch.setattr(hosts, "stop", lambda processes: done.append(f"stop {processes}"))
    monkeypatch.setattr(hosts, "unmount", lambda config, host: None)
    monkeypatch.setattr(hosts, "unmount_leftovers", lambda state_dir: None)
    monkeypatch.setattr(network, "destroy", lambda prefix: done.append(f"destroy {prefix}"))
    return done


def test_down_of_a_lab_not_up_leaves_a_running_lab_of_that_prefix_alone(
    tmp_path: Path, torn: list[str]
) -> None:
    save_lab(tmp_path / "lab", "rmlab", 213)  # the default lab, up
    said: list[str] = []
    manager._teardown(tmp_path / "lab-slot2", "rmlab", said.append)
    assert torn == []
    assert any(str(tmp_path / "lab") in line for line in said), said
    assert state.load(tmp_path / "lab") is not None


def test_down_of_a_lab_not_up_still_clears_leftovers_nobody_owns(
    tmp_path: Path, torn: list[str]
) -> None:
    save_lab(tmp_path / "lab", "rmlab", 213)
    manager._teardown(tmp_path / "lab-slot2", "rml2", lambda _: None)
    assert torn == ["stop [['rml2-pid']]", "destroy rml2"]
