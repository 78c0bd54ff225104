"""Every file the CLI writes: only a regular file is replaced, its mode kept, no staging left.

The commands are driven through ``remediator.cli.main`` as a user runs them (exit code
and one error line), onto each kind of node a path can name: a FIFO, a symbolic link, a
character device (a copy of /dev/null made with mknod, so the real one is never at
risk), a socket, a directory.
"""

from __future__ import annotations

import json
import os
import socket
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from remediator.cli import main
from remediator.common import files
from remediator.common.files import replace_file
from remediator.errors import InputError
from tests.corpus import corpus_path
from tests.unit.classify.helpers import HEADER, write_inventory
from tests.unit.report.runfixture import write_run

SERVICE_SCAN = "nmap/securecodebox_nmap_service_scan.xml"
META = "nessus/rubynessus_example_v3.nessus"
POLICY = (
    "groups:\n  legacy:\n    allow:\n"
    "      - {service: smtp, sources: [any], justification: m, owner: o}\n"
)


def _fifo(path: Path) -> str:
    os.mkfifo(path)
    return "FIFO"


def _symlink(path: Path) -> str:
    victim = path.with_name("victim.txt")
    victim.write_text("someone else's file\n")
    path.symlink_to(victim)
    return "symbolic link"


def _device(path: Path) -> str:
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a second /dev/null
    return "character device"


def _directory(path: Path) -> str:
    path.mkdir()
    (path / "keep.txt").write_text("x")
    return "directory"


def _socket(path: Path) -> str:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()
    return "socket"


SPECIALS: dict[str, Callable[[Path], str]] = {
    "fifo": _fifo,
    "symlink": _symlink,
    "device": _device,
    "directory": _directory,
    "socket": _socket,
}


def _node(path: Path) -> tuple[int, int, int]:
    info = path.lstat()
    return info.st_mode, info.st_ino, info.st_rdev


def _leftovers(directory: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name not in keep)


@pytest.fixture
def plan_args(tmp_path: Path) -> list[str]:
    write_inventory(tmp_path, {"meta": ("10.0.0.1", ["legacy"], None)})
    policy = tmp_path / "policy.yml"
    policy.write_text(HEADER + POLICY, encoding="utf-8")
    inventory = tmp_path / "inventory.yml"
    return ["plan", str(corpus_path(META)), "--policy", str(policy), "--inventory", str(inventory)]


def _ingest_args(tmp_path: Path) -> list[str]:
    return ["ingest", str(corpus_path(SERVICE_SCAN))]


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "out"
    directory.mkdir()
    return directory


