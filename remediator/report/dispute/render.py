"""Write the dispute pages (HTML and PDF) and their index into the evidence bundle.

Pages go to ``<bundle>/dispute/``: ``<stem>.html`` and ``<stem>.pdf`` per case and an
``index.html`` listing them; the bundle's manifest then covers them like every other
file. The HTML is rendered by the report's own jinja2 environment (autoescape on, every
value through :func:`remediator.common.text.shown`), so a banner, a title or script
output stays text in the HTML and in the PDF printed from it. Writing replaces the
``.html`` and ``.pdf`` files an earlier report left in ``dispute/``: a page of a finding
that is no longer disputable must not stay in the bundle looking current.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from remediator.common.files import replace_file, replace_text
from remediator.errors import InputError
from remediator.report.dispute.model import DisputeCase, DisputePackage
from remediator.report.dispute.pdf import pdf_of
from remediator.report.render import environment

DIRECTORY: Final = "dispute"
"""The bundle's folder of dispute pages."""
INDEX: Final = "index.html"
PAGE_TEMPLATE: Final = "dispute.html.j2"
INDEX_TEMPLATE: Final = "dispute-index.html.j2"
PAGE_SUFFIXES: Final = (".html", ".pdf")


def render_page(package: DisputePackage, case: DisputeCase) -> str:
    """The HTML of one case's page (also the source of its PDF)."""
    return environment().get_template(PAGE_TEMPLATE).render(p=package, c=case)


def render_index(package: DisputePackage) -> str:
    """The HTML of the list of pages."""
    return environment().get_template(INDEX_TEMPLATE).render(p=package)


def write_package(package: DisputePackage, bundle: Path) -> tuple[Path, ...]:
    """Write every page (HTML and PDF) and the index; the paths written (none when the run
    has no disputable finding: then no ``dispute/`` folder is made)."""
    clear_pages(bundle)
    directory = bundle / DIRECTORY
    if not package.cases:
        return ()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{directory}: cannot create the folder: {exc.strerror}") from None
    written: list[Path] = []
    for case in package.cases:
        html = render_page(package, case)
        page = directory / f"{case.stem}.html"
        replace_text(page, html)
        pdf = directory / f"{case.stem}.pdf"
        replace_file(pdf, pdf_of(html))
        written += [page, pdf]
    index = directory / INDEX
    replace_text(index, render_index(package))
    return (*written, index)


def clear_pages(bundle: Path) -> None:
    """Remove the pages an earlier report wrote into ``bundle`` (regular ``.html``/``.pdf``
    files of ``dispute/`` only; the folder too once empty)."""
    directory = bundle / DIRECTORY
    if directory.is_symlink() or (directory.exists() and not directory.is_dir()):
        raise InputError(f"{directory}: not a folder; refusing to write dispute pages there")
    if not directory.is_dir():
        return
    for path in directory.iterdir():
        if path.suffix in PAGE_SUFFIXES and path.is_file() and not path.is_symlink():
            path.unlink()
    if not any(directory.iterdir()):
        directory.rmdir()
