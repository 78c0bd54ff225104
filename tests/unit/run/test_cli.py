"""The run commands' argument handling (no host is contacted by any of these)."""

from __future__ import annotations

from pathlib import Path

import pytest

from remediator.cli import main
from remediator.run.project import Project


def test_apply_needs_a_window(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["apply", str(tmp_path)])
    assert exited.value.code == 2
    assert "--window" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--window", "now+0h"], "duration must be longer than zero"),
        (["--window", "Funday 22:00-02:00 UTC"], "is not a day"),
        (["--window", "now+1h", "--batch", "0"], "batch size '0'"),
        (["--window", "now+1h", "--max-fail", "150%"], "percentage from 0% to 100%"),
    ],
)
def test_bad_apply_options_are_input_errors(
    capsys: pytest.CaptureFixture[str],
    lab_project: Project,
    tmp_path: Path,
    argv: list[str],
    message: str,
) -> None:
    approved = ["--approved-by", "alice", "--ticket", "CHG-42"]
    argv = ["apply", str(lab_project.root), *argv, *approved, "--runs-dir", str(tmp_path / "runs")]
    code = main(argv)
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


def test_not_a_project(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["dry-run", str(tmp_path), "--runs-dir", str(tmp_path / "runs")]) == 2
    assert "not a generated project" in capsys.readouterr().err


def test_rollback_of_an_unknown_run(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["rollback", "20261125T100000Z-apply-abcdef", "--runs-dir", str(tmp_path)]) == 2
    assert "no run" in capsys.readouterr().err


def test_help_names_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["apply", "--help"])
    text = capsys.readouterr().out
    for option in (
        "--inventory",
        "--window",
        "--batch",
        "--max-fail",
        "--approved-by",
        "--ticket",
        "--no-approval",
        "--dry-run-id",
        "--json",
        "--runs-dir",
    ):
        assert option in text


@pytest.mark.parametrize(
    "verb",
    [["dry-run"], ["apply", "--window", "now+1h", "--ticket", "CHG-1", "--approved-by", "a"]],
)
def test_a_limit_matching_no_host_is_one_line_of_bad_input(
    capsys: pytest.CaptureFixture[str], lab_project: Project, tmp_path: Path, verb: list[str]
) -> None:
    runs = tmp_path / "runs"
    argv = [
        verb[0],
        str(lab_project.root),
        *verb[1:],
        "-l",
        "web:&nothere",
        "--runs-dir",
        str(runs),
    ]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the limit 'web:&nothere' matches no host" in err
    assert not runs.exists()


def test_run_verbs_take_ansibles_short_options(capsys: pytest.CaptureFixture[str]) -> None:
    for verb in ("dry-run", "apply", "rollback"):
        with pytest.raises(SystemExit):
            main([verb, "--help"])
        text = capsys.readouterr().out
        assert "-l PATTERN, --limit PATTERN" in text
        if verb != "rollback":
            assert "-i INVENTORY, --inventory INVENTORY" in text
