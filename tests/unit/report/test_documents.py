"""evidence.json round-trips through its schema; the report reads run.json, summary.json
and verify.json only through their document modules, so a hand-edited one is refused
naming the file, the JSON path and the schema version."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from remediator.common.documents import DocumentError, schema
from remediator.report.load import load_evidence
from remediator.report.render import JSON, read_evidence, write_report

from .runfixture import hand_edit, write_run

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_evidence_round_trips(tmp_path: Path) -> None:
    evidence = load_evidence(write_run(tmp_path, hostile=True), NOW)
    json_path, _ = write_report(evidence, tmp_path / "out")
    assert json_path == tmp_path / "out" / JSON
    document = json.loads(json_path.read_text("utf-8"))
    assert schema("evidence").problem(document) is None
    assert read_evidence(json_path) == document == evidence.to_json()
    assert list(document)[:2] == ["schema", "generated"]  # the writer's order, not sorted


def test_a_run_without_a_summary_reports_nothing_applied(tmp_path: Path) -> None:
    run = write_run(tmp_path)
    (run / "summary.json").unlink()
    evidence = load_evidence(run, NOW)
    assert {h.end for h in evidence.hosts} == {"not applied"}
    assert evidence.run.status == "" and evidence.run.ticket == "CHG-2001"


@pytest.mark.parametrize(
    ("name", "keys", "value", "problem"),
    [
        ("run.json", ("kind",), 7, r"\$\.kind: .*\(schema remediator/run/v1\)"),
        (
            "run.json",
            ("colour",),
            "red",
            r"\$: unexpected key 'colour' \(schema remediator/run/v1\)",
        ),
        (
            "summary.json",
            ("hosts", "legacy.lab", "batch"),
            "1",
            r"\$\.hosts\['legacy\.lab'\]\.batch",
        ),
        ("verify.json", ("new",), {}, r"\$\.new: .*\(schema remediator/verify/v1\)"),
    ],
)
def test_a_hand_edited_record_is_refused_by_the_report(
    tmp_path: Path, name: str, keys: tuple[str, ...], value: object, problem: str
) -> None:
    run = write_run(tmp_path)
    hand_edit(run / name, keys, value)
    with pytest.raises(DocumentError) as caught:
        load_evidence(run, NOW)
    assert str(caught.value).startswith(f"{run / name}: ")
    assert re.search(problem, str(caught.value))
