"""Session-wide guards and scheduling for every test.

The suite runs on pytest-xdist workers (``-n auto --dist loadgroup`` in pyproject.toml):
every lab test is put in one group, so one worker runs them all, in order, on the one lab
it brings up, while the other workers run the unit tests beside it (the lab tests mostly
wait on the hosts). ``-n0`` runs everything in one process.

No test may ask real DNS: the commands resolve inventory names through
:data:`remediator.ingest.resolve.system_resolver`, which is replaced here by a resolver
that knows no name (as on a controller without DNS). A test that needs answers injects
its own table (see tests/unit/test_addresses_not_names.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from remediator.ingest import resolve


def _no_dns(name: str) -> Sequence[str]:
    return ()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Lab tests share one lab, module fixtures and an order: one xdist group, one worker.

    First, before pytest-xdist reads the groups to name the work units.
    """
    for item in items:
        if item.get_closest_marker("lab"):
            item.add_marker(pytest.mark.xdist_group("lab"))


@pytest.fixture(autouse=True)
def no_real_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resolve, "system_resolver", _no_dns)
