"""Fixtures of the run tests: a real generated project of the lab plan, fake projects."""

from __future__ import annotations

import json
from collections.abc import Callable
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
from remediator.run.project import Project, load_project

from .fakeproject import FakeProject, build

REPO = Path(__file__).resolve().parents[3]
CLASSIFY = REPO / "tests" / "unit" / "classify" / "fixtures"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GENERATED_AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def lab_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The project `remediator generate` writes for the saved lab scan and example policy."""
    return make_lab_project(tmp_path_factory.mktemp("labproject"))


def make_lab_project(
    base: Path, generated_at: datetime = GENERATED_AT, window: str = "now+4h"
) -> Project:
    """Plan the saved lab scan with the example policy and generate its project in ``base``."""
    inventory = load_inventory(CLASSIFY / "lab-inventory.yml")
    findings = load_findings(
        [CLASSIFY / "lab-scan.xml", CLASSIFY / "lab-scan.v6.xml"], inventory=inventory
    )
    policy = load_policy(REPO / "examples" / "lab-policy.yml", inventory)
    plan = build_plan(findings, policy, inventory, date(2026, 11, 25))
    base.mkdir(parents=True, exist_ok=True)
    (base / "plan.json").write_text(plan.dumps(), encoding="utf-8")
    doc = parse_plan(plan.dumps().encode("utf-8"), "plan.json")
    options = Options(
        generated_at=generated_at, window=parse_window(window, generated_at), lab=True
    )
    write_project(build_project(doc, options, load_roles()), base / "project")
    return load_project(base / "project")


@pytest.fixture
def make_fake(tmp_path: Path, lab_project: Project) -> Callable[..., FakeProject]:
    """Build a local stand-in of the lab project for some of its hosts (see fakeproject)."""

    def make(*hosts: str, **options: Any) -> FakeProject:
        return build(tmp_path / "fake", lab_project, hosts, **options)

    return make


@pytest.fixture(autouse=True)
def private_locks(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Locks of these tests' local stand-in hosts stay apart from real runs' locks.

    The stand-ins carry the lab's host names; with the machine-wide lock directory a
    unit test would block (or be blocked by) a real apply on the lab host of that name.
    """
    monkeypatch.setenv("REMEDIATOR_LOCK_DIR", str(tmp_path_factory.mktemp("locks")))


class Cli:
    """Runs `remediator ...` in this process, records exit code and output."""

    def __init__(self, capsys: pytest.CaptureFixture[str], runs: Path) -> None:
        self.capsys, self.runs = capsys, runs

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        code = main([*argv, "--runs-dir", str(self.runs)])
        out, err = self.capsys.readouterr()
        return code, out, err

    def json(self, *argv: str) -> tuple[int, dict[str, Any]]:
        code, out, err = self(*argv, "--json")
        assert out.strip(), err
        return code, json.loads(out)

    def records(self, kind: str) -> list[Path]:
        return sorted(p for p in self.runs.glob(f"*-{kind}-*") if p.is_dir())

    def run_json(self, run: str, name: str) -> dict[str, Any]:
        """A JSON file of the run record ``run``."""
        data: dict[str, Any] = json.loads((self.runs / run / name).read_text("utf-8"))
        return data


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Cli:
    return Cli(capsys, tmp_path / "runs")
