"""Session-wide guards and scheduling for every test.

The suite runs on pytest-xdist workers (``-n auto`` in pyproject.toml): every test under
tests/lab/ is one work unit, so one worker runs them all, in order, on the one lab it
brings up, while the other workers run the unit tests beside it (the lab tests mostly
wait on the hosts). ``-n0`` runs everything in one process.

No test may ask real DNS: the commands resolve inventory names through
:data:`remediator.ingest.resolve.system_resolver`, which is replaced here by a resolver
that knows no name (as on a controller without DNS). A test that needs answers injects
its own table (see tests/unit/ingest/test_addresses_not_names.py).

No test leaves a pointer to its lab in the machine's registry
(:data:`remediator.lab.state.LAB_POINTERS`): each test gets a directory of its own for them.

The lab is registered as a host provider, as the CLI registers it: tests call the stages'
functions directly, and those reach lab hosts only through the provider registry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import pytest

from remediator.ingest import resolve
from remediator.lab import state
from remediator.lab.provider import register_lab
from tests.lab.helpers import TIMINGS

register_lab()  # as the CLI does: runs reach the lab's hosts from its controller namespace


def _no_dns(name: str) -> Sequence[str]:
    return ()


LAB_TESTS = "tests/lab/"
"""Where the lab tests live: one work unit, in collection order, on one xdist worker."""


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """pytest-xdist's scope scheduler, every lab test in one scope, every other its own.

    The lab tests share one lab (brought up once per worker that asks), module fixtures
    and an order. xdist_group marks cannot say so under pytest 9.2, whose node ids no
    longer follow the ``_nodeid`` that xdist 3.8 suffixes with the group name.
    """
    from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]

    class LabTogether(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return LAB_TESTS if nodeid.startswith(LAB_TESTS) else nodeid

    return LabTogether(config, log)


@pytest.fixture(autouse=True)
def own_lab_pointers(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pointers to labs with a state dir elsewhere go to a directory of the test's own."""
    monkeypatch.setattr(state, "LAB_POINTERS", tmp_path_factory.mktemp("lab-pointers") / "labs")


@pytest.fixture(autouse=True)
def no_real_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resolve, "system_resolver", _no_dns)


WORKER_TIMINGS = "remediator_lab_timings"
"""Where an xdist worker leaves ``TIMINGS`` for the controller (``workeroutput``)."""

_MODULE_SECONDS: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Each module's seconds (on the xdist controller from the workers' reports)."""
    _MODULE_SECONDS[report.nodeid.split("::")[0]] += report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On an xdist worker: hand the lab timings to the controller, which prints them."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output[WORKER_TIMINGS] = dict(TIMINGS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """On the xdist controller: the timings a worker recorded."""
    TIMINGS.update(getattr(node, "workeroutput", {}).get(WORKER_TIMINGS, {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How long each lab stage and each test module took, so CI time stays visible.

    Here, not in tests/lab/conftest.py: the xdist controller collects nothing, so it
    loads only this conftest.
    """
    if not TIMINGS and not _MODULE_SECONDS:
        return
    terminalreporter.section("lab timings")
    for stage, seconds in TIMINGS.items():
        terminalreporter.write_line(f"{seconds:8.1f}  {stage}")
    for module, seconds in sorted(_MODULE_SECONDS.items()):
        terminalreporter.write_line(f"{seconds:8.1f}  {module}")
