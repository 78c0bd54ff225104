"""The evidence page in Debian's headless Chromium, in a namespace with no route.

It renders (a screenshot is kept as tests/artifacts/evidence.png), and nothing but
file:// is asked for; a control page with one external image proves the net log would
show such a fetch.

Marked ``browser``: it needs root, ``ip netns`` and Chromium, and fails when they are
missing rather than pass unseen; ``-m "not browser"`` or ``REMEDIATOR_SKIP_BROWSER=1``
leaves it out on purpose.
"""

from __future__ import annotations

import os
import re
import struct
from datetime import UTC, datetime
from pathlib import Path

import pytest

from remediator.report.load import load_evidence
from remediator.report.render import write_report
from tests.unit.report.browser import SKIP_ENV, print_pdf, render, unable
from tests.unit.report.runfixture import write_run

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
NOW = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def able() -> None:
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"{SKIP_ENV}=1: browser check skipped on purpose")
    problem = unable()
    if problem:
        pytest.fail(f"browser check cannot run: {problem}; or set {SKIP_ENV}=1", pytrace=False)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_evidence_page_renders_and_fetches_nothing(tmp_path: Path) -> None:
    run = write_run(tmp_path, hostile=True)
    _, html = write_report(load_evidence(run, NOW), tmp_path / "out")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "evidence.png"
    shot.unlink(missing_ok=True)
    rendered = render(html, shot, tmp_path)
    assert png_size(shot) == (1200, 1600)
    assert shot.stat().st_size > 50_000  # a blank page compresses to a few kB
    assert rendered.page_urls == ()
    assert not any("198.51.100.7" in url for url in rendered.urls)


def test_the_net_log_would_show_an_external_fetch(tmp_path: Path) -> None:
    page = tmp_path / "control.html"
    page.write_text('<p>control</p><img src="http://198.51.100.7/canary.png">', "utf-8")
    rendered = render(page, tmp_path / "control.png", tmp_path)
    assert "http://198.51.100.7/canary.png" in rendered.page_urls


def test_evidence_page_prints_each_host_on_its_own_pages(tmp_path: Path) -> None:
    run = write_run(tmp_path)
    _, html = write_report(load_evidence(run, NOW), tmp_path / "out")
    pdf = tmp_path / "evidence.pdf"
    rendered = print_pdf(html, pdf, tmp_path)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    # the summary, then each of the five hosts starts a page (print CSS) and runs to several
    assert pages > 5 + 1
    assert rendered.page_urls == ()
