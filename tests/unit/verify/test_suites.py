"""The generated suites' KEYS tables, and suite reports mapped back to findings."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from remediator.classify.plan_document import load_plan
from remediator.errors import ExecutionError, InputError
from remediator.generate.project import Options, build_project
from remediator.generate.roles import load_roles
from remediator.generate.suites import read_suite
from remediator.generate.writer import write_project
from remediator.verify.model import Role
from remediator.verify.originals import originals_from_plan
from remediator.verify.suites import read_report
from tests.unit.verify.labdata import lab_plan


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    base = tmp_path_factory.mktemp("project")
    plan = lab_plan()
    plan_path = base / "plan.json"
    plan_path.write_text(json.dumps(plan), encoding="utf-8")
    options = Options(generated_at=datetime(2026, 11, 25, 10, 0, tzinfo=UTC), lab=True)
    files = build_project(load_plan(plan_path), options, load_roles())
    write_project(files, base / "project")
    return base / "project", plan


def test_every_fix_has_a_test_and_every_test_a_finding(
    project: tuple[Path, dict[str, object]],
) -> None:
    root, plan = project
    originals = originals_from_plan(plan, "plan.json")
    keys = {o.finding_key for o in originals}
    tested: set[str] = set()
    suites = sorted((root / "tests").glob("test_*.py"))
    assert [p.name for p in suites] == [
        "test_cache_lab.py", "test_clean_lab.py", "test_legacy_lab.py",
        "test_mail_lab.py", "test_web_lab.py",
    ]  # fmt: skip
    for suite in suites:
        table = read_suite(suite, root).keys
        assert table and all(name.startswith(("test_fix_", "test_keep_")) for name in table)
        for cited in table.values():
            # keep-tests of the management port cite it by name, not by a finding key
            assert set(cited) - keys <= {"management (ssh)"}
            tested.update(cited)
    fixes = {o.finding_key for o in originals if o.role is Role.FIX}
    # every finding to fix, the UDP restriction of SNMP on legacy included, has a test
    assert fixes - tested == set()


def test_report_maps_nodeids_to_keys(
    project: tuple[Path, dict[str, object]], tmp_path: Path
) -> None:
    root, _ = project
    table = read_suite(root / "tests" / "test_legacy_lab.py", root).keys
    name = next(n for n in table if n.startswith("test_fix_"))
    report = tmp_path / "suites.json"
    nodeid = f"tests/test_legacy_lab.py::{name}[ansible://legacy.lab]"
    tests = [{"nodeid": nodeid, "outcome": "failed", "when": "call", "message": "boom"}]
    report.write_text(json.dumps({"exitstatus": 1, "tests": tests}), encoding="utf-8")
    suites = {"legacy.lab": "tests/test_legacy_lab.py"}
    (result,) = read_report(report, suites, root, 1, tmp_path / "log.txt")
    assert (result.host, result.name, result.outcome) == ("legacy.lab", name, "failed")
    assert result.keys == table[name]
    with pytest.raises(ExecutionError, match="did not run"):
        read_report(tmp_path / "missing.json", suites, root, 4, tmp_path / "log.txt")


def test_a_file_without_keys_is_refused(tmp_path: Path) -> None:
    suite = tmp_path / "test_x.py"
    suite.write_text("testinfra_hosts = ['ansible://x']\n", encoding="utf-8")
    with pytest.raises(InputError, match="no KEYS"):
        read_suite(suite, tmp_path)
