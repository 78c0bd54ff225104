"""A run record made from real data: the shipped lab scans, their plan and a rescan.

``run.json``, ``plan.json`` and ``findings.json`` are what ``remediator apply`` keeps;
``summary.json`` is an apply's shape with the per-finding change and diff of one host;
``verify.json`` is the comparison with a rescan derived from the same scans (telnet on
legacy closed over IPv4, every port of cache gone as if it were stopped).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import load_inventory
from remediator.ingest.jsonio import SCHEMA as FINDINGS_SCHEMA
from remediator.ingest.jsonio import finding_to_dict
from remediator.verify.compare import compare
from remediator.verify.originals import originals_from_plan
from remediator.verify.store import VERIFY_FILE
from tests.unit.verify.labdata import EXAMPLES, SCANS, derived_rescan, lab_plan

HOSTILE = '<script>alert("x")</script></pre><img src="http://198.51.100.7/x.png" onerror=alert(1)>'
"""Scan text that would run script or fetch from outside if it reached the page as markup."""

TELNET_V4 = "10.213.0.10/tcp/23/port-open"


def write_run(directory: Path, *, hostile: bool = False) -> Path:
    """A complete run record under ``directory``; its path."""
    run = directory / "20261125T101500Z-apply-abc123"
    (run / "snapshots" / "legacy.lab").mkdir(parents=True)
    _dump(run / "snapshots" / "legacy.lab" / "taken.json", {"host": "legacy.lab"})
    plan = lab_plan()
    findings = _findings()
    if hostile:
        _poison(plan, findings)
    _dump(run / "plan.json", plan)
    _dump(run / "findings.json", findings)
    _dump(run / "run.json", _info())
    _dump(run / "summary.json", _summary())
    rescan = derived_rescan(directory, {"10.213.0.10": {("tcp", 23)}, "10.213.0.13": None})
    verification = compare(originals_from_plan(plan, "plan.json"), rescan)
    _dump(run / VERIFY_FILE, verification.to_json())
    return run


def _findings() -> dict[str, Any]:
    inventory = load_inventory(EXAMPLES / "lab-inventory.yml")
    found = load_findings(list(SCANS), inventory=inventory)
    return {
        "schema": FINDINGS_SCHEMA,
        "findings": [finding_to_dict(f, found.inventory_host(f.address)) for f in found.findings],
    }


def _poison(plan: dict[str, Any], findings: dict[str, Any]) -> None:
    """Put hostile text where scan data lands: titles, evidence, reasons."""
    for decision in plan["decisions"]:
        if decision["address"] == "10.213.0.10" and decision["port"] == 23:
            decision["title"] = HOSTILE
            decision["reason"] = HOSTILE
    for finding in findings["findings"]:
        if finding["address"] == "10.213.0.10" and finding["port"] == 23:
            finding["evidence"] = HOSTILE
            finding["title"] = HOSTILE


def _info() -> dict[str, Any]:
    return {
        "schema": "remediator/run/v1",
        "id": "20261125T101500Z-apply-abc123",
        "kind": "apply",
        "created": "2026-11-25T10:15:00+00:00",
        "window": "now+2h",
        "window_closes": "2026-11-25T12:15:00+00:00",
        "approved_by": "ciso@example.com",
        "ticket": "CHG-2001",
    }


def _summary() -> dict[str, Any]:
    return {
        "schema": "remediator/apply/v1",
        "status": "applied",
        "hosts": {
            "legacy.lab": {"host": "legacy.lab", "end": "applied", "batch": 1, "detail": ""},
        },
        "findings": [
            {
                "host": "legacy.lab",
                "problem": "",
                "findings": [
                    {
                        "key": TELNET_V4,
                        "status": "changed",
                        "what": ["disable inetd telnet", "block 23/tcp"],
                        "tasks": [],
                        "diffs": [{"file": "/etc/inetd.conf", "diff": "-telnet stream tcp\n"}],
                        "why": "",
                        "irreversible": False,
                    }
                ],
                "manual": [],
            }
        ],
        "proof": [
            {
                "host": "legacy.lab",
                "key": TELNET_V4,
                "predicted": "would_change",
                "applied": "changed",
                "mismatch": False,
                "before": [
                    {"source": "on_host", "name": "nothing listens on tcp/23", "passed": False,
                     "detail": "listening"},
                    {"source": "suite", "name": "tests/test_legacy_lab.py::test_closed",
                     "passed": False, "detail": "tcp/23 answered"},
                ],
                "after": [
                    {"source": "on_host", "name": "nothing listens on tcp/23", "passed": True,
                     "detail": ""},
                ],
            }
        ],
        "idempotence": {
            "hosts": ["legacy.lab"],
            "would_change": [],
            "unknown": [],
            "status": "successful",
            "idempotent": True,
        },
    }  # fmt: skip


def _dump(path: Path, document: object) -> None:
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")


def hand_edit(path: Path, keys: tuple[str | int, ...], value: object) -> None:
    """Set one nested field of the JSON document at ``path``, as a person with an editor would."""
    document = json.loads(path.read_text("utf-8"))
    inner = document
    for key in keys[:-1]:
        inner = inner[key]
    inner[keys[-1]] = value
    path.write_text(json.dumps(document), encoding="utf-8")
