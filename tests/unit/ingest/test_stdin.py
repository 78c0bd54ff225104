"""``-`` reads a scan from standard input and ``-o -`` writes to standard output; a named
pipe reads like a file. Each was refused or hung before: ``-`` was "no such file", and a
FIFO's head was read by format detection, so the parser's second open waited forever."""

from __future__ import annotations

import io
import json
import os
import threading
from pathlib import Path

import pytest

from remediator.cli import main
from remediator.ingest import spool

ROOT = Path(__file__).resolve().parents[3]
SCAN = ROOT / "tests/fixtures/nmap/nmap_tls_loopback.xml"
LAB_SCAN = ROOT / "examples/scans/lab-v4.xml"
POLICY = ["--policy", str(ROOT / "examples/lab-policy.yml")]
INVENTORY = ["--inventory", str(ROOT / "examples/lab-inventory.yml")]


def _stdin(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(path.read_bytes())))


def _findings(capsys: pytest.CaptureFixture[str], argv: list[str]) -> list[dict[str, object]]:
    assert main(argv) == 0
    findings: list[dict[str, object]] = json.loads(capsys.readouterr().out)["findings"]
    for finding in findings:
        finding.pop("source")
    return findings


def test_ingest_reads_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = _findings(capsys, ["ingest", str(SCAN), "--json"])
    _stdin(monkeypatch, SCAN)
    assert _findings(capsys, ["ingest", "-", "--json"]) == expected
    assert expected


def test_ingest_summary_names_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, SCAN)
    assert main(["ingest", "-"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "<stdin> (nmap)"


def test_output_dash_is_standard_output(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    expected = _findings(capsys, ["ingest", str(SCAN), "--json"])
    assert _findings(capsys, ["ingest", str(SCAN), "-o", "-"]) == expected
    assert not (tmp_path / "-").exists()


def test_plan_reads_the_scan_from_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    day = ["--as-of", "2026-12-01"]
    assert main(["plan", str(LAB_SCAN), *POLICY, *INVENTORY, *day, "--json"]) == 0
    from_file = json.loads(capsys.readouterr().out.replace(str(LAB_SCAN), "<stdin>"))
    _stdin(monkeypatch, LAB_SCAN)
    assert main(["plan", "-", *POLICY, *INVENTORY, *day, "-o", "-"]) == 0
    from_stdin = json.loads(capsys.readouterr().out)
    assert from_stdin["scan_files"] == ["<stdin>"]
    assert from_stdin == from_file
    assert not (tmp_path / "-").exists()


def test_policy_init_output_dash(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = ["policy", "init", str(LAB_SCAN), *INVENTORY, "--admin", "192.0.2.0/24"]
    assert main(argv) == 0
    plain = capsys.readouterr().out
    assert main([*argv, "-o", "-"]) == 0
    assert capsys.readouterr().out == plain
    assert not (tmp_path / "-").exists()


@pytest.mark.timeout(60)
def test_a_named_pipe_reads_like_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    expected = _findings(capsys, ["ingest", str(SCAN), "--json"])
    fifo = tmp_path / "scan.fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(SCAN.read_bytes()), daemon=True)
    writer.start()
    assert _findings(capsys, ["ingest", str(fifo), "--json"]) == expected
    writer.join(timeout=10)


def test_the_copy_of_standard_input_is_removed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    made: list[Path] = []
    original = spool._spool

    def watched(key: str, stream: io.BufferedIOBase) -> Path:
        made.append(original(key, stream))  # type: ignore[arg-type]
        return made[-1]

    monkeypatch.setattr(spool, "_spool", watched)
    _stdin(monkeypatch, SCAN)
    assert main(["ingest", "-", "-vv"]) == 0
    assert f"remediator: DEBUG: <stdin> copied to {made[0]}" in capsys.readouterr().err
    assert len(made) == 1
    assert not made[0].exists()
    assert not made[0].parent.exists()


def test_a_file_is_read_in_place() -> None:
    assert spool.readable(SCAN) == SCAN
    assert spool.readable(Path("/no/such/scan")) == Path("/no/such/scan")


class _Terminal(io.TextIOWrapper):
    def isatty(self) -> bool:
        return True


def test_a_terminal_is_not_waited_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", _Terminal(io.BytesIO(b"")))
    assert main(["ingest", "-"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "remediator: error: <stdin>: standard input is a terminal; pipe a scan into it "
        "(nmap -oX - ... | remediator ingest -)"
    ]
