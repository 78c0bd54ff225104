"""roles/patch on the lab's cache host: a real backport, a real upgrade, a real rollback.

memcached 1.6.18-1+deb12u1 on `cache` names CVE-2023-46852 and CVE-2023-46853 in its
Debian changelog: the role must call them backported, quote the line and change nothing.
The lab repository (remediator.lab.repo, served from the controller) then offers
``+lab1``, whose changelog names the fictitious CVE-2099-99001: the role keeps the Debian
build, upgrades to exactly ``+lab1``, restarts memcached and sees it answer ``version``
on 11211; a second run changes nothing. Last, with the host pristine again and ``+lab2``
offered (same CVE, but its unit moves the daemon to another port), the restarted service
does not answer: the role puts the kept Debian build back, memcached answers again, and
the host fails with a message that says so.

The role is played by ansible-runner in the controller namespace (tests/lab/roles'
harness); the maintenance window is the generated playbook's guard, not the role's.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from remediator.lab import manager, repo
from tests.lab.helpers import TIMINGS, Lab
from tests.lab.roles.harness import RoleRun, Runner

pytestmark = pytest.mark.lab

LAB_RESET_HOSTS = ("cache",)
HOST = "cache.lab"
PACKAGE = "memcached"
KEEP_DIR = "/var/backups/remediator-patch"
JUDGE = "Judge the finding from the package changelogs"
REAL_CVES = ["CVE-2023-46852", "CVE-2023-46853"]

MEMCACHED_VERSION = r"""
import socket, sys
with socket.create_connection((sys.argv[1], 11211), 3) as s:
    s.sendall(b"version\r\n")
    print(s.recv(200).decode().strip())
"""


@pytest.fixture(scope="module")
def runner(pristine_lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    yield Runner(pristine_lab.config, tmp_path_factory.mktemp("patch"))
    repo.stop(pristine_lab.config)


def item(address: str, cves: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "key": f"{address}/tcp/11211/memcached-version",
        "reason": "version-based CVE finding on memcached",
        "cves": cves,
        "protocol": "tcp",
        "port": 11211,
        **extra,
    }


def play(
    runner: Runner,
    label: str,
    items: list[dict[str, Any]],
    *,
    check: bool = False,
    **variables: Any,
) -> RoleRun:
    started = time.monotonic()
    result = runner.run("patch", {HOST: {"patch_items": items, **variables}}, check=check)
    TIMINGS[f"patch: {label}{' (check)' if check else ''}"] = time.monotonic() - started
    return result


def verdicts(run: RoleRun) -> list[dict[str, Any]]:
    return [
        e["event_data"]["res"]
        for e in run.events
        if e.get("event") == "runner_on_ok" and e["event_data"].get("task") == JUDGE
    ]


def installed(lab: Lab) -> str:
    done = lab.ssh("cache", "dpkg-query", "-W", "-f", "'${Version}'", PACKAGE)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def every_version(lab: Lab) -> dict[str, str]:
    """Every installed package's version: the upgrade must change memcached's only."""
    done = lab.ssh("cache", "dpkg-query", "-W", "-f", "'${Package} ${Version}\\n'")
    assert done.returncode == 0, done.stderr
    return dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)


def answers(lab: Lab) -> str:
    """memcached's reply to ``version`` on 11211, asked from the controller."""
    address = str(lab.config.host("cache").address4)
    done = lab.in_controller([sys.executable, "-c", MEMCACHED_VERSION, address])
    return done.stdout.strip() if done.returncode == 0 else ""


def offer(lab: Lab, flavour: str) -> repo.Repo:
    started = time.monotonic()
    built = repo.build(lab.config, flavour, lambda _line: None)
    repo.serve(lab.config, built)
    repo.point(lab.config)
    TIMINGS[f"patch: repo {flavour} build+serve+point"] = time.monotonic() - started
    return built


