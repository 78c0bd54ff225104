"""Every error of every verb is one line on stderr and an exit code, never a traceback.

A path the user gave that cannot be read or written is usage (exit 2); a failure of the
machine while running (a full disk, a missing tool) is an execution error (exit 4). The
tests run as root, who ignores permission bits, so the paths that fail are ones that fail
for root too: under /proc, under /sys, below a regular file.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from remediator.cli import main
from remediator.ingest import commands as ingest_commands

ROOT = Path(__file__).resolve().parents[2]
SCAN = ROOT / "tests/fixtures/nmap/nmap_tls_loopback.xml"
LAB_SCAN = ROOT / "examples/scans/lab-v4.xml"
POLICY = ROOT / "examples/lab-policy.yml"
INVENTORY = ROOT / "examples/lab-inventory.yml"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated project, for the verbs that run one."""
    where = tmp_path_factory.mktemp("project")
    plan = where / "plan.json"
    argv = ["plan", str(LAB_SCAN), "--policy", str(POLICY), "--inventory", str(INVENTORY)]
    assert main([*argv, "--as-of", "2026-12-01", "-o", str(plan)]) == 0
    assert main(["generate", str(plan), "-o", str(where / "project")]) == 0
    return where / "project"


def _one_error_line(capsys: pytest.CaptureFixture[str], names: str) -> str:
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("remediator: error: "), err
    assert names in err[0], err
    assert "[Errno" not in err[0], "the cause in words, not Python's repr of the error"
    return err[0]


UNDER_A_FILE = str(SCAN / "x")
"""A path below a regular file: NotADirectoryError, for root too."""


@dataclass(frozen=True)
class Case:
    """A command whose path fails: what the one line names and the exit code."""

    what: str
    argv: Callable[[Path, Path], list[str]]
    """The command line, from a generated project and a directory ``d``."""
    names: str
    """What the line names (``{d}``: the directory)."""
    code: int


CASES = [
    (
        "run records under /proc",
        lambda p, d: ["dry-run", str(p), "--runs-dir", "/proc/x"],
        "/proc/x",
        2,
    ),
    (
        "run records below a file",
        lambda p, d: ["dry-run", str(p), "--runs-dir", str(SCAN)],
        str(SCAN),
        2,
    ),
    ("findings -o under /proc", lambda p, d: ["ingest", str(SCAN), "-o", "/proc/x"], "/proc/x", 2),
    ("findings -o under /sys", lambda p, d: ["ingest", str(SCAN), "-o", "/sys/x"], "/sys/x", 2),
    ("findings -o a directory", lambda p, d: ["ingest", str(SCAN), "-o", str(d)], "{d}", 2),
    (
        "findings -o below a file",
        lambda p, d: ["ingest", str(SCAN), "-o", UNDER_A_FILE],
        UNDER_A_FILE,
        2,
    ),
    ("a directory as scan", lambda p, d: ["ingest", str(d)], "{d}", 2),
    ("a scan below a file", lambda p, d: ["ingest", UNDER_A_FILE], UNDER_A_FILE, 2),
    (
        "plan -o under /proc",
        lambda p, d: [
            "plan",
            str(SCAN),
            "--policy",
            str(POLICY),
            "--inventory",
            str(INVENTORY),
            "-o",
            "/proc/x",
        ],
        "/proc/x",
        2,
    ),
    (
        "project -o under /proc",
        lambda p, d: ["generate", str(p.parent / "plan.json"), "-o", "/proc/x"],
        "/proc/x",
        2,
    ),
    ("policy a directory", lambda p, d: ["policy", "check", str(d)], "{d}", 2),
    ("-o - for a directory", lambda p, d: ["generate", str(SCAN), "-o", "-"], "-o -", 2),
]


