"""Run the generated testinfra suites over the inventory, in parallel, as data.

Every host's ``tests/test_<host>.py`` runs in one pytest process spread over workers by
pytest-xdist; each test's outcome comes back through the ``remediator.common.suite_report``
plugin as JSON (never parsed from pytest's text). A test stands for the finding keys in
its module's ``KEYS`` literal, read by :mod:`remediator.generate.suites`: the suite is
never imported or executed by this process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from remediator.common.files import replace_text
from remediator.common.suite_report import ENV as REPORT_ENV
from remediator.errors import ExecutionError
from remediator.generate.suites import read_suite
from remediator.run.ansible.target import Target
from remediator.verify.model import TestResult

SUITE_TIMEOUT: Final = 900.0
TAIL: Final = 1500


def run_suites(
    target: Target, suites: Mapping[str, str], work: Path, workers: str = "auto"
) -> tuple[TestResult, ...]:
    """Run ``suites`` (host -> path relative to the project); every test's result."""
    if not suites:
        return ()
    work.mkdir(parents=True, exist_ok=True)
    report, ini, log = work / "suites.json", work / "pytest.ini", work / "suites-pytest.txt"
    replace_text(ini, "[pytest]\n")
    root = target.project.root
    argv = [
        sys.executable, "-m", "pytest", "-c", str(ini), "--rootdir", str(root),
        "-p", "no:cacheprovider", "-p", "remediator.common.suite_report", "-q",
        "-n", workers, "--ansible-inventory", str(target.inventory),
        *sorted(set(suites.values())),
    ]  # fmt: skip
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONDONTWRITEBYTECODE": "1",
        REPORT_ENV: str(report),
    }
    report.unlink(missing_ok=True)
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run(
            target.command(argv), cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
            timeout=SUITE_TIMEOUT, check=False,
        )  # fmt: skip
    return read_report(report, suites, root, done.returncode, log)


def read_report(
    report: Path, suites: Mapping[str, str], root: Path, returncode: int, log: Path
) -> tuple[TestResult, ...]:
    """The suite report as :class:`TestResult` records, each with the keys it stands for."""
    try:
        tests = json.loads(report.read_text(encoding="utf-8"))["tests"]
    except (OSError, ValueError, KeyError):
        tests = []
    if returncode not in (0, 1) or not tests:
        tail = log.read_text(encoding="utf-8", errors="replace")[-TAIL:] if log.exists() else ""
        raise ExecutionError(f"the testinfra suites did not run (pytest exit {returncode}): {tail}")
    hosts = {path: host for host, path in suites.items()}
    keys = {path: read_suite(root / path, root).keys for path in hosts}
    return tuple(_result(t, hosts, keys) for t in tests if _suite(t) in hosts)


def _suite(test: Mapping[str, object]) -> str:
    return str(test["nodeid"]).split("::", 1)[0]


def _result(
    test: Mapping[str, object],
    hosts: Mapping[str, str],
    keys: Mapping[str, Mapping[str, Sequence[str]]],
) -> TestResult:
    path = _suite(test)
    name = str(test["nodeid"]).split("::", 1)[-1].split("[", 1)[0]
    return TestResult(
        host=hosts[path],
        name=name,
        outcome=str(test["outcome"]),
        keys=tuple(keys[path].get(name, ())),
        message=str(test.get("message", "")),
    )
