"""The generated project on real lab hosts: it fixes what the lab scan found, test by test.

Once for the module: take the session's scan of the pristine lab (``lab_scan``, shared
with other modules), plan it with the example lab policy, generate the project, run its
testinfra suites (before), run ``playbooks/remediate.yml`` with ``ansible-playbook``
exactly as a user or AWX would, run the suites again (after). Then the hostile scan's
project runs on the same hosts and no canary file may appear on the controller or on any
host; finally ``rollback.yml`` puts the first run's snapshot back: each host's files,
firewall ruleset and unit states are what they were before, no revert timer is left
running, and the fix tests fail again, as they did before.

Everything runs inside the lab's controller namespace. The shared ``pristine_lab``
fixture resets every host after the module. The example policy and the hostile scan name
the default lab's addresses; they are rewritten to the lab in use (see
``REMEDIATOR_LAB_SLOT`` in tests/lab/conftest.py).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest

from remediator.classify.plan_document import PlanDoc
from remediator.common.window import parse_window
from remediator.generate.jobs import build_jobs
from remediator.generate.project import Options, build_project
from remediator.generate.roles import load_roles
from remediator.generate.testinfra import suite_tests
from remediator.generate.writer import write_project
from remediator.lab.inventory import inventory_yaml
from remediator.lab.ssh import controller_command
from tests.unit.generate.helpers import HOSTILE_SCANS, LAB_POLICY, plan_of

from .helpers import TIMINGS, Lab, LabScan, for_lab

pytestmark = pytest.mark.lab

LAB_RESET_HOSTS: tuple[str, ...] = ()  # () = every host
CANARIES = ("/tmp/pwned", "/tmp/remediator-canary-shell", "/tmp/remediator-canary-backtick")
BIN = Path(sys.executable).parent
SNAPSHOTS = "/var/lib/remediator/snapshots"
REVERT_TIMER = "remediator-snapshot-revert.timer"

STATE = r"""
import hashlib, json, os, shutil, subprocess

def run(*argv):
    return subprocess.run(argv, capture_output=True, text=True, check=False).stdout

def entry(path):
    info = os.lstat(path)
    if os.path.islink(path):
        what = "link:" + os.readlink(path)
    elif os.path.isfile(path):
        with open(path, "rb") as handle:
            what = hashlib.sha256(handle.read()).hexdigest()
    else:
        what = "dir" if os.path.isdir(path) else "other"
    return [what, info.st_mode, info.st_uid, info.st_gid]

files = {}
for top in ("/etc", "/var/backups/remediator-tls"):
    if os.path.lexists(top):
        files[top] = entry(top)
    for parent, dirs, names in os.walk(top):
        for name in dirs + names:
            files[os.path.join(parent, name)] = entry(os.path.join(parent, name))
firewall = {}
if shutil.which("nft"):
    firewall["nft"] = run("nft", "-s", "list", "ruleset")
for tool in ("iptables-save", "ip6tables-save"):
    if shutil.which(tool):
        for table in run(tool).split("\n*"):
            lines = [line.split(" [")[0] for line in table.splitlines() if line[:1] != "#"]
            chains = [x for x in lines[1:] if x != "COMMIT"]
            if all(x[:1] == ":" and x.endswith(" ACCEPT") for x in chains):
                continue  # builtin chains accepting, no rules: a table that filters nothing
            firewall[tool + " " + lines[0].lstrip("*")] = "\n".join(lines)
kinds = ("--type=service,socket,timer", "--no-legend", "--no-pager", "--plain", "--all")
units = {}
for line in run("systemctl", "list-unit-files", *kinds[:3]).splitlines():
    if line.split():
        units[line.split()[0]] = {"file": line.split()[1]}
for line in run("systemctl", "list-units", *kinds).splitlines():
    fields = line.split()
    if len(fields) < 4 or fields[2] == "inactive":
        continue
    if units.get(fields[0], {}).get("file") != "static":
        units.setdefault(fields[0], {})["active"] = fields[2]
print(json.dumps({"files": files, "firewall": firewall, "units": units}))
"""
"""A host's state as restore must bring it back: every file under /etc and the tls role's
backup directory (content, mode, owner, link target), the live firewall ruleset without
counters, and each unit's enablement and, unless inactive, its active state. Our own
constant program, run with the host's python3. Left out, as neither filtering nor run by
choice: an iptables table whose builtin chains all accept and that has no rules (neither
iptables nor iptables-nft can remove a table once it exists); units merely loaded and
inactive (firewalld loads the units it conflicts with); and whether a static unit runs (it
has no enablement and runs only on demand: firewall-cmd starts polkit over D-Bus, a timer
may start apt-daily)."""

TRANSIENT_UNITS = ("user@", "user-runtime-dir@", "remediator-snapshot-revert.")
"""Units that come and go with the test's own ssh logins and with the revert timer."""


