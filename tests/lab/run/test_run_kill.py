"""Killing an apply during a task leaves no host half-applied, checked host by host."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from remediator.lab.ssh import controller_command
from remediator.run.project import load_project

from .conftest import REPO, LabRun
from .hoststate import assert_restored, snapshot_of

pytestmark = pytest.mark.lab
HOSTS = ("legacy.lab", "web.lab")
ROLES = ("disable_service", "firewall", "tls")


def in_a_change(runs: Path) -> bool:
    """Whether a remediation role's task (not its first) has started on legacy.lab."""
    starts = 0
    for path in runs.glob("*-apply-*/ansible/artifacts/batch-01/job_events/*.json"):
        try:
            event = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        data = event.get("event_data", {})
        if (
            event.get("event") == "runner_on_start"
            and data.get("host") == "legacy.lab"
            and data.get("role") in ROLES
        ):
            starts += 1
    return starts >= 3


def test_kill_during_a_task_leaves_every_host_applied_or_restored(
    lab_run: LabRun, capsys: pytest.CaptureFixture[str]
) -> None:
    project, dry = lab_run.reviewed(capsys)
    before = {h: snapshot_of(lab_run.lab, h) for h in HOSTS}
    runs = lab_run.base / "runs"
    argv = [
        sys.executable,
        "-m",
        "remediator.cli",
        *lab_run.argv(
            "apply",
            str(project),
            "--window",
            "now+1h",
            "--batch",
            "2",
            "--dry-run-id",
            dry["run"],
            "--limit",
            ":".join(HOSTS),
            "--approved-by",
            "lab-test",
            "--ticket",
            "LAB-7",
            "--json",
        ),
    ]
    process = subprocess.Popen(
        argv,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 600
    while not in_a_change(runs):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=900)
    assert process.returncode == 130, err[-3000:]
    summary = json.loads(out)
    assert summary["status"] == "interrupted"
    for host in HOSTS:
        end = summary["hosts"][host]["end"]
        assert end in ("applied", "rolled_back"), (host, summary["hosts"][host])
        if end == "rolled_back":
            assert_restored(lab_run.lab, [host], before)
        else:
            suite = project / str(load_project(project).host(host).suite)
            done = subprocess.run(
                controller_command(
                    [
                        sys.executable,
                        "-m",
                        "pytest",
                        "-q",
                        "-p",
                        "no:cacheprovider",
                        "--ansible-inventory",
                        str(lab_run.inventory),
                        str(suite),
                    ],
                    lab_run.lab.config,
                ),
                cwd=project,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            assert done.returncode == 0, done.stdout[-3000:]
    assert summary["hosts"]["legacy.lab"]["end"] == "rolled_back"  # it was mid-change
