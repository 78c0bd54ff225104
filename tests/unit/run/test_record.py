"""Run records, locks, provenance and the text reports."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from remediator.errors import InputError, RefusedError
from remediator.run.ansible.target import Target
from remediator.run.apply.lock import run_lock
from remediator.run.apply.postcheck import services
from remediator.run.project import Project
from remediator.run.provenance import expired_warning, find_sources
from remediator.run.records.record import SCHEMA, ApplyTerms, new_run, open_run
from remediator.run.render import safe

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def test_runs_are_made_and_found_by_id_or_path(tmp_path: Path, lab_project: Project) -> None:
    record = new_run(tmp_path / "runs", "apply", lab_project.root, NOW)
    assert record.id.startswith("20261125T100000Z-apply-")
    assert record.path.stat().st_mode & 0o777 == 0o700
    record.write("run.json", {"schema": SCHEMA, "id": record.id, "kind": "apply"})
    assert open_run(record.id, tmp_path / "runs") == record
    assert open_run(str(record.path), tmp_path / "elsewhere") == record
    with pytest.raises(InputError, match="no run"):
        open_run("20261125T100000Z-apply-000000", tmp_path / "runs")
    with pytest.raises(InputError, match="no run"):
        open_run("../../etc", tmp_path / "runs")


def test_writes_leave_no_temp_files(tmp_path: Path, lab_project: Project) -> None:
    record = new_run(tmp_path, "dry-run", lab_project.root, NOW)
    record.write("summary.json", {"a": 1})
    record.write("summary.json", {"a": 2})
    assert [p.name for p in record.path.iterdir()] == ["summary.json"]
    assert json.loads((record.path / "summary.json").read_text()) == {"a": 2}


def test_runs_never_go_inside_the_project(lab_project: Project) -> None:
    with pytest.raises(InputError, match="inside the project"):
        new_run(lab_project.root / "runs", "apply", lab_project.root, NOW)


def test_a_second_holder_is_refused_and_told_who_holds_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REMEDIATOR_LOCK_DIR", str(tmp_path))
    inventory = tmp_path / "inv.yml"
    inventory.write_text("all: {}\n")
    with run_lock(inventory, ["web.lab"], "apply A"):
        with (
            pytest.raises(RefusedError, match=r"inventory .*inv\.yml is locked by apply A"),
            run_lock(inventory, [], "apply B"),
        ):
            pass
        other = tmp_path / "other.yml"  # the same host through another inventory
        other.write_text("all: {}\n")
        with (
            pytest.raises(RefusedError, match=r"host web\.lab is locked by apply A"),
            run_lock(other, ["web.lab"], "apply C"),
        ):
            pass
        with run_lock(other, ["mail.lab"], "apply D"):
            pass
    with run_lock(inventory, ["web.lab"], "apply E"):
        pass


def test_the_plan_is_found_by_its_hash(tmp_path: Path, lab_project: Project) -> None:
    found = find_sources(lab_project, None, None)
    assert found.plan == lab_project.root.parent / "plan.json"
    assert found.oldest_scan == date(2026, 11, 25) and found.max_age_days == 30
    assert found.scan_warning(date(2026, 12, 20)) is None
    warning = found.scan_warning(date(2027, 1, 1))
    assert warning is not None and "37 days old" in warning
    other = tmp_path / "plan.json"
    other.write_text('{"schema": "remediator/plan/v1"}\n')
    with pytest.raises(RefusedError, match="is not the plan"):
        find_sources(lab_project, other, None)
    copy = tmp_path / "p"
    shutil.copytree(lab_project.root, copy / "project")
    from remediator.run.project import load_project

    alone = find_sources(load_project(copy / "project"), None, None)
    assert alone.plan is None
    assert "scan's age is unknown" in str(alone.scan_warning(date(2026, 11, 26)))


def test_reports_escape_control_characters() -> None:
    hostile = "10.0.0.1/tcp/80/nmap:http-title\x1b[2J\nFAKE: all compliant\r"
    assert safe(hostile) == "10.0.0.1/tcp/80/nmap:http-title\\x1b[2J\\nFAKE: all compliant\\r"


def test_allowed_services_are_judged_from_this_controllers_address(
    lab_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    web = lab_project.host("web.lab")
    asked: list[list[str]] = []

    def fake_run(argv: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        asked.append(argv)
        targets = json.loads(argv[-1])
        answers = [
            {
                "address": a,
                "port": p,
                "open": p != 80,
                "source": "10.213.0.1",
                "error": "" if p != 80 else "Connection refused",
            }
            for a, p in targets
        ]
        return subprocess.CompletedProcess(argv, 0, json.dumps(answers), "")

    monkeypatch.setattr(subprocess, "run", fake_run)
    target = Target(lab_project, lab_project.root / "inventory.yml", "rmlab-ctl")
    checks = list(services(target, [web]))
    assert asked[0][:5] == ["ip", "netns", "exec", "rmlab-ctl", asked[0][4]]
    by_name = {c.name: c for c in checks}
    assert by_name["tcp/22 on 10.213.0.11 reachable"].passed
    assert by_name["tcp/443 on fd00:213::11 reachable"].passed
    refused = by_name["tcp/80 on 10.213.0.11 reachable"]
    assert refused.failed and "Connection refused" in refused.detail
    assert {c.host for c in checks} == {"web.lab"}
    restricted = replace(web, restricted={"tcp/443": ("198.51.100.0/24",)})
    skipped = {c.name: c for c in services(target, [restricted])}[
        "tcp/443 on 10.213.0.11 reachable"
    ]
    assert skipped.skipped and not skipped.failed
    assert "not among the allowed sources (198.51.100.0/24)" in skipped.detail


def test_an_exception_expired_by_the_apply_day_is_said_and_recorded(lab_project: Project) -> None:
    """The lab plan excepts clean's certificates until 2027-06-30 (and records the FTP one
    as already expired when planned): an apply through that day says nothing; one after it
    names the findings the project leaves alone."""
    found = find_sources(lab_project, None, None)
    assert found.expired_exceptions(date(2027, 6, 30)) == ()  # valid through its last day
    expired = found.expired_exceptions(date(2027, 7, 1))
    assert expired == (
        "10.213.0.14/tcp/443/nmap:ssl-cert (expired 2027-06-30)",
        "fd00:213::14/tcp/443/nmap:ssl-cert (expired 2027-06-30)",
    )
    warning = expired_warning(expired)
    assert warning is not None and "re-plan" in warning and "\n" not in warning
    assert expired_warning(()) is None
    terms = ApplyTerms(expired_exceptions=expired)
    assert ApplyTerms.from_json(terms.to_json()) == terms
