"""Each role's molecule scenario, run whole on the lab: syntax, create, check, converge,
idempotence, verify (testinfra), destroy.

The scenarios are the role author's quick loop (molecule/README.md); running them here
keeps them working rather than rotting beside the roles. Offline: no Galaxy step, the
collections come from the venv. The session's lab is the one molecule's delegated driver
brings up and resets (``REMEDIATOR_LAB_STATE_DIR`` names it to the create/destroy
playbooks and the ssh relay).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .helpers import TIMINGS, Lab

pytestmark = pytest.mark.lab

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SCENARIOS = ("disable_service", "firewall", "tls")
LAB_RESET_HOSTS = ("legacy", "web", "mail", "cache")  # also reset by each destroy step
STEPS = ("syntax", "create", "check", "converge", "idempotence", "verify", "destroy")


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario_runs_every_step(pristine_lab: Lab, scenario: str, tmp_path: Path) -> None:
    env = dict(
        os.environ,
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        REMEDIATOR_LAB_STATE_DIR=str(pristine_lab.config.state_dir),
        ANSIBLE_NOCOLOR="1",
        NO_COLOR="1",
        # A fresh state: molecule skips `create` when an earlier, interrupted run's state
        # says the instances exist.
        MOLECULE_EPHEMERAL_DIRECTORY=str(tmp_path / "molecule"),
    )
    env.pop("ANSIBLE_CONFIG", None)
    started = time.monotonic()
    done = subprocess.run(
        [str(BIN / "molecule"), "test", "-s", scenario],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    TIMINGS[f"molecule test -s {scenario}"] = time.monotonic() - started
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    for step in STEPS:  # molecule's plain (no colour, no tty) log lines
        assert f"[{scenario} > {step}] Executed: Successful" in output, (step, output[-3000:])