@pytest.mark.parametrize("kind", sorted(SPECIALS))
@pytest.mark.parametrize("command", ["plan", "ingest"])
def test_output_onto_a_special_file_is_refused_and_the_node_kept(
    command: str,
    kind: str,
    plan_args: list[str],
    out_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = out_dir / "result.json"
    words = SPECIALS[kind](target)
    before = _node(target)
    argv = plan_args if command == "plan" else _ingest_args(out_dir)
    assert main([*argv, "-o", str(target)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(target) in err[0] and words in err[0], err
    assert _node(target) == before
    assert _leftovers(out_dir, {"result.json", "victim.txt"}) == []
    if kind == "symlink":
        assert (out_dir / "victim.txt").read_text() == "someone else's file\n"


@pytest.mark.parametrize("kind", ["fifo", "symlink", "device"])
def test_report_onto_a_special_file_is_refused(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = write_run(tmp_path)
    out = tmp_path / "evidence"
    out.mkdir()
    target = out / "evidence.html"
    words = SPECIALS[kind](target)
    before = _node(target)
    assert main(["report", str(run), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(target) in err[0] and words in err[0], err
    assert _node(target) == before
    assert _leftovers(out, {"evidence.html", "victim.txt", "evidence.json"}) == []


@pytest.mark.parametrize("command", ["plan", "ingest"])
def test_an_existing_files_mode_is_kept(
    command: str, plan_args: list[str], tmp_path: Path, out_dir: Path
) -> None:
    target = out_dir / "result.json"
    target.write_text("old\n")
    target.chmod(0o640)
    argv = plan_args if command == "plan" else _ingest_args(tmp_path)
    assert main([*argv, "-o", str(target)]) == 0
    assert json.loads(target.read_text())["schema"].startswith("remediator/")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert _leftovers(out_dir, {"result.json"}) == []


def test_report_keeps_modes_and_new_files_get_0644(tmp_path: Path) -> None:
    run = write_run(tmp_path)
    out = tmp_path / "evidence"
    out.mkdir()
    (out / "evidence.json").write_text("{}")
    (out / "evidence.json").chmod(0o640)
    assert main(["report", str(run), "-o", str(out)]) == 0
    assert stat.S_IMODE((out / "evidence.json").stat().st_mode) == 0o640
    assert stat.S_IMODE((out / "evidence.html").stat().st_mode) == 0o644
    pages = list((out / "dispute").iterdir())  # the ASV dispute pages, new files too
    assert pages and {stat.S_IMODE(p.stat().st_mode) for p in pages} == {0o644}
    assert _leftovers(out, {"evidence.json", "evidence.html", "manifest.json", "dispute"}) == []


def test_an_existing_files_owner_is_kept(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can give a file to another owner")
    target = tmp_path / "plan.json"
    target.write_text("old")
    os.chown(target, 4321, 8765)
    replace_file(target, "new")
    info = target.stat()
    assert (info.st_uid, info.st_gid, target.read_text()) == (4321, 8765, "new")


def test_an_explicit_mode_always_applies(tmp_path: Path) -> None:
    target = tmp_path / "secret"
    target.write_text("old")
    target.chmod(0o644)
    replace_file(target, "key", mode=files.PRIVATE_MODE)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.fixture
def interrupt_rename(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Ctrl-C arriving just as the finished temp file would be renamed into place."""

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    yield


@pytest.mark.usefixtures("interrupt_rename")
@pytest.mark.parametrize("command", ["plan", "ingest"])
def test_an_interrupted_write_leaves_the_old_file_and_no_temp(
    command: str, plan_args: list[str], tmp_path: Path, out_dir: Path
) -> None:
    target = out_dir / "result.json"
    target.write_text("old\n")
    argv = plan_args if command == "plan" else _ingest_args(tmp_path)
    assert main([*argv, "-o", str(target)]) == 130
    assert target.read_text() == "old\n"
    assert _leftovers(out_dir, {"result.json"}) == []


def test_an_error_while_writing_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    with pytest.raises(RuntimeError), files.replacing(target) as sink:
        sink.write(b"partial")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_ingest_failing_midway_leaves_nothing_behind(
    tmp_path: Path, out_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Findings whose text cannot be encoded (a lone surrogate) stop the write cleanly."""
    assert main([*_ingest_args(tmp_path), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    document["findings"][-1]["title"] = "bad \ud800 text"
    scan = tmp_path / "findings.json"
    scan.write_text(json.dumps(document), encoding="utf-8")
    target = out_dir / "result.json"
    try:
        code = main(["ingest", str(scan), "-o", str(target)])
    except UnicodeError:  # the reader's own fault, fixed apart; the writer must still clean up
        code = 1
    capsys.readouterr()
    if code == 0:
        assert json.loads(target.read_text())["findings"]
    assert _leftovers(out_dir, {"result.json"} if code == 0 else set()) == []
    assert not list(Path(os.environ.get("TMPDIR", "/tmp")).glob(".findings-*"))


def test_a_directory_as_output_is_one_line_exit_2(
    tmp_path: Path, out_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*_ingest_args(tmp_path), "-o", str(out_dir)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"remediator: error: {out_dir}: is a directory; refusing to replace it "
        "(only a regular file is replaced)"
    ]


def test_a_missing_directory_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot write: No such file or directory"):
        replace_file(tmp_path / "nowhere" / "x.json", "x")


def test_a_full_disk_is_one_line_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    target = tmp_path / "plan.json"
    target.write_text("old")
    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(InputError, match=r"plan.json: cannot write: No space left on device"):
        replace_file(target, "new")
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]
    assert target.read_text() == "old"


def test_the_callers_own_error_is_not_reworded(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError), files.replacing(tmp_path / "copy") as sink:
        sink.write((tmp_path / "missing-source").read_bytes())
    assert list(tmp_path.iterdir()) == []


def test_report_into_a_path_that_is_a_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = write_run(tmp_path)
    taken = tmp_path / "evidence"
    taken.write_text("not a folder")
    assert main(["report", str(run), "-o", str(taken)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(taken) in err[0], err
    assert taken.read_text() == "not a folder"


@pytest.mark.parametrize("kind", ["fifo", "symlink", "device"])
def test_policy_init_force_onto_a_special_file_is_refused(
    kind: str, plan_args: list[str], out_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = out_dir / "policy.yml"
    words = SPECIALS[kind](target)
    before = _node(target)
    inventory = plan_args[plan_args.index("--inventory") + 1]
    argv = ["policy", "init", str(corpus_path(META)), "--inventory", inventory]
    assert main([*argv, "--admin", "192.0.2.10/32", "-o", str(target), "--force"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(target) in err[0] and words in err[0], err
    assert _node(target) == before
