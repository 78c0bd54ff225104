"""``reset`` restores a changed host to its pristine image, in seconds."""

from __future__ import annotations

import base64
import json
import time

import pytest

from remediator.errors import ExecutionError
from remediator.lab import manager

from .helpers import TIMINGS, Lab

pytestmark = pytest.mark.lab

LAB_RESET_HOSTS = ("web",)


def test_reset_restores_a_changed_host(pristine_lab: Lab) -> None:
    lab = pristine_lab
    changes = lab.ssh(
        "web",
        "systemctl stop nginx && systemctl mask nginx"
        " && echo changed > /root/marker"
        " && iptables -A INPUT -p tcp --dport 443 -j DROP"
        " && rm /etc/ssl/lab/server.crt",
    )
    assert changes.returncode == 0, changes.stderr
    assert json.loads(lab.probe("connect", lab.address("web"), "80").stdout)["open"] is False
    assert "-A INPUT" in lab.ssh("web", "iptables-save").stdout
    key_before = lab.ssh("web", "cat", "/etc/ssh/ssh_host_ed25519_key.pub").stdout
    other_before = lab.ssh("mail", "cat", "/proc/1/stat").stdout.split()[21]  # start time

    started = time.monotonic()
    seconds = manager.reset(lab.config.state_dir, ("web",), lambda _line: None)
    TIMINGS["lab reset web"] = time.monotonic() - started
    assert seconds < 60

    assert lab.ssh("web", "test", "-e", "/root/marker").returncode == 1
    assert lab.ssh("web", "systemctl", "is-active", "nginx").stdout.strip() == "active"
    assert "-A INPUT" not in lab.ssh("web", "iptables-save").stdout
    assert lab.ssh("web", "test", "-s", "/etc/ssl/lab/server.crt").returncode == 0
    assert json.loads(lab.probe("connect", lab.address("web"), "80").stdout)["open"] is True
    assert lab.ssh("web", "cat", "/etc/ssh/ssh_host_ed25519_key.pub").stdout != key_before
    # Only the named host was restarted.
    assert lab.ssh("mail", "cat", "/proc/1/stat").stdout.split()[21] == other_before


def test_reboot_keeps_files_but_not_runtime_firewall_rules(pristine_lab: Lab) -> None:
    lab = pristine_lab
    changes = lab.ssh(
        "web",
        "echo kept > /root/kept && iptables -A INPUT -p tcp --dport 8443 -j DROP"
        " && systemctl disable --now apache2",
    )
    assert changes.returncode == 0, changes.stderr
    init_before = lab.ssh("web", "cat", "/proc/1/stat").stdout.split()[21]  # start time

    started = time.monotonic()
    manager.reboot(lab.config.state_dir, ("web.lab",), lambda _line: None)
    TIMINGS["lab reboot web"] = time.monotonic() - started

    assert lab.ssh("web", "cat", "/root/kept").stdout == "kept\n"
    assert "-A INPUT" not in lab.ssh("web", "iptables-save").stdout
    assert lab.ssh("web", "systemctl", "is-active", "apache2").stdout.strip() == "inactive"
    assert lab.ssh("web", "systemctl", "is-active", "nginx").stdout.strip() == "active"
    assert json.loads(lab.probe("connect", lab.address("web"), "8443").stdout)["open"] is False
    # A new boot: the host's init started again.
    assert lab.ssh("web", "cat", "/proc/1/stat").stdout.split()[21] != init_before


FLAKY_UNIT = """[Unit]
Description=fails at its first start only, like a boot oneshot timing out under load
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'test -e /var/lib/lab-flaky || { touch /var/lib/lab-flaky; exit 1; }'
[Install]
WantedBy=multi-user.target
"""


def test_a_unit_failing_once_at_boot_is_retried_and_one_failing_again_is_an_error(
    pristine_lab: Lab,
) -> None:
    lab = pristine_lab
    unit = base64.b64encode(FLAKY_UNIT.encode()).decode()
    install = (
        f"echo {unit} | base64 -d > /etc/systemd/system/lab-flaky.service"
        " && systemctl daemon-reload && systemctl enable lab-flaky.service"
    )
    assert lab.ssh("web", install).returncode == 0
    manager.reboot(lab.config.state_dir, ("web",), lambda _line: None)  # ready despite it
    state = lab.ssh("web", "systemctl", "is-system-running").stdout.strip()
    assert state == "running"
    assert lab.ssh("web", "test", "-e", "/var/lib/lab-flaky").returncode == 0

    broken = "sed -i 's|ExecStart=.*|ExecStart=/bin/false|' /etc/systemd/system/lab-flaky.service"
    assert lab.ssh("web", broken).returncode == 0
    with pytest.raises(ExecutionError, match=r"failed units:\nlab-flaky.service"):
        manager.reboot(lab.config.state_dir, ("web",), lambda _line: None)
