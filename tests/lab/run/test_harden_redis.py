"""cache's Redis answers anyone the policy lets reach it without a password; hardened.

nmap's redis-info reads the server's INFO without authenticating, and a bare PING gets
PONG: the weakness is present. The policy names the variable that holds the password
(``harden.redis.password_var``); the inventory holds the secret. After the apply the
same PING gets NOAUTH, a client that sends the password is served (the allowed client
still connects), the rescan calls the finding resolved, a second dry-run finds nothing
to change, and the secret appears nowhere in the project or the run record.
"""

from __future__ import annotations

import contextlib
import io
import json
import secrets
from pathlib import Path
from typing import Any

import pytest

from remediator.cli import main

from .conftest import LabRun
from .sshlab import plan_with, scan_port
from .test_harden_revert import run_json
from .test_harden_sshd import sshd_project

pytestmark = pytest.mark.lab
LAB_RESET_HOSTS = ("cache",)
HOST = "cache"
VARIABLE = "lab_redis_password"
NMAP = ("nmap", "-n", "-Pn", "-sS", "-sV", "-p", "22,6379", "--script", "redis-info")
"""Redis's port, and the management port every real scan sees (verify's rescan looks at
it to tell a host that answers from one that is down)."""


def redis_says(lab_run: LabRun, send: str) -> str:
    """What cache's Redis answers ``send`` with, from the controller (an admin source)."""
    done = lab_run.lab.probe("banner", lab_run.lab.address(HOST), "6379", send)
    text: str = json.loads(done.stdout).get("text", "") if done.stdout.strip() else ""
    return text


def with_secret(lab_run: LabRun, target: Path, secret: str) -> Path:
    """The lab inventory with the password variable set for cache (as a vault would)."""
    text = lab_run.inventory.read_text("utf-8")
    marker = f"{HOST}.lab:\n"
    start = text.index(marker) + len(marker)
    indent = " " * (len(text[start:]) - len(text[start:].lstrip(" ")))
    target.write_text(f"{text[:start]}{indent}{VARIABLE}: {secret}\n{text[start:]}", "utf-8")
    return target


def redis_for_anyone(groups: dict[str, Any]) -> None:
    """The lab policy, with cache's Redis allowed from anywhere (so the controller tests
    the password, not a firewall rule) and its password variable named."""
    for entry in groups[HOST]["allow"]:
        if entry["service"] == "redis":
            entry["sources"] = ["any"]
    groups[HOST]["harden"] = {"redis": {"password_var": VARIABLE}}


def test_redis_without_a_password_gets_one_that_is_never_written_down(
    lab_run: LabRun, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    secret = secrets.token_hex(16)
    inventory = with_secret(lab_run, tmp_path / "lab-secret.yml", secret)
    scans = scan_port(lab_run.lab, HOST, tmp_path, NMAP)
    plan = plan_with(lab_run.lab, scans, inventory, tmp_path, redis_for_anyone)
    decisions = json.loads(plan.read_text("utf-8"))["decisions"]
    hardened = {
        f"{d['address']}/tcp/6379/{d['check_id']}"
        for d in decisions
        if any(a["type"] == "harden" and a["daemon"] == "redis" for a in d["actions"])
    }
    assert len(hardened) == 2, decisions  # redis-info over IPv4 and IPv6
    assert "+PONG" in redis_says(lab_run, "PING\r\n")  # no password asked

    project = sshd_project(plan, tmp_path / "project")
    runs = tmp_path / "runs"
    common = ["--inventory", str(inventory), "--runs-dir", str(runs), "--json"]
    code, dry = run_json(capsys, ["dry-run", str(project), *common])
    assert code == 0, dry
    predicted = {f["key"]: f["status"] for h in dry["hosts"] for f in h["findings"]}
    assert {k: predicted.get(k) for k in hardened} == dict.fromkeys(hardened, "would_change")
    code, summary = run_json(capsys, ["apply", str(project), "--window", "now+1h",
                                      "--batch", "100%", "--dry-run-id", dry["run"],
                                      "--approved-by", "lab-test", "--ticket", "LAB-18",
                                      "--plan", str(plan), *common])  # fmt: skip
    assert code == 0, summary
    for item in (p for p in summary["proof"] if p["key"] in hardened):
        assert any(c["passed"] is False for c in item["before"]), item
        assert item["after"] and all(c["passed"] for c in item["after"]), item
    assert summary["idempotence"]["idempotent"] is True, summary["idempotence"]

    assert "NOAUTH" in redis_says(lab_run, "PING\r\n")
    assert redis_says(lab_run, f"AUTH {secret}\r\n").startswith("+OK")

    record = sorted(runs.glob("*-apply-*"))[-1]
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["verify", str(record), "--rescan", "-l", f"{HOST}.lab",
                     "--lab-state-dir", str(lab_run.lab.config.state_dir),
                     "--runs-dir", str(runs)])  # fmt: skip
    verified = json.loads((record / "verify.json").read_text("utf-8"))
    assert code == 0, verified["counts"]
    outcomes = {o["address"] + "/tcp/6379/" + o["check_id"]: o for o in verified["outcomes"]}
    assert all(outcomes[k]["state"] == "resolved" for k in hardened), outcomes

    code, again = run_json(capsys, ["dry-run", str(project), *common])
    assert code == 0, again
    second = {f["key"]: f["status"] for h in again["hosts"] for f in h["findings"]}
    assert {k: second.get(k) for k in hardened} == dict.fromkeys(hardened, "compliant"), second

    leaked = [
        p
        for folder in (project, runs)
        for p in folder.rglob("*")
        if p.is_file() and secret.encode() in p.read_bytes()
    ]
    assert not leaked, leaked
