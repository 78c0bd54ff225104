"""sshd hardening that would lock out the management client is undone by the host itself.

The management connection here is a client that speaks only aes128-cbc (an old
appliance, say): legacy's sshd offers it before the change, the profile does not. The
apply writes the drop-in, which sshd -t and sshd -T accept, and reloads sshd under the
role's host-side revert timer; the new connection that must confirm the change cannot be
made, so nothing disarms the timer. Within its timeout (20 s here) legacy removes the
drop-in and reloads sshd on its own: the same client logs in again, and the run says the
host is left to its host-side revert instead of calling it applied.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from remediator.cli import main

from .conftest import LabRun
from .sshlab import client_connects, plan_sshd, scan_sshd
from .test_harden_sshd import sshd_project

pytestmark = pytest.mark.lab
LAB_RESET_HOSTS = ("legacy",)
HOST = "legacy"
CBC_ONLY = "Ciphers=aes128-cbc"
CONFIRM_SECONDS = 20
DROPIN = "/etc/ssh/sshd_config.d/00-remediator-harden.conf"


def cbc_inventory(lab_run: LabRun, target: Path) -> Path:
    """The lab inventory with legacy managed by the CBC-only client and a short revert."""
    text = lab_run.inventory.read_text("utf-8")
    marker = f"{HOST}.lab:\n"
    start = text.index(marker) + len(marker)
    indent = " " * (len(text[start:]) - len(text[start:].lstrip(" ")))
    extra = (
        f"{indent}ansible_ssh_extra_args: -o{CBC_ONLY}\n"
        f"{indent}harden_sshd_confirm_timeout: {CONFIRM_SECONDS}\n"
    )
    target.write_text(text[:start] + extra + text[start:], encoding="utf-8")
    return target


def run_json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, Any]:
    """``remediator ARGV`` (ending in --json) with this module's own inventory."""
    code = main(argv)
    out, err = capsys.readouterr()
    sys.stderr.write(err[-4000:])
    assert out.strip(), err
    return code, json.loads(out)


def test_a_change_the_management_client_cannot_use_is_reverted_by_the_host(
    lab_run: LabRun, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lab = lab_run.lab
    inventory = cbc_inventory(lab_run, tmp_path / "lab-cbc.yml")
    plan = plan_sshd(lab, scan_sshd(lab, HOST, tmp_path), inventory, tmp_path)
    project = sshd_project(plan, tmp_path / "project")
    assert client_connects(lab, HOST, CBC_ONLY)  # the management client works before

    common = ["--inventory", str(inventory), "--runs-dir", str(lab_run.base / "runs"), "--json"]
    code, dry = run_json(capsys, ["dry-run", str(project), *common])
    assert code == 0, dry
    started = time.monotonic()
    code, summary = run_json(capsys, ["apply", str(project), "--window", "now+1h",
                                      "--batch", "100%", "--dry-run-id", dry["run"],
                                      "--approved-by", "lab-test", "--ticket", "LAB-18",
                                      "--plan", str(plan), *common])  # fmt: skip
    assert code != 0, summary
    host = summary["hosts"][f"{HOST}.lab"]
    assert host["end"] == "pending_host_revert", host
    assert "new management connection" in host["detail"], host

    deadline = started + CONFIRM_SECONDS + 60
    while time.monotonic() < deadline and not client_connects(lab, HOST, CBC_ONLY):
        time.sleep(2)
    assert client_connects(lab, HOST, CBC_ONLY), "legacy never reverted its sshd change"
    left = lab.ssh(HOST, "test", "-e", DROPIN)
    assert left.returncode == 1, f"{DROPIN} is still on legacy"
    ran = lab.ssh(HOST, "journalctl", "-u", "remediator-harden-sshd-revert", "--no-pager")
    assert "Deactivated successfully" in ran.stdout or "Finished" in ran.stdout, ran.stdout
