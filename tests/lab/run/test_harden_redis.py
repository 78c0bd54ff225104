"""cache's Redis answers anyone the policy lets reach it without a password; hardened.

nmap's redis-info reads the server's INFO without authenticating, and a bare PING gets
PONG: the weakness is present. The policy names the variable that holds the password
(``harden.redis.password_var``); the inventory holds the secret. After the apply the
same PING gets NOAUTH, a client that sends the password is served (the allowed client
still connects), the rescan calls the finding resolved, a second dry-run finds nothing
to change, and the secret appears nowhere in the project or the run record.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import pytest

from .conftest import LabRun
from .hardenrun import dry_run_again, dry_run_and_apply, rescan
from .sshlab import plan_with, scan_port
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
    dry_run_and_apply(capsys, project, plan, common, hardened)

    assert "NOAUTH" in redis_says(lab_run, "PING\r\n")
    assert redis_says(lab_run, f"AUTH {secret}\r\n").startswith("+OK")

    code, verified = rescan(lab_run.lab, runs, HOST, hardened)
    assert code == 0, verified["counts"]
    dry_run_again(capsys, project, common, hardened)

    leaked = [
        p
        for folder in (project, runs)
        for p in folder.rglob("*")
        if p.is_file() and secret.encode() in p.read_bytes()
    ]
    assert not leaked, leaked
