"""An apply interrupted during a task leaves every host applied-and-verified or restored."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import REPO
from .fakeproject import FakeProject

pytestmark = pytest.mark.slow
SLOW_TASK = "Take a while when the host says so (a task to interrupt)"


def started(runs: Path, task: str) -> bool:
    for path in runs.glob("*-apply-*/ansible/artifacts/batch-01/job_events/*.json"):
        try:
            event = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if event.get("event") == "runner_on_start" and event["event_data"].get("task") == task:
            return True
    return False


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_mid_task_settles_every_host(
    sig: signal.Signals, tmp_path: Path, make_fake: Callable[..., FakeProject]
) -> None:
    fake = make_fake("legacy.lab", "web.lab")
    fake.mark("legacy.lab", "SLOW", "6")
    runs = tmp_path / "runs"
    argv = [
        sys.executable,
        "-m",
        "remediator.cli",
        "apply",
        str(fake.root),
        "--window",
        "now+1h",
        "--batch",
        "100%",
        "--approved-by",
        "alice",
        "--ticket",
        "CHG-42",
        "--runs-dir",
        str(runs),
        "--json",
    ]
    process = subprocess.Popen(
        argv,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ignore_sigint,  # noqa: PLW1509 - only signal.signal, before exec
    )
    deadline = time.monotonic() + 180
    while not started(runs, SLOW_TASK):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the slow task never started"
        time.sleep(0.2)
    assert fake.state("legacy.lab") != {"config": b"original\n"}  # half-applied right now
    process.send_signal(sig)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 130, err
    assert "interrupted" in err
    summary = json.loads(out)
    (record,) = runs.glob("*-apply-*")
    assert json.loads((record / "summary.json").read_text()) == {
        **summary,
        "updated": json.loads((record / "summary.json").read_text())["updated"],
    }
    assert summary["status"] == "interrupted"
    assert summary["batches"][0]["status"] == "interrupted"
    legacy = summary["hosts"]["legacy.lab"]
    assert legacy["end"] == "rolled_back"  # it was mid-change: restored, byte for byte
    assert fake.state("legacy.lab") == {"config": b"original\n"}
    web = summary["hosts"]["web.lab"]
    assert web["end"] in ("applied", "rolled_back")
    if web["end"] == "applied":  # it had finished and verified: the check is re-run
        assert {c["kind"] for c in web["checks"]} >= {"management", "suite"}
        assert not [c for c in web["checks"] if not c["passed"] and not c["skipped"]]
        assert "ruleset" in fake.state("web.lab")
    else:
        assert fake.state("web.lab") == {"config": b"original\n"}
    leftovers = [
        p
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and str(fake.root).encode() in _cmdline(p)
    ]
    assert leftovers == []


def _ignore_sigint() -> None:
    """Start the apply with SIGINT ignored, as a shell without job control starts a
    background command (CI runners do): SIGINT must interrupt it all the same."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _cmdline(proc: Path) -> bytes:
    try:
        return (proc / "cmdline").read_bytes()
    except OSError:
        return b""
