"""Running testinfra suites as data: one pytest process, each test's outcome read as JSON.

Used by ``apply`` (one host's suite after its batch, the hosts side by side) and by
``verify`` (every host's suite, spread over pytest-xdist workers). Either way the suite
runs in a pytest process of its own, through whatever command reaches the hosts (a
network namespace, or here), and its outcomes come back through the
:mod:`remediator.common.suite_report` plugin, never parsed from pytest's text. This
process never imports or executes a suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from remediator.common.files import replace_text
from remediator.common.suite_report import ENV as REPORT_ENV

SUITE_TIMEOUT: Final = 900.0
"""The longest a suite run may take before it is killed (exit -9, reported as not run)."""

TAIL: Final = 1500
"""How much of pytest's output an error about a suite that did not run quotes."""

Command = Callable[[Sequence[str]], list[str]]
"""How a command must run to reach the hosts (e.g. inside a lab's namespace)."""


@dataclass(frozen=True)
class ReportedTest:
    """One test's outcome as the report plugin wrote it."""

    nodeid: str
    outcome: str
    message: str

    @property
    def suite(self) -> str:
        """The suite file the test is in, as pytest names it (relative to the root)."""
        return self.nodeid.split("::", 1)[0]


@dataclass(frozen=True)
class SuitePlace:
    """Where suites run: the project root, the inventory, the command that reaches the hosts."""

    root: Path
    inventory: Path
    command: Command


def write_ini(folder: Path) -> Path:
    """An empty ``pytest.ini`` in ``folder``: the suites get no configuration of ours."""
    folder.mkdir(parents=True, exist_ok=True)
    ini = folder / "pytest.ini"
    replace_text(ini, "[pytest]\n")
    return ini


def start_suite(
    place: SuitePlace,
    paths: Sequence[str],
    *,
    ini: Path,
    report: Path,
    log_path: Path,
    stack: ExitStack,
    workers: str | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Start pytest on ``paths``; output to ``log_path``, outcomes to ``report``.

    The process is reaped when ``stack`` closes, so an interrupt or an error leaves no
    suite running; ``workers`` spreads the tests over pytest-xdist workers.
    """
    report.unlink(missing_ok=True)
    argv = [
        sys.executable, "-m", "pytest", "-c", str(ini), "--rootdir", str(place.root),
        "-p", "no:cacheprovider", "-p", "remediator.common.suite_report", "-q",
        *(["-n", workers] if workers else []),
        "--ansible-inventory", str(place.inventory), *paths,
    ]  # fmt: skip
    bin_dir = str(Path(sys.executable).parent)
    environment = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONDONTWRITEBYTECODE": "1",
        REPORT_ENV: str(report),
        **(env or {}),
    }
    log = stack.enter_context(log_path.open("w", encoding="utf-8"))
    process = subprocess.Popen(
        place.command(argv),
        cwd=place.root,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    stack.callback(_reap, process)
    return process


def wait_suite(process: subprocess.Popen[bytes]) -> int:
    """The suite's exit code; a suite still running after ``SUITE_TIMEOUT`` is killed (-9)."""
    try:
        return process.wait(timeout=SUITE_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return -9


def read_outcomes(report: Path) -> tuple[ReportedTest, ...]:
    """The report plugin's outcomes (none if the report is missing or unreadable)."""
    try:
        tests = json.loads(report.read_text(encoding="utf-8"))["tests"]
        return tuple(
            ReportedTest(str(t["nodeid"]), str(t["outcome"]), str(t.get("message", "")))
            for t in tests
        )
    except (OSError, ValueError, KeyError, TypeError):
        return ()


def not_run(returncode: int, tests: Sequence[ReportedTest], log: Path) -> str | None:
    """Why the suites did not run (pytest's exit code and the end of its output), or None."""
    if returncode in (0, 1) and tests:
        return None
    tail = log.read_text(encoding="utf-8", errors="replace")[-TAIL:] if log.exists() else ""
    return f"the testinfra suites did not run (pytest exit {returncode}): {tail.strip()}"


def _reap(process: subprocess.Popen[bytes]) -> None:
    """Leave no suite running behind an interrupt or an error."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
