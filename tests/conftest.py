"""Session-wide guards for every test.

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


@pytest.fixture(autouse=True)
def no_real_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resolve, "system_resolver", _no_dns)
