"""The watch's three forms: the JSON document, the HTML page, the summary lines.

The JSON (``remediator/watch/v1``) is written through :mod:`remediator.common.documents`,
checked against its shipped schema on the way out. The HTML is one self-contained file
(inline CSS, no scripts, no fetches, a Content-Security-Policy forbidding them), rendered
by jinja2 with autoescape on, every value through :func:`remediator.common.text.shown`:
banners, titles and evidence are scan text and stay text.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Final

import jinja2
import markupsafe

from remediator.common.documents import document_text, schema, write_document
from remediator.common.files import replace_text
from remediator.common.text import shown
from remediator.watch.model import ALARMS, DOCUMENT, Drift, DriftItem, WatchReport

TEMPLATES: Final = Path(__file__).resolve().parent / "templates"
STDOUT: Final = "-"

MEANINGS: Final = {
    Drift.NEW: "An open port, or a weakness that fails an ASV scan, the accepted state never had.",
    Drift.REOPENED: "Resolved when the run was verified, reported again by this scan.",
    Drift.EXPIRED: "Excepted when the run was verified; the exception has expired since "
    "and the finding is still there.",
    Drift.EXPIRING: "Excepted; the exception ends soon: renew it (approved, dated) or fix "
    "the finding.",
    Drift.STILL_OPEN: "Verify already left it unresolved, and it is still there (known "
    "since verify; no alarm).",
    Drift.NOTED: "New, but neither an open port nor a weakness that fails an ASV scan (no alarm).",
}
HEADINGS: Final = {
    Drift.NEW: "New exposures",
    Drift.REOPENED: "Reopened findings",
    Drift.EXPIRED: "Expired exceptions",
    Drift.EXPIRING: "Exceptions expiring soon",
    Drift.STILL_OPEN: "Still open since verify",
    Drift.NOTED: "Noted, no alarm",
}


def write_json(report: WatchReport, target: str) -> None:
    """The document to ``target`` (``-``: standard output), checked against its schema."""
    document = report.to_json()
    if target == STDOUT:
        schema(DOCUMENT).check(document, "watch (as written)")
        sys.stdout.write(document_text(document))
    else:
        write_document(Path(target), DOCUMENT, document)


def write_html(report: WatchReport, target: Path) -> None:
    """The page to ``target`` (its folder made if needed)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    replace_text(target, render_html(report))


def render_html(report: WatchReport) -> str:
    """The self-contained HTML page of ``report``."""
    sections = [(d, HEADINGS[d], MEANINGS[d], report.of(d)) for d in Drift]
    return (
        _environment()
        .get_template("watch.html.j2")
        .render(r=report, sections=sections, counts=report.counts())
    )


def summary_text(report: WatchReport) -> str:
    """The lines a person reads in a terminal or a mail: counts, then each alarm."""
    counts = report.counts()
    words = ", ".join(f"{counts[d.value]} {d.value}" for d in Drift if d in ALARMS)
    lines = [
        f"watch of run {shown(report.run_id)} on {report.as_of} (exceptions ending within "
        f"{report.expiring_within} days): {words}; {counts[Drift.STILL_OPEN.value]} still "
        f"open since verify, {counts['unchanged']} unchanged, {counts['unjudged']} not judged"
    ]
    lines += [f"  {_line(item)}" for item in report.items if item.alarm]
    for scanned, words in ((True, "no answer from"), (False, "not in the scan:")):
        silent = [s for s in report.silent if s.scanned is scanned]
        if silent:
            named = ", ".join(shown(f"{s.host or '-'} {s.address}") for s in silent[:6])
            more = f", and {len(silent) - 6} more" if len(silent) > 6 else ""
            lines.append(f"  {words} {len(silent)} address(es) of the run: {named}{more}")
    lines.append("nothing to report" if report.clean else f"{len(report.alarms)} to look at")
    return "\n".join(lines) + "\n"


def _line(item: DriftItem) -> str:
    host = shown(item.host) if item.host else "(not in the inventory)"
    return (
        f"{item.drift.value:9} {host} {shown(item.address)} {item.protocol}/{item.port} "
        f"{shown(item.kind)}: {shown(item.reason)}"
    )


def _environment() -> jinja2.Environment:
    """autoescape on for every template, undefined is an error, text shown safely."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        finalize=_visible,
    )


def _visible(value: object) -> object:
    """Text values with control, bidi and zero-width characters shown as escapes."""
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return shown(value, keep="\n\t")
    return value
