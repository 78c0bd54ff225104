"""Helpers of the hardening lab tests: a scan of one port as an ASV would run it, a plan
of only its findings, and clients limited to chosen algorithms or logins.

The plan is made from the scan the test runs itself (for sshd: nmap ``ssh2-enum-algos``
and ``ssh-auth-methods`` against port 22 of one lab host, both address families), so
the weakness the test fixes is the one a real scanner saw on the real host a moment
before.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from remediator.classify.plan import build_plan
from remediator.classify.policy.read import load_policy
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import load_inventory
from remediator.lab.scan import check_targets
from remediator.lab.ssh import controller_command, key_path, ssh_options
from tests.lab.helpers import Lab, for_lab

REPO = Path(__file__).resolve().parents[3]
NMAP = (
    "nmap",
    "-n",
    "-Pn",
    "-sS",
    "-sV",
    "-p",
    "22",
    "--script",
    "ssh2-enum-algos,ssh-auth-methods",
)


def scan_sshd(lab: Lab, host: str, folder: Path) -> list[Path]:
    """nmap's ssh2-enum-algos against ``host``:22 over IPv4 and IPv6, from the controller."""
    return scan_port(lab, host, folder, NMAP)


def scan_port(lab: Lab, host: str, folder: Path, nmap: Sequence[str]) -> list[Path]:
    """``nmap`` (its port and scripts) against ``host`` over IPv4 and IPv6, from the
    controller; each address checked to be the lab's first."""
    files = []
    for ipv6 in (False, True):
        address = lab.address(host, ipv6=ipv6)
        check_targets(lab.config, [address])
        output = folder / f"scan-{host}-v{6 if ipv6 else 4}.xml"
        argv = [*nmap, *(["-6"] if ipv6 else []), "-oX", str(output), address]
        done = lab.in_controller(argv, timeout=120)
        assert done.returncode == 0, done.stderr
        files.append(output)
    return files


def plan_sshd(
    lab: Lab, scans: list[Path], inventory: Path, base: Path, keys_only: str | None = None
) -> Path:
    """The plan of the scans' findings (one host's port 22) against the lab policy, with
    ``harden.sshd.keys_only`` for the group ``keys_only`` when given."""

    def require_keys(groups: dict[str, Any]) -> None:
        if keys_only is not None:
            groups[keys_only]["harden"] = {"sshd": {"keys_only": True}}

    return plan_with(lab, scans, inventory, base, require_keys)


def plan_with(
    lab: Lab,
    scans: list[Path],
    inventory: Path,
    base: Path,
    edit: Callable[[dict[str, Any]], None],
    *,
    exceptions: bool = True,
) -> Path:
    """The plan of ``scans`` against the lab policy whose ``groups`` ``edit`` changed
    (without its exceptions when ``exceptions`` is false)."""
    return plan_from_findings(lab, scans, inventory, base, edit, exceptions=exceptions)


def plan_from_findings(
    lab: Lab,
    scans: Path | list[Path],
    inventory: Path,
    base: Path,
    edit: Callable[[dict[str, Any]], None],
    *,
    exceptions: bool = True,
) -> Path:
    """The plan of ``scans`` (scan files or a findings document) against the lab policy
    whose ``groups`` ``edit`` changed (without its exceptions when ``exceptions`` is
    false)."""
    files = [scans] if isinstance(scans, Path) else scans
    hosts = load_inventory(inventory)
    policy_file = for_lab(lab, REPO / "examples" / "lab-policy.yml", base / "policy.yml")
    document = yaml.safe_load(policy_file.read_text("utf-8"))
    edit(document["groups"])
    if not exceptions:
        document.pop("exceptions", None)
    policy_file.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    policy = load_policy(policy_file, hosts)
    plan = build_plan(load_findings(files, inventory=hosts), policy, hosts, date.today())
    path = base / "plan-sshd.json"
    path.write_text(plan.dumps(), encoding="utf-8")
    return path


def harden_keys(plan: Path) -> set[str]:
    """The keys of the plan's decisions that harden sshd."""
    document: dict[str, Any] = json.loads(plan.read_text("utf-8"))
    return {
        f"{d['address']}/{d['protocol']}/{d['port']}/{d['check_id']}"
        for d in document["decisions"]
        if any(a["type"] == "harden" and a["daemon"] == "sshd" for a in d["actions"])
    }


def client_connects(lab: Lab, host: str, *options: str, ipv6: bool = False) -> bool:
    """Whether an SSH client offering only ``options`` (``Ciphers=3des-cbc``) logs in to
    ``host`` with the lab key and runs ``true`` — a new connection, never a shared one."""
    address = lab.address(host, ipv6=ipv6)
    argv = ["ssh", *ssh_options(key_path(lab.config.state_dir), batch=True)]
    argv += [f"-o{o}" for o in options] + ["-oControlPath=none", f"root@{address}", "true"]
    done = subprocess.run(
        controller_command(argv, lab.config),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode == 0


def auth_methods(lab: Lab, host: str) -> str:
    """The login methods sshd offers a client that has none of them (``publickey,password``),
    from its refusal: a password client in batch mode, with no key, never logs in."""
    address = lab.address(host)
    argv = ["ssh", "-oBatchMode=yes", "-oPubkeyAuthentication=no", "-oControlPath=none"]
    argv += ["-oStrictHostKeyChecking=no", "-oUserKnownHostsFile=/dev/null", f"root@{address}"]
    done = subprocess.run(
        controller_command([*argv, "true"], lab.config),
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode != 0, "a client without a key logged in"
    found = re.search(r"Permission denied \(([^)]*)\)", done.stderr)
    assert found, done.stderr
    return found.group(1)


def sshd_effective(lab: Lab, host: str) -> dict[str, set[str]]:
    """``sshd -T``'s algorithm lists on ``host`` (what a new connection is offered)."""
    done = lab.ssh(host, "sshd", "-T")
    assert done.returncode == 0, done.stderr
    lists = {}
    for line in done.stdout.splitlines():
        word, _, value = line.partition(" ")
        if word in {"ciphers", "macs", "kexalgorithms", "hostkeyalgorithms"}:
            lists[word] = set(value.split(","))
    return lists