@dataclass(frozen=True)
class Outcomes:
    """Per-test outcome of one run of the generated suites: name -> passed/failed/skipped."""

    results: dict[str, str]

    def named(self, prefix: str) -> dict[str, str]:
        return {k: v for k, v in self.results.items() if k.split("::")[-1].startswith(prefix)}


@dataclass(frozen=True)
class LabRun:
    lab: Lab
    work: Path
    plan: PlanDoc
    project: Path
    inventory: Path
    policy: Path
    before: Outcomes
    state: dict[str, dict[str, object]]
    applied: subprocess.CompletedProcess[str]
    after: Outcomes


def _state(lab: Lab, host: str) -> dict[str, object]:
    done = lab.ssh(host, f"python3 -c {shlex.quote(STATE)}")
    assert done.returncode == 0, done.stderr
    state: dict[str, object] = json.loads(done.stdout)
    units = state["units"]
    assert isinstance(units, dict)
    state["units"] = {k: v for k, v in units.items() if not k.startswith(TRANSIENT_UNITS)}
    return state


def _states(lab: Lab) -> dict[str, dict[str, object]]:
    return {host.name: _state(lab, host.name) for host in lab.config.hosts}


def _differences(before: dict[str, object], after: dict[str, object]) -> dict[str, object]:
    """What differs, per part, by path or unit (a readable assertion message)."""
    out: dict[str, object] = {}
    for part in ("files", "firewall", "units"):
        old, new = before[part], after[part]
        assert isinstance(old, dict) and isinstance(new, dict)
        keys = sorted(k for k in {*old, *new} if old.get(k) != new.get(k))
        if keys:
            out[part] = {k: (old.get(k), new.get(k)) for k in keys[:20]}
    return out


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
    argv = [sys.executable, "-m", "pytest", "tests", f"--ansible-inventory={inventory}"]
    argv += [f"--junitxml={report}", "-p", "no:cacheprovider", "-q", "-n", "5"]  # ssh-bound
    done = _run(lab, argv, project, timeout=600)
    assert report.is_file(), done.stdout + done.stderr
    results = {}
    for case in SafeET.parse(report).getroot().iter("testcase"):
        kinds = {child.tag for child in case}
        outcome = "failed" if kinds & {"failure", "error"} else "passed"
        results[f"{case.get('classname')}::{case.get('name')}"] = (
            "skipped" if "skipped" in kinds else outcome
        )
    assert results, done.stdout + done.stderr
    return Outcomes(results)


