"""Generated suites read back without running them: hosts and the keys each test proves."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from remediator.errors import InputError
from remediator.generate.suites import project_suites, read_suite

GOLDEN = Path(__file__).resolve().parent / "golden" / "tests"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "tests").mkdir()
    for golden in GOLDEN.glob("test_*.py.golden"):
        shutil.copy(golden, tmp_path / "tests" / golden.name.removesuffix(".golden"))
    return tmp_path


def test_every_golden_suite_names_its_host_and_keys(project: Path) -> None:
    suites = list(project_suites(project))
    assert [s.path for s in suites] == sorted(
        f"tests/{g.name.removesuffix('.golden')}" for g in GOLDEN.glob("test_*.py.golden")
    )
    web = next(s for s in suites if s.path == "tests/test_web_lab.py")
    assert web.hosts == ("web.lab",)
    assert web.keys, "the web host's suite proves findings"
    proved = {
        key for name, keys in web.keys.items() if name.startswith("test_fix_") for key in keys
    }
    assert "10.213.0.11/tcp/3306/port-open" in proved  # the database closed to the internet


def test_a_suite_that_is_not_literal_data_is_refused_not_run(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    suite = tmp_path / "tests" / "test_x.py"
    suite.write_text("KEYS = __import__('os').system('touch /tmp/x')\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a literal"):
        read_suite(suite, tmp_path)


def test_wrongly_shaped_literals_are_refused(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    suite = tmp_path / "tests" / "test_x.py"
    suite.write_text("def test_a():\n    pass\n", encoding="utf-8")
    with pytest.raises(InputError, match="no testinfra_hosts"):
        read_suite(suite, tmp_path)
    suite.write_text("testinfra_hosts = 'web'\nKEYS = {}\n", encoding="utf-8")
    with pytest.raises(InputError, match="testinfra_hosts"):
        read_suite(suite, tmp_path)
    suite.write_text("testinfra_hosts = []\nKEYS = {'t': 3}\n", encoding="utf-8")
    with pytest.raises(InputError, match="KEYS"):
        read_suite(suite, tmp_path)
