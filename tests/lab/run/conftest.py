"""Lab fixtures of the run tests: the lab inventory, the lab plan, generated projects.

The plan comes from the saved nmap scan of the default lab (the classify fixtures), so
these tests do not spend minutes scanning; the scans and the example policy name the
default lab's addresses and are rewritten for the lab in use (``for_lab``), so the tests
run on a lab slot of one's own as on the default lab.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from remediator.classify.plan import build_plan
from remediator.classify.plan_document import parse_plan
from remediator.classify.policy.read import load_policy
from remediator.cli import main
from remediator.common.window import parse_window
from remediator.generate.project import Options, build_project
from remediator.generate.roles import load_roles
from remediator.generate.writer import write_project
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import load_inventory
from remediator.lab.inventory import inventory_yaml
from tests.lab.helpers import Lab, for_lab

REPO = Path(__file__).resolve().parents[3]
SCANS = REPO / "tests" / "unit" / "classify" / "fixtures"
TARGETS = ("cache.lab", "legacy.lab", "mail.lab", "web.lab")


@dataclass(frozen=True)
class LabRun:
    """Files every run test shares, and helpers to drive `remediator` against the lab."""

    lab: Lab
    base: Path
    inventory: Path
    plan: Path
    shared: dict[str, Any] = field(default_factory=dict, compare=False)
    """What the session's modules share: the reviewed project and its dry-run."""

    def reviewed(self, capsys: pytest.CaptureFixture[str]) -> tuple[Path, dict[str, Any]]:
        """The session's project (window now+4h) and its dry-run of every target host.

        Made once, by the first test that asks, while the hosts are pristine (each module
        starts from pristine hosts and changes them in its last test only), so it is the
        true preview of every module's pristine hosts: applies give it as --dry-run-id
        (narrowed with --limit where they change fewer hosts) instead of each paying for
        a check run of their own.
        """
        if "reviewed" not in self.shared:
            project = self.project("reviewed", "now+4h")
            code, dry = self.cli_json(capsys, "dry-run", str(project))
            assert code == 0, dry
            self.shared["reviewed"] = (project, dry)
        project, dry = self.shared["reviewed"]
        return project, dry

    def project(self, name: str, window: str, now: datetime | None = None) -> Path:
        """`remediator generate` of the lab plan for ``window`` (from ``now``)."""
        moment = (now or datetime.now(UTC)).replace(microsecond=0)
        doc = parse_plan(self.plan.read_bytes(), str(self.plan))
        options = Options(generated_at=moment, window=parse_window(window, moment), lab=True)
        target = self.base / name
        write_project(build_project(doc, options, load_roles()), target)
        return target

    def argv(self, *argv: str) -> list[str]:
        return [*argv, "--inventory", str(self.inventory), "--runs-dir", str(self.base / "runs")]

    def cli(self, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
        code = main(self.argv(*argv))
        out, err = capsys.readouterr()
        sys.stderr.write(err[-4000:])  # progress, shown by pytest when a test fails
        return code, out, err

    def cli_json(self, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
        code, out, err = self.cli(capsys, *argv, "--json")
        assert out.strip(), err
        return code, json.loads(out)

    def records(self, kind: str) -> list[Path]:
        return sorted(p for p in (self.base / "runs").glob(f"*-{kind}-*") if p.is_dir())


@pytest.fixture(scope="session")
def lab_session(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> LabRun:
    """The lab inventory and the plan of the saved lab scan, for the lab in use."""
    return lab_plan(lab, tmp_path_factory.mktemp("labrun"))


def lab_plan(lab: Lab, base: Path) -> LabRun:
    """``lab``'s inventory and the plan of the saved lab scan for it, written in ``base``."""
    inventory = base / "lab.yml"
    inventory.write_text(inventory_yaml(lab.config), encoding="utf-8")
    hosts = load_inventory(inventory)
    scans = [
        for_lab(lab, SCANS / name, base / name) for name in ("lab-scan.xml", "lab-scan.v6.xml")
    ]
    findings = load_findings(scans, inventory=hosts)
    policy_file = for_lab(lab, REPO / "examples" / "lab-policy.yml", base / "policy.yml")
    policy = load_policy(policy_file, hosts)
    plan = build_plan(findings, policy, hosts, date.today())
    (base / "plan.json").write_text(plan.dumps(), encoding="utf-8")
    return LabRun(lab, base, inventory, base / "plan.json")


@pytest.fixture(scope="module")
def lab_run(pristine_lab: Lab, lab_session: LabRun) -> LabRun:
    """The lab with every host pristine: the session starts from fresh hosts and each
    module's ``pristine_lab`` resets them all after it, so a module's first test (and
    every test that only reads) finds them untouched. Each module changes hosts in its
    last test only."""
    assert pristine_lab is lab_session.lab
    return lab_session


HostState = Callable[[Sequence[str]], dict[str, Any]]
