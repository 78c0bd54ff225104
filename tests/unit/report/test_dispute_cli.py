"""``remediator report`` writes the dispute pages into the bundle, and its manifest covers them.

A dispute page an admin hands an ASV is evidence like evidence.html: altered after the
fact, ``report --verify`` must name it.
"""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pytest

from remediator.cli import main
from remediator.common.documents import read_document
from tests.unit.report.disputefixture import write_hostile_run

PAGES = 14
"""Disputable findings of the fixture run: 2 excepted, 2 expired exceptions, 10 manual."""


def verify(capsys: pytest.CaptureFixture[str], bundle: Path) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(["report", "--verify", str(bundle)])
    return code, capsys.readouterr().out.strip().splitlines()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """The hostile run and its bundle written by ``remediator report RUN -o DIR``."""
    base = tmp_path_factory.mktemp("report")
    run = write_hostile_run(base / "runs")
    out = base / "evidence"
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        assert main(["report", str(run), "-o", str(out)]) == 0
    return run, out, stdout.getvalue()


def copied(bundle: Path, to: Path) -> Path:
    """A copy of ``bundle`` for a test that changes it (the written bundle is shared)."""
    return Path(shutil.copytree(bundle, to))


def test_report_writes_the_pages_and_names_them(written: tuple[Path, Path, str]) -> None:
    _, out, stdout = written
    folder = out / "dispute"
    assert len(list(folder.glob("*.pdf"))) == PAGES
    assert len(list(folder.glob("*.html"))) == PAGES + 1  # and index.html
    assert f"dispute:  {folder / 'index.html'} ({PAGES} findings, HTML and PDF)" in stdout


def test_the_manifest_lists_every_page(
    written: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = written
    manifest = read_document(out / "manifest.json", "manifest")
    on_disk = {
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }
    assert set(manifest["files"]) == on_disk
    assert "dispute/clean.lab-tcp-443-1.pdf" in on_disk and "dispute/index.html" in on_disk
    assert verify(capsys, out) == (0, [f"intact: {2 + 2 * PAGES + 1} files"])


def test_an_altered_pdf_is_named(
    tmp_path: Path, written: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    copy = copied(written[1], tmp_path / "copy")
    pdf = copy / "dispute" / "web.lab-tcp-8443-1.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 1
    pdf.write_bytes(bytes(data))
    code, lines = verify(capsys, copy)
    assert code == 1 and lines == [f"altered: {pdf}"]


def test_no_dispute_skips_the_pages_and_removes_stale_ones(
    tmp_path: Path, written: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Written again into the same folder with --no-dispute: the earlier pages go, so the
    bundle is what its manifest lists and no old page reads as current."""
    run = written[0]
    out = copied(written[1], tmp_path / "again")
    capsys.readouterr()
    assert main(["report", str(run), "-o", str(out), "--no-dispute"]) == 0
    assert "dispute:" not in capsys.readouterr().out
    assert not (out / "dispute").exists()
    manifest = read_document(out / "manifest.json", "manifest")
    assert set(manifest["files"]) == {"evidence.html", "evidence.json"}
    assert verify(capsys, out) == (0, ["intact: 2 files"])
