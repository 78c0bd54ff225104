"""The lab, once per test run, for tests marked ``lab``.

* ``lab`` (session): brings the default lab up (building the rootfs cache if needed)
  and takes it down at the end if this run brought it up. A lab already up is reset
  to pristine first.
* ``pristine_lab`` (module): for modules that change hosts; after the module it resets
  the hosts named in the module's ``LAB_RESET_HOSTS`` (default: all).
* ``REMEDIATOR_LAB_SLOT=N`` (1-9) runs the session on a lab of its own (prefix ``rmlN``,
  10.(220+N).0.0/24, fd00:(220+N)::/64), so two test sessions can run side by side; the
  default is the lab ``remediator lab`` manages. Tests that read the shipped lab scans
  rewrite their addresses with :func:`tests.lab.helpers.for_lab`.
* Nothing is skipped silently: without root or a needed tool every lab test fails
  with the reason, unless ``REMEDIATOR_SKIP_LAB=1`` says to skip them.
* ``lab_scan`` (session): one ``remediator lab scan`` of the pristine lab, shared.
* The figures tests record in ``TIMINGS`` (rootfs build, lab up, ...) are printed at the
  end with each test module's seconds, by tests/conftest.py.
"""

from __future__ import annotations

import argparse
import fcntl
import ipaddress
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from remediator.errors import RemediatorError
from remediator.lab import manager
from remediator.lab.cli import register
from remediator.lab.config import DEFAULT_STATE_DIR, LabConfig
from remediator.lab.proc import REQUIRED_TOOLS, missing_tools
from remediator.lab.scan import v6_path

from .helpers import TIMINGS, Lab, LabScan

SKIP_ENV = "REMEDIATOR_SKIP_LAB"
SLOT_ENV = "REMEDIATOR_LAB_SLOT"
SESSION_LOCK = "/run/lock/remediator-lab-tests{slot}.lock"
"""One session per lab: test sessions that use the same lab take turns (held for the session)."""
TEST_TOOLS = (*REQUIRED_TOOLS, "nmap", "snmpget", "nft")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get(SKIP_ENV) != "1":
        return
    skip = pytest.mark.skip(reason=f"{SKIP_ENV}=1: lab tests skipped on purpose")
    for item in items:
        if item.get_closest_marker("lab"):
            item.add_marker(skip)


def _refuse_unless_able() -> None:
    problems = []
    if os.geteuid() != 0:
        problems.append("not root")
    missing = missing_tools(TEST_TOOLS)
    if missing:
        problems.append(f"missing tools: {', '.join(missing)}")
    if problems:
        pytest.fail(
            f"lab tests cannot run ({'; '.join(problems)}). Run as root with debootstrap, "
            "systemd-container, iproute2, nmap, snmp and nftables installed, or set "
            f"{SKIP_ENV}=1 to skip them on purpose.",
            pytrace=False,
        )


def _session_config() -> tuple[str, LabConfig]:
    """The lab this session uses: the default one, or the slot ``REMEDIATOR_LAB_SLOT`` names."""
    slot = os.environ.get(SLOT_ENV, "")
    if not slot:
        return "", LabConfig()
    if slot not in tuple("123456789"):
        pytest.fail(f"{SLOT_ENV}={slot!r}: use a digit 1-9", pytrace=False)
    third = 220 + int(slot)
    return slot, LabConfig(
        prefix=f"rml{slot}",
        subnet4=ipaddress.IPv4Network(f"10.{third}.0.0/24"),
        subnet6=ipaddress.IPv6Network(f"fd00:{third}::/64"),
        state_dir=DEFAULT_STATE_DIR.with_name(f"lab-slot{slot}"),
    )


def _take_turn(slot: str) -> int:
    """Wait until no other test session uses this lab; the lock is held until we exit."""
    lock = Path(SESSION_LOCK.format(slot=slot))
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        _terminal_say("another test session is using the lab; waiting for it to finish")
        fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    _refuse_unless_able()
    slot, config = _session_config()
    turn = _take_turn(slot)
    say = _terminal_say
    try:
        report = manager.up(config, say)
        if report.already_up:
            TIMINGS["lab reset (was already up)"] = manager.reset(config.state_dir, (), say)
        else:
            TIMINGS["rootfs build (0 = cached)"] = report.rootfs_seconds
            TIMINGS["lab up (boot all hosts)"] = report.boot_seconds
        TIMINGS["lab memory after boot (MiB, PSS)"] = manager.memory_kib(config.state_dir) / 1024
    except RemediatorError as exc:
        pytest.fail(f"the lab did not come up: {exc}", pytrace=False)
    yield Lab(config)
    if not report.already_up:
        started = time.monotonic()
        manager.down(config.state_dir, config.prefix, say)
        TIMINGS["lab down"] = time.monotonic() - started
    os.close(turn)


@pytest.fixture(scope="module")
def pristine_lab(lab: Lab, request: pytest.FixtureRequest) -> Iterator[Lab]:
    """The lab for a module that changes hosts; those hosts are reset after it."""
    yield lab
    names = tuple(getattr(request.module, "LAB_RESET_HOSTS", ()))
    manager.reset(lab.config.state_dir, names, _terminal_say)


@pytest.fixture(scope="session")
def lab_scan(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> LabScan:
    """One full scan per session (about two minutes), shared by every test that needs the
    lab as a scanner sees it before any remediation. Hosts are pristine whenever it runs:
    each module resets the hosts it changed before the next module starts."""
    output = tmp_path_factory.mktemp("lab-scan") / "lab-scan.xml"
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(
        ["lab", "--state-dir", str(lab.config.state_dir), "scan", "-o", str(output)]
    )
    started = time.monotonic()
    assert args.func(args) == 0
    TIMINGS["lab scan (v4 + v6 in parallel)"] = time.monotonic() - started
    return LabScan(output, v6_path(output))


def _terminal_say(line: str) -> None:
    sys.stderr.write(f"\n[lab] {line}")
    sys.stderr.flush()
