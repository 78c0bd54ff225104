"""The generated project on real lab hosts: it fixes what the lab scan found, test by test.

Once for the module: scan the lab (remediator's own lab scan), plan it with the example
lab policy, generate the project, run its testinfra suites (before), run
``playbooks/remediate.yml`` with ``ansible-playbook`` exactly as a user or AWX would, run
the suites again (after). Then the hostile scan's project runs on the same hosts and no
canary file may appear on the controller or on any host.

Everything runs inside the lab's controller namespace. The ``pristine_lab`` fixture
resets every host after the module.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest

from remediator.generate.jobs import build_jobs
from remediator.generate.planfile import PlanDoc
from remediator.generate.project import Options, build_project
from remediator.generate.roles import load_roles
from remediator.generate.testinfra import suite_tests
from remediator.generate.writer import write_project
from remediator.lab.inventory import inventory_yaml
from remediator.lab.scan import scan
from remediator.lab.ssh import controller_command
from remediator.run.window import parse_window
from tests.unit.generate.helpers import HOSTILE_SCANS, LAB_POLICY, plan_of

from .helpers import TIMINGS, Lab

pytestmark = pytest.mark.lab

LAB_RESET_HOSTS: tuple[str, ...] = ()  # () = every host
CANARIES = ("/tmp/pwned", "/tmp/remediator-canary-shell", "/tmp/remediator-canary-backtick")
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Outcomes:
    """Per-test outcome of one run of the generated suites: name -> passed/failed/skipped."""

    results: dict[str, str]

    def named(self, prefix: str) -> dict[str, str]:
        return {k: v for k, v in self.results.items() if k.split("::")[-1].startswith(prefix)}


@dataclass(frozen=True)
class LabRun:
    plan: PlanDoc
    project: Path
    inventory: Path
    before: Outcomes
    applied: subprocess.CompletedProcess[str]
    after: Outcomes


def _run(
    lab: Lab, argv: Sequence[str], cwd: Path, timeout: float
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("ANSIBLE_CONFIG", None)
    return subprocess.run(
        controller_command(argv, lab.config),
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _suites(lab: Lab, project: Path, inventory: Path, report: Path) -> Outcomes:
    argv = [
        sys.executable,
        "-m",
        "pytest",
        "tests",
        f"--ansible-inventory={inventory}",
        f"--junitxml={report}",
        "-p",
        "no:cacheprovider",
        "-q",
    ]
    done = _run(lab, argv, project, timeout=600)
    assert report.is_file(), done.stdout + done.stderr
    results = {}
    for case in SafeET.parse(report).getroot().iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        kinds = {child.tag for child in case}
        outcome = (
            "failed"
            if kinds & {"failure", "error"}
            else "skipped"
            if "skipped" in kinds
            else "passed"
        )
        results[name] = outcome
    assert results, done.stdout + done.stderr
    return Outcomes(results)


def _playbook(
    lab: Lab, project: Path, inventory: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    argv = [str(BIN / "ansible-playbook"), "-i", str(inventory), "playbooks/remediate.yml", *extra]
    return _run(lab, argv, project, timeout=900)


def _generate(plan: PlanDoc, target: Path) -> Path:
    now = datetime.now(UTC).replace(microsecond=0)
    options = Options(generated_at=now, window=parse_window("now+3h", now), lab=True)
    write_project(build_project(plan, options, load_roles()), target)
    return target


@pytest.fixture(scope="module")
def run(pristine_lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> LabRun:
    lab = pristine_lab
    work = tmp_path_factory.mktemp("generated")
    inventory = work / "lab-inventory.yml"
    inventory.write_text(inventory_yaml(lab.config), encoding="utf-8")
    started = time.monotonic()
    scanned = scan(lab.config, work / "lab-scan.xml", lambda line: None)
    TIMINGS["generated project: lab scan"] = scanned.seconds
    plan = plan_of(scanned.files, LAB_POLICY, inventory, as_of=date.today())
    project = _generate(plan, work / "project")
    before = _suites(lab, project, inventory, work / "before.xml")
    mark = time.monotonic()
    applied = _playbook(
        lab, project, inventory, "-e", "remediator_batch=100%", "-e", "remediator_run_id=lab-test"
    )
    TIMINGS["generated project: ansible-playbook remediate.yml"] = time.monotonic() - mark
    after = _suites(lab, project, inventory, work / "after.xml")
    TIMINGS["generated project: scan, plan, generate, test, apply, test"] = (
        time.monotonic() - started
    )
    return LabRun(plan, project, inventory, before, applied, after)


def test_the_playbook_ran_clean(run: LabRun) -> None:
    output = run.applied.stdout + run.applied.stderr
    assert run.applied.returncode == 0, output[-6000:]
    recap = output.split("PLAY RECAP")[-1]
    assert "failed=0" in recap and "unreachable=0" in recap and "rescued=0" in recap, recap
    assert "failed=1" not in recap


def test_every_fix_test_failed_before_and_passes_after(run: LabRun) -> None:
    fixes_before = run.before.named("test_fix_")
    assert fixes_before, "the lab scan must give tests of fixes"
    passed_before = sorted(k for k, v in fixes_before.items() if v != "failed")
    assert not passed_before, f"fix tests that did not fail before the change: {passed_before}"
    fixes_after = run.after.named("test_fix_")
    assert set(fixes_after) == set(fixes_before)
    not_passing = sorted(k for k, v in fixes_after.items() if v != "passed")
    assert not not_passing, f"fix tests that do not pass after the change: {not_passing}"


def test_what_must_survive_passes_before_and_after(run: LabRun) -> None:
    for outcomes in (run.before, run.after):
        keeps = outcomes.named("test_keep_")
        assert keeps
        assert {k: v for k, v in keeps.items() if v != "passed"} == {}


def test_every_fixable_finding_is_asserted_by_a_passing_fix_test(run: LabRun) -> None:
    """Each finding the project changes is behind a test_fix_* (UDP firewall rules excepted)."""
    passed = {
        k.split("::")[-1].split("[")[0]
        for k, v in run.after.named("test_fix_").items()
        if v == "passed"
    }
    asserted: set[str] = set()
    fixable: set[str] = set()
    for job in build_jobs(run.plan):
        fixable |= {i.key for i in (*job.disable, *job.tls)}
        fixable |= {i.key for i in job.firewall if i.protocol == "tcp"}
        asserted |= {k for t in suite_tests(job) if t.name in passed for k in t.keys}
    assert fixable, "the lab plan must fix something"
    assert fixable <= asserted, sorted(fixable - asserted)


def test_hostile_project_runs_without_running_any_payload(
    run: LabRun, pristine_lab: Lab, tmp_path: Path
) -> None:
    lab = pristine_lab
    for canary in CANARIES:
        assert not Path(canary).exists(), f"{canary} exists on the controller before the run"
    plan = plan_of(HOSTILE_SCANS, LAB_POLICY, run.inventory, as_of=date.today())
    project = _generate(plan, tmp_path / "hostile")
    applied = _playbook(
        lab,
        project,
        run.inventory,
        "-e",
        "remediator_batch=100%",
        "-e",
        "remediator_run_id=hostile",
    )
    assert applied.returncode == 0, (applied.stdout + applied.stderr)[-6000:]
    suites = _suites(lab, project, run.inventory, tmp_path / "hostile.xml")
    assert {k: v for k, v in suites.results.items() if v == "failed"} == {}
    for canary in CANARIES:
        assert not Path(canary).exists(), f"{canary} was created on the controller"
    for host in lab.config.hosts:
        found = lab.ssh(host.name, "ls", "-d", *CANARIES)
        assert found.stdout.strip() == "", f"{host.name}: {found.stdout}"
        assert found.returncode != 0  # ls: cannot access ... for every canary
