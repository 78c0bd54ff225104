"""The round every hardening lab test makes after its plan: dry-run, apply, rescan, dry-run.

Each step asserts what it must show for the finding keys the test hardens: the dry-run
predicts a change for each, the apply's proof has each one's host tests failing before
and passing after, with an idempotent second pass, the rescan calls each resolved, and a
second dry-run finds each compliant.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Collection
from pathlib import Path
from typing import Any

import pytest

from remediator.cli import main
from tests.lab.helpers import Lab

from .test_harden_revert import run_json


def statuses(report: dict[str, Any], keys: Collection[str]) -> dict[str, str | None]:
    """Each key's status in a dry-run report (None: the report does not name it)."""
    found = {f["key"]: f["status"] for h in report["hosts"] for f in h["findings"]}
    return {k: found.get(k) for k in keys}


def dry_run_and_apply(
    capsys: pytest.CaptureFixture[str], project: Path, plan: Path, common: list[str],
    keys: Collection[str],
) -> dict[str, Any]:  # fmt: skip
    """The reviewed dry-run, then the apply inside a window; the apply's summary."""
    code, dry = run_json(capsys, ["dry-run", str(project), *common])
    assert code == 0, dry
    assert statuses(dry, keys) == dict.fromkeys(keys, "would_change")
    code, summary = run_json(capsys, ["apply", str(project), "--window", "now+1h",
                                      "--batch", "100%", "--dry-run-id", dry["run"],
                                      "--approved-by", "lab-test", "--ticket", "LAB-18",
                                      "--plan", str(plan), *common])  # fmt: skip
    assert code == 0, summary
    for item in (p for p in summary["proof"] if p["key"] in keys):
        assert any(c["passed"] is False for c in item["before"]), item
        assert item["after"] and all(c["passed"] for c in item["after"]), item
    assert summary["idempotence"]["idempotent"] is True, summary["idempotence"]
    return summary


def rescan(lab: Lab, runs: Path, host: str, keys: Collection[str]) -> tuple[int, dict[str, Any]]:
    """``verify --rescan`` of the last apply from the controller; every key must be
    resolved. Its exit code and verify.json."""
    record = sorted(runs.glob("*-apply-*"))[-1]
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["verify", str(record), "--rescan", "-l", f"{host}.lab",
                     "--lab-state-dir", str(lab.config.state_dir),
                     "--runs-dir", str(runs)])  # fmt: skip
    verified: dict[str, Any] = json.loads((record / "verify.json").read_text("utf-8"))
    outcomes = {
        f"{o['address']}/{o['protocol']}/{o['port']}/{o['check_id']}": o["state"]
        for o in verified["outcomes"]
    }
    assert {k: outcomes.get(k) for k in keys} == dict.fromkeys(keys, "resolved"), outcomes
    return code, verified


def dry_run_again(
    capsys: pytest.CaptureFixture[str], project: Path, common: list[str], keys: Collection[str]
) -> None:
    """A second dry-run finds nothing to change for any key."""
    code, again = run_json(capsys, ["dry-run", str(project), *common])
    assert code == 0, again
    assert statuses(again, keys) == dict.fromkeys(keys, "compliant")
