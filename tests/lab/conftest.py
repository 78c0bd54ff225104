"""The lab, once per test run, for tests marked ``lab``.

* ``lab`` (session): brings the default lab up (building the rootfs cache if needed)
  and takes it down at the end if this run brought it up. A lab already up is reset
  to pristine first.
* ``pristine_lab`` (module): for modules that change hosts; after the module it resets
  the hosts named in the module's ``LAB_RESET_HOSTS`` (default: all).
* Nothing is skipped silently: without root or a needed tool every lab test fails
  with the reason, unless ``REMEDIATOR_SKIP_LAB=1`` says to skip them.
* The terminal summary shows how long each stage took (rootfs build, lab up, each
  lab test module, and the figures tests record in ``TIMINGS``).
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from remediator.errors import RemediatorError
from remediator.lab import manager
from remediator.lab.config import LabConfig
from remediator.lab.proc import REQUIRED_TOOLS, missing_tools

from .helpers import TIMINGS, Lab

SKIP_ENV = "REMEDIATOR_SKIP_LAB"
SESSION_LOCK = "/run/lock/remediator-lab-tests.lock"
"""One lab on the machine: test sessions that use it take turns (held for the session)."""
TEST_TOOLS = (*REQUIRED_TOOLS, "nmap", "snmpget", "nft")

_MODULE_SECONDS: dict[str, float] = defaultdict(float)


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


def _take_turn() -> int:
    """Wait until no other test session uses the lab; the lock is held until we exit."""
    Path(SESSION_LOCK).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(SESSION_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        _terminal_say("another test session is using the lab; waiting for it to finish")
        fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    _refuse_unless_able()
    turn = _take_turn()
    config = LabConfig()
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


def _terminal_say(line: str) -> None:
    sys.stderr.write(f"\n[lab] {line}")
    sys.stderr.flush()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _MODULE_SECONDS[report.nodeid.split("::")[0]] += report.duration


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TIMINGS and not _MODULE_SECONDS:
        return
    terminalreporter.section("lab timings")
    for stage, seconds in TIMINGS.items():
        terminalreporter.write_line(f"{seconds:8.1f}  {stage}")
    for module, seconds in sorted(_MODULE_SECONDS.items()):
        terminalreporter.write_line(f"{seconds:8.1f}  {module}")
