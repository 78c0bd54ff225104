"""Write ``evidence.json`` and ``evidence.html`` from one :class:`Evidence`.

The HTML is one self-contained file (inline CSS, no scripts, no external fetches, a
Content-Security-Policy that forbids them anyway), rendered by jinja2 with autoescape on:
banners, hostnames and script output in scan data are hostile and must stay text. Every
value printed also goes through :func:`remediator.common.text.shown` (newlines and tabs
kept for multi-line evidence), so bidi overrides and zero-width characters show as
escapes instead of reordering or hiding what an auditor reads.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Final

import jinja2
import markupsafe

from remediator.common.files import replace_text
from remediator.common.text import shown
from remediator.errors import InputError
from remediator.report.evidence import Evidence
from remediator.verify.model import State

TEMPLATES: Final = Path(__file__).resolve().parent / "templates"
HTML: Final = "evidence.html"
JSON: Final = "evidence.json"

STATE_MEANINGS: Final = (
    (State.RESOLVED.value, "Fixed, and the fix was confirmed by the rescan or the host tests."),
    (State.OPEN.value, "Still present (for allowed services: still answering, as intended)."),
    (State.NEW.value, "Seen by the rescan but not by the original scan."),
    (State.EXCEPTED.value, "Left as it is on purpose under a dated, approved policy exception."),
    (State.MANUAL.value, "Needs a person: a patch, a certificate, a replacement."),
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


def render_json(evidence: Evidence) -> str:
    """The JSON document of ``evidence``."""
    return json.dumps(evidence.to_json(), indent=2, ensure_ascii=False) + "\n"


def write_report(evidence: Evidence, directory: Path) -> tuple[Path, Path]:
    """Write both files into ``directory`` (created if needed); their paths."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{directory}: cannot create the folder: {exc.strerror}") from None
    written = []
    for name, text in ((JSON, render_json(evidence)), (HTML, render_html(evidence))):
        target = directory / name
        replace_text(target, text)
        written.append(target)
    return written[0], written[1]
