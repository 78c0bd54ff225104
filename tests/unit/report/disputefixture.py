"""A run record whose disputable findings carry hostile scan text.

The report's own fixture poisons the telnet finding, which the run fixes (no dispute
page). Here the excepted certificate on clean.lab (IPv4) and the manual certificate on
web.lab 8443/tcp (IPv4) get scan text that would run script, fetch from outside, be
evaluated as a template or climb out of a folder if any of it reached markup, jinja or
a path: in the title, the scanner's output, the check id (kept consistent across the
plan, the findings and verify.json, as a scanner would report it) and the exception's
justification.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.unit.report.runfixture import HOSTILE, write_run

TEMPLATE = "{{ 7 * 7 }}{% include 'evidence.html.j2' %}"
CLIMB = "../../../../tmp/dispute-pwned/x"
HOSTILE_ID = f"{CLIMB}<script>{TEMPLATE}"
HOSTILE_TITLE = f"{HOSTILE} {TEMPLATE} {CLIMB}"
EXCEPTED = ("10.213.0.14", 443)
MANUAL = ("10.213.0.11", 8443)
CERT = "nmap:ssl-cert"


def write_hostile_run(directory: Path) -> Path:
    """:func:`write_run` with the two disputable findings poisoned; the run's path."""
    run = write_run(directory)
    plan = _load(run / "plan.json")
    for decision in plan["decisions"]:
        if _poisoned(decision):
            decision["check_id"] = HOSTILE_ID
            decision["title"] = HOSTILE_TITLE
            if decision["exception"] is not None:
                decision["exception"]["justification"] = HOSTILE_TITLE
    _dump(run / "plan.json", plan)
    findings = _load(run / "findings.json")
    for finding in findings["findings"]:
        if _poisoned(finding):
            finding["check_id"] = HOSTILE_ID
            finding["title"] = HOSTILE_TITLE
            finding["evidence"] = f"{HOSTILE}\n{TEMPLATE}\n{CLIMB}"
    _dump(run / "findings.json", findings)
    verification = _load(run / "verify.json")
    for outcome in verification["outcomes"]:
        if _poisoned(outcome):
            outcome["check_id"] = HOSTILE_ID
    _dump(run / "verify.json", verification)
    return run


def _poisoned(record: dict[str, Any]) -> bool:
    at = (record["address"], record["port"])
    return at in (EXCEPTED, MANUAL) and record["check_id"] == CERT


def _load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return document


def _dump(path: Path, document: object) -> None:
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
