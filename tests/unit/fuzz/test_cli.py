"""Through the CLI: a hostile scan or policy ends in exit 0, or exit 2 and one stderr line.

The commands run in-process (``remediator.cli.main``, the function the console script
calls), so each example costs milliseconds; ``test_policy_limits`` runs real processes.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given

from remediator.cli import main
from tests.unit.fuzz.mutations import Blob, blobs, fuzz_settings, hostile_bytes, mutated, time_limit
from tests.unit.fuzz.seeds import every_seed
from tests.unit.fuzz.test_policy import POLICY_SEEDS

CLASSIFY = Path(__file__).resolve().parents[1] / "classify" / "fixtures"
INVENTORY = str(CLASSIFY / "lab-inventory.yml")
POLICY = str(CLASSIFY / "base-policy.yml")
SCAN = str(CLASSIFY / "lab-scan.xml")


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="remediator-fuzz-") as name:
        yield Path(name)


def run(*argv: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of one in-process CLI run.

    Real files, not StringIO: ansible (imported by inventory loading) reconfigures the
    standard streams and warns on stderr when it cannot.
    """
    with (
        tempfile.TemporaryFile("w+", encoding="utf-8") as out,
        tempfile.TemporaryFile("w+", encoding="utf-8") as err,
    ):
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(argv))
        out.seek(0)
        err.seek(0)
        return code, out.read(), err.read()


def assert_ok_or_one_line(result: tuple[int, str, str], bad: Path) -> None:
    """Exit 0, or exit 2 with one stderr line naming the bad file."""
    code, _out, err = result
    if code == 0:
        return
    assert code == 2, err[-2000:]
    lines = err.splitlines()
    assert len(lines) == 1, err[-2000:]
    assert lines[0].startswith(f"remediator: error: {bad}"), lines[0][:2000]


@pytest.mark.timeout(time_limit(120))
@fuzz_settings(100)
@given(blob=blobs(hostile_bytes(every_seed())))
def test_ingest_json_of_a_hostile_scan(blob: Blob, folder: Path) -> None:
    data = blob.payload()
    scan = folder / "scan"
    scan.write_bytes(data)
    assert_ok_or_one_line(run("ingest", str(scan), "--json"), scan)


@pytest.mark.timeout(time_limit(120))
@fuzz_settings(40)
@given(blob=blobs(hostile_bytes(every_seed())))
def test_plan_of_a_hostile_scan(blob: Blob, folder: Path) -> None:
    data = blob.payload()
    scan = folder / "scan"
    scan.write_bytes(data)
    result = run("plan", str(scan), "--policy", POLICY, "--inventory", INVENTORY, "--json")
    assert_ok_or_one_line(result, scan)


@pytest.mark.timeout(time_limit(120))
@fuzz_settings(40)
@given(blob=blobs(mutated(POLICY_SEEDS)))
def test_policy_check_of_a_hostile_policy(blob: Blob, folder: Path) -> None:
    """One line for one problem; a policy with several lists each on its own line."""
    data = blob.payload()
    policy = folder / "policy.yml"
    policy.write_bytes(data)
    code, out, err = run("policy", "check", str(policy), "--inventory", INVENTORY)
    if code == 0:
        assert out.startswith(f"{policy}: valid")
        return
    assert code == 2, err[-2000:]
    lines = err.splitlines()
    assert lines[0].startswith(f"remediator: error: {policy}"), lines[0][:2000]
    assert all(line.startswith(str(policy)) for line in lines[1:]), err[-2000:]
