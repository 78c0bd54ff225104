"""Where a run reaches its hosts: the namespace of whichever lab they belong to."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from remediator.errors import InputError
from remediator.lab import state
from remediator.lab.config import LabConfig
from remediator.lab.inventory import inventory_yaml
from remediator.run.ansible.target import Target, reach_namespace
from remediator.run.project import Project


@pytest.fixture
def labs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, LabConfig]:
    """Two labs "up" (their saved state): the default one and a slot lab beside it."""
    default_dir = tmp_path / "lab"
    every = state.running_labs
    monkeypatch.setattr(state, "running_labs", lambda: every(default_dir))
    found = {
        "default": LabConfig(state_dir=default_dir),
        "slot": LabConfig(
            prefix="rml2",
            subnet4=ipaddress.IPv4Network("10.222.0.0/24"),
            subnet6=ipaddress.IPv6Network("fd00:222::/64"),
            state_dir=tmp_path / "lab-slot2",
        ),
    }
    for config in found.values():
        state.save(state.LabState(config, {}))
    (tmp_path / "not-a-lab").mkdir()
    return found


def inventory(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_slot_labs_inventory_runs_in_that_labs_namespace(
    tmp_path: Path, labs: dict[str, LabConfig]
) -> None:
    slot = inventory(tmp_path, "slot.yml", inventory_yaml(labs["slot"]))
    assert reach_namespace(slot) == "rml2-ctl"
    default = inventory(tmp_path, "default.yml", inventory_yaml(labs["default"]))
    assert reach_namespace(default) == "rmlab-ctl"


def test_other_hosts_run_here_and_a_mix_is_refused(
    tmp_path: Path, labs: dict[str, LabConfig]
) -> None:
    other = inventory(
        tmp_path, "other.yml", "all:\n  hosts:\n    db1:\n      ansible_host: 192.0.2.7\n"
    )
    assert reach_namespace(other) is None
    legacy = labs["slot"].host("legacy")
    mixed = inventory(
        tmp_path,
        "mixed.yml",
        "all:\n  hosts:\n"
        f"    legacy.lab:\n      ansible_host: {legacy.address4}\n"
        "    db1:\n      ansible_host: 192.0.2.7\n",
    )
    with pytest.raises(InputError, match="mixes hosts of the lab rml2 with others"):
        reach_namespace(mixed)


def test_host_locks_name_where_the_host_is_reached(
    tmp_path: Path, labs: dict[str, LabConfig], lab_project: Project
) -> None:
    """Two labs' web.lab are two hosts: an apply on one must not lock the other out."""
    slot = inventory(tmp_path, "slot.yml", inventory_yaml(labs["slot"]))
    default = inventory(tmp_path, "default.yml", inventory_yaml(labs["default"]))
    one = Target(lab_project, slot, "rml2-ctl").identities(["web.lab", "gone.lab"])
    two = Target(lab_project, default, "rmlab-ctl").identities(["web.lab"])
    assert one == ["web.lab (10.222.0.11 in rml2-ctl)", "gone.lab (gone.lab in rml2-ctl)"]
    assert two == ["web.lab (10.213.0.11 in rmlab-ctl)"]
