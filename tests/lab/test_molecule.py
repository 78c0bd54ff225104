"""Each role's molecule scenario, run whole on the lab: syntax, create, check, converge,
idempotence, verify (testinfra), destroy.

A verify step that succeeded says nothing if its checks did not run: each verifier file
names the one platform it checks (``testinfra_hosts``), so a platform renamed away
collects no test and runs nothing. The test therefore counts what testinfra passed
against what the verifier files hold (tests x parametrized cases, per host they name)
and wants nothing skipped.

The scenarios are the role author's quick loop (molecule/README.md); running them here
keeps them working rather than rotting beside the roles. Offline: no Galaxy step, the
collections come from the venv. The session's lab is the one molecule's delegated driver
brings up and resets (``REMEDIATOR_LAB_STATE_DIR`` names it to the create/destroy
playbooks and the ssh relay).
"""

from __future__ import annotations

import ast
import os
import re
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
SUMMARY = re.compile(r"^=+ (?P<counts>.*\d+ \w+.*) in [\d.]+s", re.M)


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
    expected = expected_checks(REPO / "molecule" / scenario / "tests")
    assert verifier_counts(output) == {"passed": expected}, (expected, output[-3000:])


def verifier_counts(output: str) -> dict[str, int]:
    """pytest's closing counts of the verify step (``=== 5 passed in 1.2s ===``)."""
    summaries = SUMMARY.findall(output)
    assert len(summaries) == 1, f"one pytest summary expected in molecule's output: {summaries}"
    counts = {}
    for part in summaries[0].split(","):
        number, word = part.split()[:2]
        if not word.startswith("warning"):  # deprecation warnings are no verdict
            counts[word] = int(number)
    return counts


def expected_checks(tests: Path) -> int:
    """How many test cases the verifier files hold: per file, each test function times
    its parametrized cases, times the hosts its ``testinfra_hosts`` names."""
    total = 0
    for path in sorted(tests.glob("test_*.py")):
        module = ast.parse(path.read_text(encoding="utf-8"))
        hosts = _testinfra_hosts(module)
        assert hosts and all(not h.endswith("://all") for h in hosts), (
            f"{path}: name the platforms checked, so a renamed one cannot pass unchecked"
        )
        functions = [
            node
            for node in module.body
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test")
        ]
        total += len(hosts) * sum(_cases(f) for f in functions)
    assert total, f"no verifier tests under {tests}"
    return total


def _testinfra_hosts(module: ast.Module) -> list[str]:
    for node in module.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "testinfra_hosts" for t in node.targets
        ):
            hosts = ast.literal_eval(node.value)
            assert isinstance(hosts, list)
            return [str(h) for h in hosts]
    return []


def _cases(function: ast.FunctionDef) -> int:
    """1, or the product of its ``pytest.mark.parametrize`` value lists' lengths."""
    cases = 1
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Call) and ast.unparse(decorator.func).endswith(
            "mark.parametrize"
        ):
            cases *= len(ast.literal_eval(decorator.args[1]))
    return cases
