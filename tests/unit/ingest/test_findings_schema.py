"""The findings document against its shipped schema: what ingest writes validates, reads
back as the same findings, and the shipped findings files validate too."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings

from remediator.cli import main
from remediator.common.documents import schema
from remediator.ingest.findingset import load_findings
from remediator.ingest.jsonio import SCHEMA, check_finding, finding_to_dict
from remediator.ingest.model import Finding
from tests.corpus import REPO
from tests.unit.ingest.test_jsonio import findings

LAB_SCANS = [REPO / "examples" / "scans" / "lab-v4.xml", REPO / "examples" / "scans" / "lab-v6.xml"]


def test_the_schema_version_is_the_one_written() -> None:
    assert schema("findings").version == SCHEMA


@settings(max_examples=50, deadline=None)
@given(findings())
def test_every_finding_the_model_holds_is_written_as_the_schema_allows(finding: Finding) -> None:
    item = finding_to_dict(finding, None)
    check_finding(item, "findings[0]", "f.json")
    assert schema("findings").problem({"schema": SCHEMA, "findings": [item]}) is None


def test_what_ingest_writes_validates_and_reads_back_the_same(tmp_path: Path) -> None:
    out = tmp_path / "findings.json"
    assert main(["ingest", *map(str, LAB_SCANS), "-o", str(out)]) == 0
    document = json.loads(out.read_text("utf-8"))
    assert schema("findings").problem(document) is None
    original = load_findings(LAB_SCANS).findings
    read_back = load_findings([out]).findings
    assert {f.key for f in read_back} == {f.key for f in original}
    assert load_findings([out]) == load_findings([out])


def test_shipped_findings_files_validate() -> None:
    shipped = [REPO / "tests" / "fixtures" / "hostile_scan" / "hostile_findings.json"]
    for path in shipped:
        assert schema("findings").problem(json.loads(path.read_text("utf-8"))) is None, path
