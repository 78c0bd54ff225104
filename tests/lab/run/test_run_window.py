"""Maintenance windows on the lab: refused before any connection, the guard, a closing window."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from remediator.lab.ssh import controller_command
from remediator.run.apply.batches import CHECK_TO_APPLY, VERIFY_ALLOWANCE

from .conftest import TARGETS, LabRun
from .hoststate import accepted_logins, assert_restored, passive_opens, snapshot_of

pytestmark = pytest.mark.lab
MARGIN = 20
"""Seconds an apply may take to reach its first batch, however loaded the machine."""


def tomorrow() -> str:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    return f"{start.isoformat()}/{(start + timedelta(hours=2)).isoformat()}"


def test_apply_outside_the_window_contacts_no_host(
    lab_run: LabRun, capsys: pytest.CaptureFixture[str]
) -> None:
    project = lab_run.project("window", "now+4h")
    records = lab_run.records("apply") + lab_run.records("dry-run")
    logins = {h: accepted_logins(lab_run.lab, h) for h in TARGETS}
    opens = {h: passive_opens(lab_run.lab, h) for h in TARGETS}
    spec = tomorrow()
    approved = ("--approved-by", "lab-test", "--ticket", "LAB-7")
    code, _, err = lab_run.cli(capsys, "apply", str(project), "--window", spec, *approved)
    assert code == 3
    assert f"next opens {spec.split('/')[0][:16]}" in err and "No host was contacted" in err
    assert {h: passive_opens(lab_run.lab, h) for h in TARGETS} == opens  # not one TCP connect
    time.sleep(1)  # sshd's log line of the next read reaches the journal
    # each host's log shows exactly one new login: the read just below, not the apply
    after = {h: accepted_logins(lab_run.lab, h) for h in TARGETS}
    journal = {
        h: lab_run.lab.ssh(h.removesuffix(".lab"), "journalctl", "--no-pager", "-n", "15").stdout
        for h, n in after.items()
        if n != logins[h] + 1
    }
    assert after == {h: n + 1 for h, n in logins.items()}, journal
    assert lab_run.records("apply") + lab_run.records("dry-run") == records  # nothing ran


def test_the_guard_play_refuses_ansible_playbook_outside_the_window(lab_run: LabRun) -> None:
    project = lab_run.project("guarded", tomorrow())
    opens = {h: passive_opens(lab_run.lab, h) for h in TARGETS}
    playbook = str(Path(sys.executable).parent / "ansible-playbook")
    argv = [playbook, "playbooks/remediate.yml", "-i", str(lab_run.inventory)]
    done = subprocess.run(
        controller_command(argv, lab_run.lab.config),
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode != 0
    assert "Outside the maintenance window this project was generated for" in done.stdout
    assert {h: passive_opens(lab_run.lab, h) for h in TARGETS} == opens


def test_a_closing_window_stops_after_the_running_batch(
    lab_run: LabRun, capsys: pytest.CaptureFixture[str]
) -> None:
    project, dry = lab_run.reviewed(capsys)
    limit = "legacy.lab:web.lab"
    untouched = snapshot_of(lab_run.lab, "web.lab")
    first = dry["seconds"] * CHECK_TO_APPLY + VERIFY_ALLOWANCE
    now = datetime.now(UTC).replace(microsecond=0)
    # Batch 1 starts if the apply reaches it within MARGIN s (however loaded the machine);
    # batch 2 is refused because batch 1 (a real change of legacy) takes longer than that.
    opens, closes = now - timedelta(minutes=1), now + timedelta(seconds=first + MARGIN)
    spec = f"{opens.isoformat()}/{closes.isoformat()}"
    code, summary = lab_run.cli_json(
        capsys,
        "apply",
        str(project),
        "--window",
        spec,
        "--batch",
        "1",
        "--dry-run-id",
        dry["run"],
        "--limit",
        limit,
        "--approved-by",
        "lab-test",
        "--ticket",
        "LAB-7",
    )
    assert code == 3 and summary["status"] == "stopped"
    assert [b["status"] for b in summary["batches"]] == ["applied", "not_started"]
    assert summary["hosts"]["legacy.lab"]["end"] == "applied", summary["hosts"]["legacy.lab"]
    assert summary["hosts"]["web.lab"]["end"] == "not_started"
    assert "closes at" in summary["stopped"]
    assert summary["batches"][0]["seconds"] > MARGIN
    # the later batch is untouched
    assert_restored(lab_run.lab, ["web.lab"], {"web.lab": untouched})
