"""Hostile and broken scan files: one clear line, exit 2, nothing else.

Every case runs the real CLI in-process with the network and file opens of the
document watched: an XXE that reached out would be caught here, not just "not seen".
"""

from __future__ import annotations

import builtins
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest

from remediator.cli import main
from remediator.ingest.xmlsafe import MAX_RUN

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "hostile"
REPO = Path(__file__).resolve().parents[3]

EXPECTED_PROBLEM = {
    "empty.xml": "file is empty",
    "whitespace.xml": "file is empty",
    "truncated.xml": "ends before it is complete",
    "mismatched.xml": "mismatched tag",
    "other_format.xml": "not a scan format remediator reads",
    "other_format.json": "not a scan format remediator reads",
    "utf16.xml": "UTF-16",
    "latin1_undeclared.xml": "malformed XML: line 4, column 93",
    "xxe_file.xml": "declares XML entities",
    "xxe_http.nessus": "declares XML entities",
    "xxe_parameter.xml": "declares XML entities",
    "billion_laughs.xml": "declares XML entities",
    "quadratic.xml": "declares XML entities",
    "binary.bin": "binary data",
    "unknown_encoding.xml": "declares the encoding 'x-bogus-42'",
    "utf7_encoding.xml": "declares the encoding 'UTF-7'",
    "lone_surrogate.json": "lone surrogate",
}


class NetworkTouchedError(AssertionError):
    """Raised when parsing a document tried to open a socket."""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Fail any socket creation, and record file opens outside the fixture folder."""
    opened: list[Any] = []

    def refuse_socket(*args: Any, **kwargs: Any) -> None:
        raise NetworkTouchedError(f"socket opened while parsing: {args}")

    real_open = builtins.open

    def watched_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(socket, "socket", refuse_socket)
    monkeypatch.setattr(socket, "create_connection", refuse_socket)
    monkeypatch.setattr(builtins, "open", watched_open)
    yield opened


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["ingest", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_clean_error(code: int, out: str, err: str, file: Path, problem: str) -> None:
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"remediator: error: {file}: ")
    assert problem in lines[0]
    assert "Traceback" not in err


@pytest.mark.timeout(20)
@pytest.mark.parametrize("name", sorted(EXPECTED_PROBLEM))
def test_hostile_file_is_one_clean_line(
    name: str, capsys: pytest.CaptureFixture[str], no_network: list[Any]
) -> None:
    path = FIXTURES / name
    code, out, err = run_cli(capsys, str(path))
    assert_clean_error(code, out, err, path, EXPECTED_PROBLEM[name])
    assert "/etc/hostname" not in [str(f) for f in no_network]


@pytest.mark.timeout(20)
def test_hostile_file_with_json_output_leaves_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "findings.json"
    code, out, err = run_cli(capsys, str(FIXTURES / "truncated.xml"), "-o", str(target))
    assert_clean_error(code, out, err, FIXTURES / "truncated.xml", "ends before it is complete")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    "name", ["unknown_encoding.xml", "utf7_encoding.xml", "lone_surrogate.json"]
)
def test_undecodable_text_with_json_output_is_one_clean_line(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found as tracebacks with exit 1: the fault must stop the parse, not the writer."""
    path = FIXTURES / name
    code, out, err = run_cli(capsys, str(path), "-o", str(tmp_path / "findings.json"))
    assert_clean_error(code, out, err, path, EXPECTED_PROBLEM[name])
    assert not (tmp_path / "findings.json").exists()


