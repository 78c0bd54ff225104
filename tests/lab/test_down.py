"""``down`` leaves nothing behind; the lock keeps two ``up``s from racing.

These tests run a second, one-host lab (its own prefix, subnet and state dir) beside
the session's, so taking it down does not disturb the other lab tests.
"""

from __future__ import annotations

import ipaddress
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from remediator.errors import RefusedError
from remediator.lab import host as hosts
from remediator.lab import manager, network, state
from remediator.lab.config import LabConfig
from remediator.lab.lock import held

from .helpers import Lab

pytestmark = pytest.mark.lab

PREFIX = "rmtst"


@pytest.fixture
def small_lab(lab: Lab, tmp_path: Path) -> Iterator[LabConfig]:
    """A one-host lab; torn down after the test whatever happened."""
    config = LabConfig(
        prefix=PREFIX,
        subnet4=ipaddress.IPv4Network("10.213.1.0/24"),
        subnet6=ipaddress.IPv6Network("fd00:213:1::/64"),
        host_names=("clean",),
        state_dir=tmp_path / "state",
        cache_dir=lab.config.cache_dir,
    )
    yield config
    manager.down(config.state_dir, PREFIX, lambda _line: None)


def _leftovers(config: LabConfig) -> dict[str, list[str]]:
    """Everything of the lab that could outlive it, as seen from the machine."""
    live = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes()
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # A zombie holds no resources; its parent (init) reaps it.
        if f"--machine={PREFIX}-".encode() in argv and stat[0] != "Z":
            live.append(entry.name)
    mounts = [
        line.split()[1]
        for line in Path("/proc/self/mounts").read_text().splitlines()
        if str(config.state_dir) in line.split()[1] or PREFIX in line
    ]
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=True)
    return {
        "processes": live,
        "mounts": mounts,
        "namespaces": network.namespaces(PREFIX),
        "links": [line for line in links.stdout.splitlines() if "v-clean" in line or "br0" in line],
        "state": [str(p) for p in (config.state_dir / "state.json", config.state_dir / "hosts")
                  if p.exists()],
    }  # fmt: skip


def _up(config: LabConfig) -> state.LabState:
    manager.up(config, lambda _line: None)
    saved = state.require(config.state_dir)
    assert [s.state for s in manager.status(config.state_dir)] == ["running"]
    return saved


def test_down_leaves_nothing_behind(small_lab: LabConfig) -> None:
    saved = _up(small_lab)
    (process,) = saved.processes.values()
    assert hosts.pids_in_namespace(process.pid_namespace)
    assert any(_leftovers(small_lab).values())
    manager.down(small_lab.state_dir, PREFIX, lambda _line: None)
    assert _leftovers(small_lab) == {
        "processes": [],
        "mounts": [],
        "namespaces": [],
        "links": [],
        "state": [],
    }
    assert not hosts.pids_in_namespace(process.pid_namespace)


def test_down_cleans_up_after_a_run_that_lost_its_state(small_lab: LabConfig) -> None:
    _up(small_lab)
    state.forget(small_lab.state_dir)  # as if the process that ran `up` had crashed
    # `up` will not tear down a lab it has no record of (it may be someone else's) ...
    with pytest.raises(RefusedError, match="not recorded"):
        manager.up(small_lab, lambda _line: None)
    assert network.namespaces(PREFIX)
    # ... `down` removes it on purpose.
    manager.down(small_lab.state_dir, PREFIX, lambda _line: None)
    assert not any(_leftovers(small_lab).values())


def test_a_second_up_is_refused_while_one_holds_the_lock(small_lab: LabConfig) -> None:
    with held(small_lab.state_dir / manager.LOCK_FILE), pytest.raises(RefusedError, match="busy"):
        manager.up(small_lab, lambda _line: None)
    assert not any(_leftovers(small_lab).values())