@pytest.mark.parametrize("case", [Case(*c) for c in CASES], ids=[c[0] for c in CASES])
def test_os_errors_are_one_line(
    case: Case,
    project: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(case.argv(project, tmp_path)) == case.code
    _one_error_line(capsys, case.names.format(d=tmp_path))


def _failing(error: OSError) -> Callable[[object], int]:
    def handler(options: object) -> int:
        raise error

    return handler


@dataclass(frozen=True)
class Raised:
    """An error the command meets, given its ``-o`` path; what the line names, the code."""

    what: str
    error: Callable[[Path], OSError]
    names: str
    code: int


RAISED = [
    (
        "denied on the output",
        lambda out: PermissionError(errno.EACCES, "Permission denied", str(out)),
        "out.json: Permission denied",
        2,
    ),
    (
        "denied beside the output",
        lambda out: PermissionError(errno.EACCES, "Permission denied", str(out.parent / "x")),
        "x: Permission denied",
        2,
    ),
    (
        "disk full while writing the output",
        lambda out: OSError(errno.ENOSPC, "No space left on device", str(out)),
        "out.json: No space left on device",
        4,
    ),
    (
        "a tool missing",
        lambda out: FileNotFoundError(errno.ENOENT, "No such file or directory", "ansible"),
        "ansible: No such file or directory",
        4,
    ),
    (
        "denied somewhere else",
        lambda out: PermissionError(errno.EACCES, "Permission denied", "/var/lib/x"),
        "/var/lib/x: Permission denied",
        4,
    ),
    (
        "a rename between two paths",
        lambda out: OSError(errno.EXDEV, "Invalid cross-device link", "/a", None, str(out)),
        "/a -> ",
        2,
    ),
    ("no path at all", lambda out: OSError(errno.EIO, "Input/output error"), "Input/output", 4),
]


@pytest.mark.parametrize("case", [Raised(*c) for c in RAISED], ids=[c[0] for c in RAISED])
def test_an_os_error_is_usage_only_when_it_is_about_a_given_path(
    case: Raised,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "out.json"
    monkeypatch.setattr(ingest_commands, "run_ingest", _failing(case.error(out)))
    assert main(["ingest", str(SCAN), "-o", str(out)]) == case.code
    _one_error_line(capsys, case.names)


def test_a_missing_tool_is_not_the_output_beside_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    error = FileNotFoundError(errno.ENOENT, "No such file or directory", "ansible-playbook")
    monkeypatch.setattr(ingest_commands, "run_ingest", _failing(error))
    assert main(["ingest", str(SCAN), "-o", "out.json"]) == 4
    _one_error_line(capsys, "ansible-playbook: No such file or directory")


def test_debug_after_the_verb_shows_the_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    error = PermissionError(errno.EACCES, "Permission denied", "/var/lib/x")
    monkeypatch.setattr(ingest_commands, "run_ingest", _failing(error))
    with pytest.raises(PermissionError):
        main(["ingest", str(SCAN), "--debug"])
    with pytest.raises(PermissionError):
        main(["--debug", "ingest", str(SCAN)])


@pytest.mark.parametrize(
    ("argv", "level"),
    [
        (["ingest", str(SCAN)], logging.WARNING),
        (["-v", "ingest", str(SCAN)], logging.INFO),
        (["ingest", str(SCAN), "-v"], logging.INFO),
        (["ingest", "-vv", str(SCAN)], logging.DEBUG),
        (["ingest", str(SCAN), "--verbose", "--verbose", "--verbose"], logging.DEBUG),
        (["-v", "ingest", str(SCAN), "-v"], logging.DEBUG),
        (["-v", "policy", "-v", "check", str(ROOT / "examples/lab-policy.yml")], logging.DEBUG),
    ],
)
def test_verbose_anywhere_sets_the_log_level(
    argv: list[str], level: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 0
    assert logging.getLogger("remediator").level == level
    logging.getLogger("remediator.test").info("progress")
    err = capsys.readouterr().err
    assert ("remediator: INFO: progress" in err) == (level <= logging.INFO)


def test_common_options_after_every_verb(capsys: pytest.CaptureFixture[str]) -> None:
    from remediator.cli import build_parser
    from remediator.clitools import verb_parsers

    for words, parser in verb_parsers(build_parser()):
        text = parser.format_help()
        assert "--debug" in text, words
        assert "-v, --verbose" in text, words
