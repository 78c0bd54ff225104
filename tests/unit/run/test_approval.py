"""Who approved an apply: refused without --approved-by and --ticket unless --no-approval.

Nothing here contacts a host: the apply's first step after its approval (loading the
project) is replaced by a sentinel, so an apply that gets past its approval stops there,
and one refused for its approval is shown to have stopped before it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from remediator.cli import main
from remediator.errors import InputError
from remediator.run.records.approval import MAX_LENGTH, Approval, approval_of

APPROVED = ("--approved-by", "alice", "--ticket", "CHG-42")


class WentOnError(Exception):
    """The apply went past its approval check."""


@pytest.fixture
def sentinel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the apply's first step after its approval stop the test."""

    def went_on(*_: object, **__: object) -> None:
        raise WentOnError

    monkeypatch.setattr("remediator.run.commands.load_project", went_on)
    monkeypatch.setattr("remediator.run.commands.parse_window", went_on)


def apply(tmp_path: Path, *extra: str) -> int:
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    argv = ["apply", str(project), "--window", "now+1h", "--runs-dir", str(tmp_path / "runs")]
    return main([*argv, *extra])


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


@pytest.mark.parametrize(
    "given",
    [
        (),
        ("--approved-by", "alice"),
        ("--ticket", "CHG-42"),
        ("--approved-by", "", "--ticket", "CHG-42"),
        ("--approved-by", "alice", "--ticket", "   "),
        ("--approved-by", " \t ", "--ticket", ""),
    ],
    ids=["neither", "no-ticket", "no-approver", "empty-approver", "blank-ticket", "both-blank"],
)
@pytest.mark.usefixtures("sentinel")
def test_an_apply_without_approval_is_refused_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], given: tuple[str, ...]
) -> None:
    assert apply(tmp_path, *given) == 2
    err = one_line(capsys)
    for option in ("--approved-by", "--ticket", "--no-approval"):
        assert option in err
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize(
    "given",
    [
        ("--no-approval", "--approved-by", "alice"),
        ("--no-approval", "--ticket", "CHG-42"),
        ("--no-approval", *APPROVED),
        ("--no-approval", "--ticket", ""),
    ],
    ids=["approver", "ticket", "both", "empty-ticket"],
)
@pytest.mark.usefixtures("sentinel")
def test_waiving_approval_while_giving_one_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], given: tuple[str, ...]
) -> None:
    assert apply(tmp_path, *given) == 2
    err = one_line(capsys)
    assert "--no-approval" in err and "not both" in err
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("given", [APPROVED, ("--no-approval",)], ids=["approved", "waived"])
@pytest.mark.usefixtures("sentinel")
def test_an_approved_or_waived_apply_goes_on(tmp_path: Path, given: tuple[str, ...]) -> None:
    with pytest.raises(WentOnError):
        apply(tmp_path, *given)


@pytest.mark.parametrize(
    ("approver", "problem"),
    [
        ("alice\nbob", "one line"),
        ("alice\u2028bob", "one line"),
        ("alice\x1b[2J", "one line"),
        ("a" * (MAX_LENGTH + 1), f"at most {MAX_LENGTH} characters"),
    ],
    ids=["newline", "line-separator", "escape", "too-long"],
)
@pytest.mark.usefixtures("sentinel")
def test_an_approver_is_one_bounded_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], approver: str, problem: str
) -> None:
    assert apply(tmp_path, "--approved-by", approver, "--ticket", "CHG-42") == 2
    err = one_line(capsys)
    assert "--approved-by" in err and problem in err
    assert approver not in err  # the value is not echoed raw


def test_values_are_kept_as_typed_but_trimmed() -> None:
    approval = approval_of(" J. Admin <ja@example.com> ", "CHG-1234", no_approval=False)
    assert approval == Approval("J. Admin <ja@example.com>", "CHG-1234", waived=False)
    assert approval.statement() == "approved by J. Admin <ja@example.com>, ticket CHG-1234"
    assert approval_of("a" * MAX_LENGTH, "t", no_approval=False).approved_by == "a" * MAX_LENGTH


def test_a_waiver_says_so_plainly() -> None:
    waived = approval_of(None, None, no_approval=True)
    assert waived.to_json() == {"approved_by": None, "ticket": None, "waived": True}
    assert waived.statement() == "applied WITHOUT approval (--no-approval)"
    assert Approval.from_json(waived.to_json()) == waived


def test_the_refusal_is_an_input_error() -> None:
    with pytest.raises(InputError):
        approval_of(None, "CHG-1", no_approval=False)
