"""Hosts boot, ssh works from the controller, each host is what the docs say it is."""

from __future__ import annotations

import json
import subprocess

import pytest

from remediator.lab import manager
from remediator.lab.config import ROLES

from .helpers import Lab

pytestmark = pytest.mark.lab

HOSTS = ("legacy", "web", "mail", "cache", "clean")
FIREWALL = {
    "legacy": "nftables",
    "web": "iptables",
    "mail": "firewalld",
    "cache": "ufw",
    "clean": "nftables",
}


def test_every_host_boots_to_a_running_systemd(lab: Lab) -> None:
    states = {row.host.name: row.state for row in manager.status(lab.config.state_dir)}
    assert states == dict.fromkeys(HOSTS, "running")


@pytest.mark.parametrize("ipv6", [False, True], ids=["v4", "v6"])
@pytest.mark.parametrize("host", HOSTS)
def test_ssh_as_root_from_the_controller(lab: Lab, host: str, ipv6: bool) -> None:
    done = lab.ssh(host, "hostname", ";", "id", "-u", ";", "python3", "--version", ipv6=ipv6)
    assert done.returncode == 0, done.stderr
    name, uid, python = done.stdout.splitlines()
    assert (name, uid) == (host, "0")
    assert python.startswith("Python 3.11")


def test_hosts_have_their_own_host_keys(lab: Lab) -> None:
    fingerprints = set()
    for host in HOSTS:
        done = lab.ssh(host, "ssh-keygen", "-lf", "/etc/ssh/ssh_host_ed25519_key.pub")
        assert done.returncode == 0, done.stderr
        fingerprints.add(done.stdout.split()[1])
    assert len(fingerprints) == len(HOSTS)


@pytest.mark.parametrize("host", HOSTS)
def test_netfilter_starts_empty(lab: Lab, host: str) -> None:
    namespace = lab.config.host_ns(lab.config.host(host))
    ruleset = subprocess.run(
        ["ip", "netns", "exec", namespace, "nft", "list", "ruleset"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert ruleset.stdout.strip() == ""


def test_each_host_has_its_documented_firewall_backend(lab: Lab) -> None:
    assert {name: ROLES[name].firewall for name in HOSTS} == FIREWALL
    packages = {
        "nftables": "nftables",
        "iptables": "iptables-persistent",
        "firewalld": "firewalld",
        "ufw": "ufw",
    }
    for host, backend in FIREWALL.items():
        assert _installed(lab, host, packages[backend]), (host, backend)
    # Installed but not started: the remediation decides when they run.
    assert lab.ssh("mail", "systemctl", "is-enabled", "firewalld").stdout.strip() == "disabled"
    assert lab.ssh("mail", "systemctl", "is-active", "firewalld").stdout.strip() == "inactive"
    assert "Status: inactive" in lab.ssh("cache", "ufw", "status").stdout
    for host in ("legacy", "clean"):
        enabled = lab.ssh(host, "systemctl", "is-enabled", "nftables").stdout.strip()
        assert enabled == "disabled"
    # ufw and iptables-persistent conflict: each lives only where its backend is used.
    assert not _installed(lab, "cache", "iptables-persistent")
    assert not _installed(lab, "web", "ufw")
    assert not _installed(lab, "web", "firewalld")


def _installed(lab: Lab, host: str, package: str) -> bool:
    done = lab.ssh(host, f"dpkg-query -W -f '${{Status}}' {package}")
    return done.stdout == "install ok installed"


def test_up_on_a_running_lab_changes_nothing(lab: Lab) -> None:
    before = json.loads((lab.config.state_dir / "state.json").read_text())
    report = manager.up(lab.config, lambda _line: None)
    assert report.already_up
    assert json.loads((lab.config.state_dir / "state.json").read_text()) == before
