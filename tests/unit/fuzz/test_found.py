"""What the fuzz suite found in the scan readers, each kept fixed by its smallest input.

Policy findings live in ``test_policy_limits.py`` (they need a process of their own).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from remediator.cli import main

FOUND = Path(__file__).resolve().parents[2] / "fixtures" / "fuzz"


@pytest.mark.parametrize(("name", "problem"), [("masscan_lone_surrogate.json", "surrogate")])
def test_found_input_is_one_line_exit_2_and_writes_nothing(
    name: str, problem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = FOUND / name
    target = tmp_path / "findings.json"
    for argv in (["ingest", str(path), "--json"], ["ingest", str(path), "-o", str(target)]):
        code = main(argv)
        out, err = capsys.readouterr()
        assert code == 2, err[-2000:]
        assert out == ""
        lines = err.splitlines()
        assert len(lines) == 1, err[-2000:]
        assert lines[0].startswith(f"remediator: error: {path}: ")
        assert problem in lines[0]
    assert list(tmp_path.iterdir()) == []