@pytest.mark.timeout(20)
def test_good_file_then_bad_file_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A batch with one bad file fails whole: no findings file from the good half."""
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"schema": "remediator/findings/v1", "findings": []}))
    target = tmp_path / "out.json"
    code, _out, err = run_cli(
        capsys, str(good), str(FIXTURES / "mismatched.xml"), "-o", str(target)
    )
    assert code == 2, err
    assert not target.exists()


PEAK_PROBE = """
import sys
from remediator.cli import main
code = main(["ingest", sys.argv[1]])
with open("/proc/self/status", encoding="ascii") as status:
    print(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
sys.exit(code)
"""
"""``remediator ingest FILE`` in a fresh interpreter that prints its own peak RSS (KiB).

``VmHWM``, the kernel's high-water mark of this process image's resident memory, and not
``getrusage``'s ``ru_maxrss``: Linux carries that over from the parent through the fork
and exec, so a test runner that had grown once would hide any child's peak under its own.
"""


def ingest_peak(path: Path) -> tuple[int, str, str, int]:
    """Exit code, stdout without the peak line, stderr and peak RSS in bytes of one ingest.

    A child of its own: the kernel's peak for that process counts every allocation,
    Python's and expat's alike, and nothing of the test runner's.
    """
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-c", PEAK_PROBE, str(path)]
    result = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=45, check=False
    )
    assert result.stdout.strip(), result.stderr  # the probe always prints its peak
    *out, peak = result.stdout.splitlines()
    return result.returncode, "\n".join(out), result.stderr, int(peak) << 10


def nmap_with_args(path: Path, args: bytes, repeat: int = 1) -> Path:
    """An nmap file whose root ``args`` attribute is ``args`` written ``repeat`` times."""
    with path.open("wb") as stream:
        stream.write(b'<?xml version="1.0"?>\n<nmaprun scanner="nmap" version="7.93" args="')
        for _ in range(repeat):
            stream.write(args)
        stream.write(b'">\n</nmaprun>\n')
    return path


@pytest.mark.timeout(60)
def test_attribute_just_over_the_limit_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An attribute 4 MiB over ``MAX_RUN`` is refused by the attribute limit itself.

    Just over the limit, so that a reader which only stops tags far longer than that
    (the tag limit alone lets a 20 MiB attribute through) fails here.
    """
    path = nmap_with_args(tmp_path / "long_attribute.xml", b"A" * (1 << 20), (MAX_RUN >> 20) + 4)
    code, out, err = run_cli(capsys, str(path))
    assert_clean_error(code, out, err, path, "a single attribute or text node is longer than")


LONG_ATTRIBUTE: Final = 256 << 20
"""16 times the 16 MiB limit on one attribute (``xmlfeed.MAX_RUN``), 2.7 times the bound."""
MEMORY_BOUND: Final = 96 << 20
"""Growth allowed over a small file's ingest: six runs of the 16 MiB limit."""


@pytest.mark.timeout(60)
def test_absurdly_long_attribute_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """A 256 MiB attribute is refused with one line, the ingest growing by < 96 MiB.

    Holding the attribute, or the file, would take at least its 256 MiB; the streaming
    reader holds a few runs of the 16 MiB limit (what expat keeps of the unfinished
    tag, the read that follows it, expat's buffer growing): 48 MiB measured when the
    attribute limit stops it, 82 MiB when only the tag limit does. The growth is over
    the same ingest of a small file, run the same way. The sizes are fixed here, not
    derived from ``MAX_RUN``: a limit raised far past 16 MiB is a memory bound lost,
    and fails this test.
    """
    small = nmap_with_args(tmp_path / "short_attribute.xml", b"nmap -sV 10.0.0.1")
    huge = nmap_with_args(tmp_path / "long_attribute.xml", b"A" * (1 << 20), LONG_ATTRIBUTE >> 20)
    code, _, err, baseline = ingest_peak(small)
    assert code == 0, err
    code, out, err, peak = ingest_peak(huge)
    assert_clean_error(code, out, err, huge, "longer than")
    growth = peak - baseline
    assert growth < MEMORY_BOUND, f"peak grew by {growth >> 20} MiB on a 256 MiB attribute"


@pytest.mark.timeout(60)
def test_deeply_nested_json_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nested.json"
    depth = 200_000
    path.write_text(
        '{"schema": "remediator/findings/v1", "findings": ' + "[" * depth + "]" * depth + "}"
    )
    code, out, err = run_cli(capsys, str(path))
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert str(path) in err


@pytest.mark.timeout(60)
def test_absurdly_long_csv_field_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "long.csv"
    path.write_text("address,protocol,port,title\n10.0.0.1,tcp,80," + "x" * (8 << 20) + "\n")
    code, out, err = run_cli(capsys, str(path))
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert str(path) in err


def test_missing_file_and_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.xml"
    assert_clean_error(*run_cli(capsys, str(missing)), missing, "no such file")
    assert_clean_error(*run_cli(capsys, str(tmp_path)), tmp_path, "is a directory")


def test_forced_format_that_does_not_match(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "other_format.xml"
    code, out, err = run_cli(capsys, str(path), "--format", "openvas")
    assert_clean_error(code, out, err, path, "does not look like openvas output")
