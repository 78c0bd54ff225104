"""Fixtures of the run tests: a real generated project of the lab plan, fake projects."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from remediator.classify.plan import build_plan
from remediator.classify.plan_document import parse_plan
from remediator.classify.policy.read import load_policy
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
