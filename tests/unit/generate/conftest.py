"""Fixtures of the tests that run the generated testinfra helpers on this machine."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
import testinfra

from tests.unit.generate.generated_checks import import_checks


@pytest.fixture(scope="module")
def checks(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """The generated remediator_checks.py, imported as the suites import it."""
    return import_checks(tmp_path_factory.mktemp("checks"))


@pytest.fixture(scope="module")
def local() -> Any:
    """This machine through testinfra's local backend (commands run here, as on a host)."""
    return testinfra.get_host("local://")