def _playbook(
    lab: Lab, project: Path, inventory: Path, playbook: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    argv = [str(BIN / "ansible-playbook"), "-i", str(inventory), f"playbooks/{playbook}", *extra]
    return _run(lab, argv, project, timeout=900)


def _generate(plan: PlanDoc, target: Path) -> Path:
    now = datetime.now(UTC).replace(microsecond=0)
    options = Options(generated_at=now, window=parse_window("now+3h", now), lab=True)
    write_project(build_project(plan, options, load_roles()), target)
    return target


def _clean_recap(done: subprocess.CompletedProcess[str]) -> None:
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    recap = output.split("PLAY RECAP")[-1]
    for bad in ("failed=", "unreachable=", "rescued="):
        counts = [line.split(bad)[1].split()[0] for line in recap.splitlines() if bad in line]
        assert counts and set(counts) == {"0"}, recap


@pytest.fixture(scope="module")
def run(pristine_lab: Lab, lab_scan: LabScan, tmp_path_factory: pytest.TempPathFactory) -> LabRun:
    lab = pristine_lab
    work = tmp_path_factory.mktemp("generated")
    inventory = work / "lab-inventory.yml"
    inventory.write_text(inventory_yaml(lab.config), encoding="utf-8")
    policy = for_lab(lab, LAB_POLICY, work / "lab-policy.yml")
    started = time.monotonic()
    plan = plan_of(lab_scan.files, policy, inventory, as_of=date.today())
    project = _generate(plan, work / "project")
    before = _suites(lab, project, inventory, work / "before.xml")
    mark = time.monotonic()
    state = _states(lab)
    TIMINGS["generated project: host states (each time)"] = time.monotonic() - mark
    mark = time.monotonic()
    extra = ("-e", "remediator_batch=100%", "-e", "remediator_run_id=lab-test")
    applied = _playbook(lab, project, inventory, "remediate.yml", *extra)
    TIMINGS["generated project: ansible-playbook remediate.yml"] = time.monotonic() - mark
    after = _suites(lab, project, inventory, work / "after.xml")
    TIMINGS["generated project: plan to tested"] = time.monotonic() - started
    return LabRun(lab, work, plan, project, inventory, policy, before, state, applied, after)


def test_the_playbook_ran_clean(run: LabRun) -> None:
    _clean_recap(run.applied)


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
    """Each finding the project changes is behind a test_fix_*, UDP firewall rules included."""
    passed = {
        name.split("::")[-1].split("[")[0]
        for name, outcome in run.after.named("test_fix_").items()
        if outcome == "passed"
    }
    asserted: set[str] = set()
    fixable: set[str] = set()
    for job in build_jobs(run.plan):
        fixable |= {i.key for i in job.disable} | {i.key for i in job.tls}
        fixable |= {i.key for i in job.firewall}
        asserted |= {k for t in suite_tests(job) if t.name in passed for k in t.keys}
    assert fixable, "the lab plan must fix something"
    assert any("/udp/" in key for key in fixable), "the lab plan must firewall UDP ports"
    assert fixable <= asserted, sorted(fixable - asserted)


def test_hostile_project_runs_without_running_any_payload(run: LabRun) -> None:
    lab = run.lab
    for canary in CANARIES:
        assert not Path(canary).exists(), f"{canary} exists on the controller before the run"
    scans = [for_lab(lab, s, run.work / s.name) for s in HOSTILE_SCANS]
    plan = plan_of(scans, run.policy, run.inventory, as_of=date.today())
    assert any("touch /tmp/pwned" in d.key for d in plan.decisions)
    project = _generate(plan, run.work / "hostile")
    extra = ("-e", "remediator_batch=100%", "-e", "remediator_run_id=hostile")
    started = time.monotonic()
    applied = _playbook(lab, project, run.inventory, "remediate.yml", *extra)
    suites = _suites(lab, project, run.inventory, run.work / "hostile.xml")
    TIMINGS["generated project: hostile run and its suites"] = time.monotonic() - started
    for canary in CANARIES:  # checked first: whatever else went wrong, no payload may run
        assert not Path(canary).exists(), f"{canary} was created on the controller"
    for host in lab.config.hosts:
        found = lab.ssh(host.name, "ls", "-d", *CANARIES)
        assert found.stdout.strip() == "", f"{host.name}: {found.stdout}"
        assert "No such file or directory" in found.stderr, found.stderr
    _clean_recap(applied)
    assert {k: v for k, v in suites.results.items() if v != "passed"} == {}


def test_rollback_brings_back_the_state_before(run: LabRun) -> None:
    """rollback.yml restores the first run's snapshot exactly, and stops a pending timer.

    The hosts' /etc, firewall rulesets and unit states are what they were before the
    first run (the hostile run came between), and the fix tests fail again. A revert
    timer armed (by hand, for the hostile run's snapshot) before the rollback must not
    survive it: it would later restore that other snapshot over the rollback.
    """
    lab = run.lab
    started = time.monotonic()
    changed = [j.name.removesuffix(".lab") for j in build_jobs(run.plan) if j.changes]
    for host in changed:
        tool = f"{SNAPSHOTS}/hostile/remediator-snapshot"
        if lab.ssh(host, "test", "-f", tool).returncode != 0:
            tool = f"{SNAPSHOTS}/lab-test/remediator-snapshot"
        armed = lab.ssh(
            host, "python3", tool, "arm", "--dir", str(Path(tool).parent), "--after", "900"
        )
        assert armed.returncode == 0, armed.stdout + armed.stderr
        pending = lab.ssh(host, "systemctl", "is-active", REVERT_TIMER).stdout.strip()
        assert pending == "active", f"{host}: the timer to be stopped was not armed: {pending}"
    extra = ("-e", "remediator_run_id=lab-test")
    _clean_recap(_playbook(lab, run.project, run.inventory, "rollback.yml", *extra))
    for host in changed:
        timer = lab.ssh(host, "systemctl", "is-active", REVERT_TIMER)
        assert timer.stdout.strip() != "active", f"{host}: the revert timer survived the restore"
        assert lab.ssh(host, "test", "-e", f"{SNAPSHOTS}/armed").returncode == 1, host
    now = _states(lab)
    assert {h: _differences(run.state[h], now[h]) for h in now} == {h: {} for h in now}
    again = _suites(lab, run.project, run.inventory, run.work / "rolled-back.xml")
    TIMINGS["generated project: rollback, its checks and suites"] = time.monotonic() - started
    assert again.results == run.before.results
