"""``remediator watch`` after a verified run: a port opened by hand is reported, nothing else.

legacy is remediated and verified (``verify --rescan``, limited to legacy). Read against
verify's own rescan files, watch has nothing to report. Then a person starts a listener
on legacy by hand (``python3 -m http.server`` on 8765, both address families, a port no
plan knows); ``watch --rescan`` (verify's rescan from the lab controller, over every TCP
port) exits 1 naming legacy.lab and 8765 on both addresses, calls nothing reopened, and
leaves legacy's units and firewall, and the run record, as they were.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from pathlib import Path
from typing import Any, Final

import pytest

from remediator.cli import main
from tests.lab.helpers import TIMINGS

from .conftest import LabRun
from .hoststate import firewall_state, unit_states

pytestmark = pytest.mark.lab
LAB_RESET_HOSTS = ("legacy",)  # the only host this module changes
PORT: Final = 8765
LISTENER: Final = "remediator-watch-listener"


def test_a_port_opened_by_hand_after_a_verified_run_is_reported_by_watch(
    lab_run: LabRun, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lab, config = lab_run.lab, lab_run.lab.config
    runs, state_dir = lab_run.base / "runs", str(config.state_dir)
    controller = ["--rescan-source", str(config.controller4)]
    controller += ["--rescan-source", str(config.controller6)]
    record = verified_legacy_run(lab_run, capsys)

    verify_scans = sorted((record / "rescan").glob("*.xml"))
    assert verify_scans, "verify --rescan kept no scan files"
    argv = ["watch", str(record), "--runs-dir", str(runs), *controller, "--json", "-"]
    code, before, summary = watch_json(capsys, [*argv, *scan_args(verify_scans)])
    assert code == 0, summary  # the state verify accepted: nothing to report
    assert before["clean"] is True and before["counts"]["reopened"] == 0

    listen = lab.ssh("legacy", "systemd-run", f"--unit={LISTENER}", "python3", "-m",
                     "http.server", "--bind", "::", str(PORT))  # fmt: skip
    assert listen.returncode == 0, listen.stderr
    wait_listening(lab_run)
    units, firewall = unit_states(lab, "legacy"), firewall_state(lab, "legacy")
    kept = {p: p.stat().st_mtime_ns for p in record.rglob("*")}

    started = time.monotonic()
    argv = ["watch", str(record), "--rescan", "--lab-state-dir", state_dir, "--runs-dir",
            str(runs), "--json", "-", "--html", str(tmp_path / "watch.html")]  # fmt: skip
    code, after, summary = watch_json(capsys, argv)
    TIMINGS["watch --rescan (every TCP port of legacy)"] = time.monotonic() - started
    assert code == 1, summary
    addresses = (lab.address("legacy"), lab.address("legacy", ipv6=True))
    opened = {("legacy.lab", a, "tcp", PORT) for a in addresses}
    alarms = {
        (i["host"], i["address"], i["protocol"], i["port"])
        for i in after["items"]
        if i["alarm"] and i["port"] == PORT
    }
    assert alarms == opened, after["items"]
    assert {i["drift"] for i in after["items"] if i["port"] == PORT and i["alarm"]} == {"new"}
    assert after["counts"]["reopened"] == 0, after["items"]
    assert after["scan"]["source"] == "rescan"
    assert f"legacy.lab {addresses[0]} tcp/{PORT} open-port" in summary
    assert f"tcp/{PORT}" in (tmp_path / "watch.html").read_text("utf-8")

    assert unit_states(lab, "legacy") == units  # watch changed nothing on the host
    assert firewall_state(lab, "legacy") == firewall
    assert {p: p.stat().st_mtime_ns for p in record.rglob("*")} == kept  # nor in the record
    lab.ssh("legacy", "systemctl", "stop", LISTENER)


def verified_legacy_run(lab_run: LabRun, capsys: pytest.CaptureFixture[str]) -> Path:
    """legacy remediated by an apply of the session's reviewed project, then verified with
    a rescan from the lab controller (no host tests: the rescan is what watch compares)."""
    project, dry = lab_run.reviewed(capsys)
    code, summary = lab_run.cli_json(capsys, "apply", str(project), "--window", "now+1h",
                                     "--batch", "100%", "--dry-run-id", dry["run"],
                                     "--limit", "legacy.lab", "--approved-by", "lab-test",
                                     "--ticket", "LAB-17")  # fmt: skip
    assert code == 0, summary
    record = lab_run.records("apply")[-1]
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["verify", str(record), "--rescan", "--no-tests", "-l", "legacy.lab",
                     "--lab-state-dir", str(lab_run.lab.config.state_dir),
                     "--runs-dir", str(lab_run.base / "runs")])  # fmt: skip
    verified = json.loads((record / "verify.json").read_text("utf-8"))
    assert verified["rescanned"], code
    assert verified["counts"]["resolved"] > 0, verified["counts"]
    assert {o["host"] for o in verified["outcomes"]} == {"legacy.lab"}
    return record


def scan_args(files: list[Path]) -> list[str]:
    return [word for f in files for word in ("--scan", str(f))]


def watch_json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, Any, str]:
    """``remediator watch ... --json -``: exit code, document, summary (stderr)."""
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else {}, err


def wait_listening(lab_run: LabRun, seconds: float = 20) -> None:
    """Until legacy listens on PORT (python starts in a moment; never sleep blind)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done = lab_run.lab.ssh("legacy", "ss", "-Hltn", f"sport = :{PORT}")
        if done.returncode == 0 and f":{PORT}" in done.stdout:
            return
        time.sleep(0.5)
    raise AssertionError(f"legacy never listened on {PORT}")
