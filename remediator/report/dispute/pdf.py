"""HTML to PDF with WeasyPrint, offline.

The dispute page is self-contained (inline CSS, no images, no fonts to download), so the
PDF never needs the network or the file system. :class:`RefusingFetcher` makes that a
rule rather than a hope: every URL WeasyPrint would fetch (an ``<img>``, a stylesheet, a
font, ``file://`` as much as ``http://``) is refused and recorded, so even markup that
slipped past escaping could not reach out or read a local file into the PDF.
"""

from __future__ import annotations

import weasyprint
from weasyprint.urls import URLFetcher


class FetchRefusedError(OSError):
    """WeasyPrint asked for a URL; dispute pages fetch nothing."""


class RefusingFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no types
    """A WeasyPrint URL fetcher that refuses every URL and keeps the list of what it refused."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: object = None) -> object:
        """Refuse ``url`` (WeasyPrint logs it and renders without the resource)."""
        self.refused.append(url)
        raise FetchRefusedError(f"dispute pages fetch nothing: {url}")


def pdf_of(html: str, fetcher: RefusingFetcher | None = None) -> bytes:
    """The PDF of one self-contained HTML page, printed for A4 (``@page`` in its CSS)."""
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher or RefusingFetcher())
    pdf = document.write_pdf()
    assert isinstance(pdf, bytes)  # noqa: S101 - write_pdf without a target returns the bytes
    return pdf
