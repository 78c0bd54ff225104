"""The dispute pages printed to PDF: real pages with the finding on them, fetched from nowhere.

Read back as an ASV would see them: ``pdftoppm`` rasterises every page (each must carry
ink, not just exist) and ``pdftotext`` gives the words. Both come from poppler-utils,
which scripts/setup.sh installs; a missing binary fails these tests, as it should: a
skipped proof is not a proof.
"""

from __future__ import annotations

import re
import socket
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from remediator.report.dispute.build import load_package
from remediator.report.dispute.model import DisputePackage
from remediator.report.dispute.pdf import RefusingFetcher, pdf_of
from remediator.report.dispute.render import render_page
from remediator.report.load import load_evidence
from tests.unit.report.disputefixture import TEMPLATE, write_hostile_run

NOW = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
AFTER_EXPIRY = datetime(2027, 7, 1, 9, 0, tzinfo=UTC)
EXCEPTED = "clean.lab-tcp-443-1"
MANUAL = "web.lab-tcp-8443-1"
FOOTER = re.compile(r"remediator ASV dispute evidence, page \d+ of \d+")


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(pdf: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    run = subprocess.run(
        ["pdftotext", *pages, str(pdf), "-"], check=True, capture_output=True, text=True
    )
    return words(run.stdout)


def page_images(pdf: Path, folder: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"))


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> DisputePackage:
    run = write_hostile_run(tmp_path_factory.mktemp("runs"))
    return load_package(run, load_evidence(run, NOW))


def printed(package: DisputePackage, stem: str, folder: Path) -> Path:
    """The PDF of one case, printed by the refusing fetcher, which must have refused nothing."""
    case = next(c for c in package.cases if c.stem == stem)
    fetcher = RefusingFetcher()
    path = folder / f"{stem}.pdf"
    path.write_bytes(pdf_of(render_page(package, case), fetcher))
    assert fetcher.refused == []  # the page is self-contained: nothing to fetch
    return path


@pytest.mark.parametrize("stem", [EXCEPTED, MANUAL])
def test_every_page_of_the_pdf_carries_ink(
    package: DisputePackage, stem: str, tmp_path: Path
) -> None:
    pdf = printed(package, stem, tmp_path)
    images = page_images(pdf, tmp_path)
    assert len(images) >= 2
    for number, image in enumerate(images, start=1):
        with Image.open(image) as opened:
            gray = opened.convert("L")
            stats = ImageStat.Stat(gray)
            histogram = gray.histogram()
        inked = sum(histogram[:160]) / (gray.width * gray.height)
        assert stats.var[0] > 100, f"{image.name}: blank (variance {stats.var[0]:.1f})"
        assert inked > 0.002, f"{image.name}: almost no ink ({inked:.4f})"
        # more on the page than the running footer
        assert FOOTER.sub("", pdf_text(pdf, number)).strip(), f"page {number} holds no text"


def test_the_pdf_text_holds_the_excepted_finding(package: DisputePackage, tmp_path: Path) -> None:
    text = pdf_text(printed(package, "clean.lab-tcp-443-2", tmp_path))
    for expected in (
        "Host clean.lab",
        "fd00:213::14",
        "443/tcp",
        "TLS certificate: self-signed",
        "nmap:ssl-cert",
        "Status page certificate issued by the lab CA, pinned by the monitors",
        "platform-team",
        "valid until 2027-06-30",
        "4.2.1, 4.2.1.1",
        "20261125T101500Z-apply-abc123",
    ):
        assert expected in text, expected


def test_the_pdf_text_holds_the_manual_finding(package: DisputePackage, tmp_path: Path) -> None:
    text = pdf_text(printed(package, "web.lab-tcp-8443-2", tmp_path))
    for expected in (
        "Host web.lab",
        "fd00:213::11",
        "8443/tcp",
        "TLS certificate: self-signed",
        "Order API for fulfilment partners",
        "web-team",
        "198.51.100.0/24",
    ):
        assert expected in text, expected


def test_hostile_text_prints_as_text(package: DisputePackage, tmp_path: Path) -> None:
    text = pdf_text(printed(package, MANUAL, tmp_path))
    assert '<script>alert("x")</script></pre><img src="http://198.51.100.7/x.png"' in text
    assert TEMPLATE in text and "../../../../tmp/dispute-pwned/x" in text


def test_an_expired_exception_prints_expired_on(tmp_path: Path) -> None:
    run = write_hostile_run(tmp_path / "runs")
    later = load_package(run, load_evidence(run, AFTER_EXPIRY))
    text = pdf_text(printed(later, "clean.lab-tcp-443-2", tmp_path))
    assert "expired on 2027-06-30" in text
    assert "valid until" not in text


def test_the_pdf_fetches_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Markup that asks for remote and local resources: every URL is refused, no socket
    is opened, and the PDF is still printed."""

    def no_network(*_: object) -> None:
        raise AssertionError("the PDF renderer opened a connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    urls = [
        "http://198.51.100.7/x.png",
        "file:///etc/passwd",
        "https://198.51.100.7/style.css",
        "http://198.51.100.7/font.woff2",
    ]
    html = (
        "<html><head>"
        f'<link rel="stylesheet" href="{urls[2]}">'
        f'<style>@font-face {{ font-family: X; src: url("{urls[3]}"); }}'
        " body { font-family: X, sans-serif; }</style>"
        f'</head><body><p>hello</p><img src="{urls[0]}"><img src="{urls[1]}"></body></html>'
    )
    fetcher = RefusingFetcher()
    pdf = pdf_of(html, fetcher)
    assert pdf.startswith(b"%PDF-")
    assert sorted(set(fetcher.refused)) == sorted(urls)
