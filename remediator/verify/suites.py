"""Run the generated testinfra suites over the inventory, in parallel, as data.

Every host's ``tests/test_<host>.py`` runs in one pytest process spread over workers by
pytest-xdist; each test's outcome comes back through the ``remediator.common.suite_report``
plugin as JSON (never parsed from pytest's text). A test stands for the finding keys in
its module's ``KEYS`` literal, read by :mod:`remediator.generate.suites`: the suite is
never imported or executed by this process.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path

from remediator.common.suites import (
    ReportedTest,
    SuitePlace,
    not_run,
    read_outcomes,
    start_suite,
    wait_suite,
    write_ini,
)
from remediator.errors import ExecutionError
from remediator.generate.suites import read_suite
from remediator.run.ansible.target import Target
from remediator.verify.model import TestResult


def run_suites(
    target: Target, suites: Mapping[str, str], work: Path, workers: str = "auto"
) -> tuple[TestResult, ...]:
    """Run ``suites`` (host -> path relative to the project); every test's result."""
    if not suites:
        return ()
    ini = write_ini(work)
    report, log = work / "suites.json", work / "suites-pytest.txt"
    root = target.project.root
    place = SuitePlace(root, target.inventory, target.command)
    with ExitStack() as stack:
        process = start_suite(
            place, sorted(set(suites.values())), ini=ini, report=report, log_path=log,
            stack=stack, workers=workers,
        )  # fmt: skip
        returncode = wait_suite(process)
    return read_report(report, suites, root, returncode, log)


def read_report(
    report: Path, suites: Mapping[str, str], root: Path, returncode: int, log: Path
) -> tuple[TestResult, ...]:
    """The suite report as :class:`TestResult` records, each with the keys it stands for."""
    tests = read_outcomes(report)
    problem = not_run(returncode, tests, log)
    if problem is not None:
        raise ExecutionError(problem)
    hosts = {path: host for host, path in suites.items()}
    keys = {path: read_suite(root / path, root).keys for path in hosts}
    return tuple(_result(t, hosts, keys) for t in tests if t.suite in hosts)


def _result(
    test: ReportedTest,
    hosts: Mapping[str, str],
    keys: Mapping[str, Mapping[str, Sequence[str]]],
) -> TestResult:
    name = test.nodeid.split("::", 1)[-1].split("[", 1)[0]
    return TestResult(
        host=hosts[test.suite],
        name=name,
        outcome=test.outcome,
        keys=tuple(keys[test.suite].get(name, ())),
        message=test.message,
    )
