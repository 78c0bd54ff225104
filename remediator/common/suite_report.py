"""A pytest plugin that writes each test's outcome as JSON for ``apply``'s batch check.

Loaded with ``-p remediator.common.suite_report`` into the run of a batch's generated
testinfra suites; the file named by ``$REMEDIATOR_SUITE_REPORT`` receives
``{"tests": [{"nodeid", "outcome", "message"}]}``, so the apply reads results as data
instead of parsing pytest's text output.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Final

import pytest

from remediator.common.files import replace_text

ENV: Final = "REMEDIATOR_SUITE_REPORT"
MESSAGE_CHARS: Final = 800

_results: list[dict[str, str]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Keep each test's outcome: a failure in any phase, else the call's result."""
    if report.when == "call" or report.outcome != "passed":
        message = str(report.longreprtext or "")[-MESSAGE_CHARS:] if report.failed else ""
        if report.skipped and isinstance(report.longrepr, tuple):
            message = str(report.longrepr[2])
        _results.append(
            {
                "nodeid": report.nodeid,
                "outcome": report.outcome,
                "when": report.when,
                "message": message,
            }
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    target = os.environ.get(ENV)
    if not target:
        return
    path = Path(target)
    replace_text(path, json.dumps({"exitstatus": int(exitstatus), "tests": _results}))