def test_backport_is_recognised_from_the_real_changelog(pristine_lab: Lab, runner: Runner) -> None:
    before = installed(pristine_lab)
    address = str(pristine_lab.config.host("cache").address4)
    for check in (True, False):
        run = play(runner, "backport verdict", [item(address, REAL_CVES)], check=check)
        assert run.rc == 0, run.stdout[-3000:]
        assert run.changed_count(HOST) == 0
        (verdict,) = verdicts(run)
        assert verdict["state"] == "backported", verdict
        assert verdict["package"] == PACKAGE
        assert verdict["installed_version"] == before
        for cve in REAL_CVES:
            assert verdict["cves"][cve]["named_in"] == "installed"
            assert verdict["cves"][cve]["entry"] == before
            assert any(cve in line for line in verdict["cves"][cve]["lines"]), verdict
    assert installed(pristine_lab) == before
    assert answers(pristine_lab).startswith("VERSION ")


def test_upgrade_to_the_lab_build_keeps_the_old_package(pristine_lab: Lab, runner: Runner) -> None:
    built = offer(pristine_lab, "lab1")
    assert installed(pristine_lab) == built.original
    address = str(pristine_lab.config.host("cache").address4)
    items = [item(address, [repo.LAB_CVE], package=PACKAGE)]

    dry = play(runner, "upgrade +lab1", items, check=True)
    assert dry.rc == 0, dry.stdout[-3000:]
    (verdict,) = verdicts(dry)
    assert verdict["state"] == "upgrade_available", verdict
    assert verdict["candidate_version"] == built.offered
    assert verdict["cves"][repo.LAB_CVE]["named_in"] == "candidate"
    assert dry.changed_count(HOST) == 1  # the would-be upgrade, and nothing ran
    assert installed(pristine_lab) == built.original

    others = every_version(pristine_lab)
    run = play(runner, "upgrade +lab1", items)
    assert run.rc == 0, run.stdout[-3000:]
    assert installed(pristine_lab) == built.offered
    now = every_version(pristine_lab)
    assert {k: v for k, v in now.items() if others.get(k) != v} == {PACKAGE: built.offered}
    assert set(now) == set(others)
    assert answers(pristine_lab).startswith("VERSION ")
    kept = f"{KEEP_DIR}/{PACKAGE}_{built.original}_amd64.deb"
    info = pristine_lab.ssh("cache", "dpkg-deb", "-f", kept, "Version")
    assert info.returncode == 0 and info.stdout.strip() == built.original, info.stderr

    again = play(runner, "second run after +lab1", items)
    assert again.rc == 0, again.stdout[-3000:]
    assert again.changed_count(HOST) == 0
    (verdict,) = verdicts(again)
    assert verdict["state"] == "backported", verdict
    assert verdict["cves"][repo.LAB_CVE]["entry"] == built.offered


def test_a_build_that_does_not_answer_is_rolled_back(pristine_lab: Lab, runner: Runner) -> None:
    manager.reset(pristine_lab.config.state_dir, ("cache",), lambda _line: None)
    built = offer(pristine_lab, "lab2")
    assert installed(pristine_lab) == built.original
    address = str(pristine_lab.config.host("cache").address4)
    items = [item(address, [repo.LAB_CVE], package=PACKAGE)]

    run = play(runner, "+lab2 rollback (10 s probe)", items, patch_answer_timeout=10)
    assert run.rc != 0 and run.status == "failed", run.stdout[-3000:]
    failures = " ".join(run.failures(HOST))
    assert "did not answer on tcp/11211" in failures, failures
    assert f"Put back {built.original}" in failures and "answers again: yes" in failures, failures
    assert installed(pristine_lab) == built.original
    assert answers(pristine_lab).startswith("VERSION ")
    unit = pristine_lab.ssh("cache", "systemctl", "show", "-p", "ExecStart", "memcached")
    assert "systemd-memcached-wrapper" in unit.stdout, unit.stdout
