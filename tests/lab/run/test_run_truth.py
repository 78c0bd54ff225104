"""Dry-run truth on fresh lab hosts: what it says would change is what apply changes."""

from __future__ import annotations

import pytest

from .conftest import TARGETS, LabRun

pytestmark = pytest.mark.lab


def test_dry_run_matches_apply_and_apply_leaves_all_compliant(
    lab_run: LabRun, capsys: pytest.CaptureFixture[str]
) -> None:
    project, dry = lab_run.reviewed(capsys)  # the check run of these pristine hosts
    would = {
        (h["host"], f["key"])
        for h in dry["hosts"]
        for f in h["findings"]
        if f["status"] == "would_change"
    }
    unknown = [
        (h["host"], f["key"], f["why"])
        for h in dry["hosts"]
        for f in h["findings"]
        if f["status"] == "unknown"
    ]
    assert unknown == []
    assert {h for h, _ in would} == set(TARGETS)

    code, summary = lab_run.cli_json(
        capsys,
        "apply",
        str(project),
        "--window",
        "now+1h",
        "--batch",
        "100%",
        "--dry-run-id",
        dry["run"],
        "--approved-by",
        "lab-test",
        "--ticket",
        "LAB-7",
    )
    assert code == 0, summary["hosts"]
    assert {h: r["end"] for h, r in summary["hosts"].items()} == dict.fromkeys(TARGETS, "applied")
    changed = {tuple(pair) for pair in summary["changed"]}
    assert changed == would, {"only dry-run": would - changed, "only apply": changed - would}

    code, after = lab_run.cli_json(capsys, "dry-run", str(project))
    assert code == 0
    status = {(h["host"], f["key"]): f["status"] for h in after["hosts"] for f in h["findings"]}
    not_compliant = {pair: status.get(pair) for pair in would if status.get(pair) != "compliant"}
    assert not_compliant == {}
