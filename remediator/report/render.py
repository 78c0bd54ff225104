"""Write ``evidence.json`` and ``evidence.html`` from one :class:`Evidence`.

The HTML is one self-contained file (inline CSS, no scripts, no external fetches, a
Content-Security-Policy that forbids them anyway), rendered by jinja2 with autoescape on:
banners, hostnames and script output in scan data are hostile and must stay text. Every
value printed also goes through :func:`remediator.common.text.shown` (newlines and tabs
kept for multi-line evidence), so bidi overrides and zero-width characters show as
escapes instead of reordering or hiding what an auditor reads.

``evidence.json`` is a schema-checked document (``remediator/evidence/v1``), written
here by :func:`write_evidence` and read back by :func:`read_evidence` (for tools that
take the evidence further).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Final

import jinja2
import markupsafe

from remediator.common.documents import read_document, write_document
from remediator.common.files import replace_text
from remediator.common.text import shown
from remediator.errors import InputError
from remediator.report.model import Evidence
from remediator.verify.model import State

TEMPLATES: Final = Path(__file__).resolve().parent / "templates"
HTML: Final = "evidence.html"
JSON: Final = "evidence.json"
DOCUMENT: Final = "evidence"
"""The name of ``evidence.json``'s shipped schema."""

STATE_MEANINGS: Final = (
    (State.RESOLVED.value, "Fixed, and the fix was confirmed by the rescan or the host tests."),
    (
        State.KEPT.value,
        "Allowed by the policy and still answering, as intended: left as it is on purpose.",
    ),
    (
        State.OPEN.value,
        "Should be gone and is not: a fix that did not hold, an allowed service that broke, "
        "or a finding whose policy exception expired.",
    ),
    (State.NEW.value, "Seen by the rescan but not by the original scan."),
    (State.EXCEPTED.value, "Left as it is on purpose under a dated, approved policy exception."),
    (State.MANUAL.value, "Needs a person: a patch, a certificate, a replacement."),
    (
        State.PENDING_REBOOT.value,
        "Changed on a Windows host, in effect after its next reboot (the run never reboots).",
    ),
    (State.UNKNOWN.value, "Could not be judged: the host did not answer, or nothing checked it."),
)


def anchor(key: str) -> str:
    """A short HTML id for a finding key (keys hold characters ids should not)."""
    return "f-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def environment() -> jinja2.Environment:
    """The jinja2 environment: autoescape on for every template, undefined is an error."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        finalize=_visible,
    )
    env.filters["anchor"] = anchor
    return env


def _visible(value: object) -> object:
    """Text values with their control, bidi and zero-width characters shown as escapes."""
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return shown(value, keep="\n\t")
    return value


def render_html(evidence: Evidence) -> str:
    """The HTML page of ``evidence``."""
    template = environment().get_template("evidence.html.j2")
    return template.render(e=evidence, states=STATE_MEANINGS, counts=evidence.verification.counts())


def write_report(evidence: Evidence, directory: Path) -> tuple[Path, Path]:
    """Write both files into ``directory`` (created if needed); their paths."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{directory}: cannot create the folder: {exc.strerror}") from None
    json_path = write_evidence(directory / JSON, evidence)
    html_path = directory / HTML
    replace_text(html_path, render_html(evidence))
    return json_path, html_path


def write_evidence(path: Path, evidence: Evidence) -> Path:
    """Write ``evidence.json``; refused (a bug) unless it matches its schema."""
    write_document(path, DOCUMENT, evidence.to_json())
    return path


def read_evidence(path: Path) -> dict[str, Any]:
    """An ``evidence.json``, checked against its schema.

    The evidence is the end of the line: nothing in remediator reads it back into an
    :class:`Evidence` (its findings no longer carry every field of the plan's decisions),
    so the checked document is what a tool gets.
    """
    return read_document(path, DOCUMENT)
