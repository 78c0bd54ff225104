"""The plan document against its shipped schema: every plan written validates, reads back
the same, and a hand-edited plan with a wrong field is one line naming file, path, version."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from remediator.classify.plan import build_plan
from remediator.classify.plan_document import (
    SCHEMA,
    from_plan,
    load_plan,
    parse_plan,
    plan_from_document,
    plan_text,
)
from remediator.classify.policy.read import load_policy
from remediator.common.documents import DocumentError, schema
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import load_inventory
from tests.unit.generate.helpers import (
    AS_OF,
    HOSTILE_SCANS,
    LAB_INVENTORY,
    LAB_POLICY,
    golden_plan_bytes,
)
from tests.unit.verify.labdata import lab_plan


@pytest.fixture(scope="module")
def lab_document() -> dict[str, Any]:
    return lab_plan()


def test_the_schema_version_is_the_one_written(lab_document: dict[str, Any]) -> None:
    assert schema("plan").version == SCHEMA == lab_document["schema"]


def test_written_plans_validate(lab_document: dict[str, Any]) -> None:
    assert schema("plan").problem(lab_document) is None
    assert schema("plan").problem(json.loads(golden_plan_bytes())) is None


def test_read_of_written_is_the_same_plan(lab_document: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(plan_text(lab_document), encoding="utf-8")
    from_file = load_plan(path)
    assert from_file == parse_plan(path.read_bytes(), str(path))
    assert plan_from_document(lab_document, "plan", from_file.sha256) == from_file
    assert len(from_file.decisions) == len(lab_document["decisions"])


def test_an_in_memory_plan_reads_like_its_file() -> None:
    inventory = load_inventory(LAB_INVENTORY)
    findings = load_findings(list(HOSTILE_SCANS), inventory=inventory)
    plan = build_plan(findings, load_policy(LAB_POLICY, inventory), inventory, AS_OF)
    text = plan.dumps()
    assert schema("plan").problem(json.loads(text)) is None
    assert from_plan(plan) == parse_plan(text.encode("utf-8"), "plan")


Edit = Callable[[dict[str, Any]], object]

HAND_EDITS: list[tuple[str, Edit, str]] = [
    (
        "wrong type",
        lambda d: d["decisions"][0].update(port="22"),
        r"\$\.decisions\[0\]\.port: expected an integer",
    ),
    (
        "unknown key",
        lambda d: d["decisions"][1].update(colour="red"),
        r"\$\.decisions\[1\]: unexpected key 'colour'",
    ),
    (
        "missing required",
        lambda d: d["decisions"][2].pop("verdict"),
        r"\$\.decisions\[2\]\.verdict: is missing",
    ),
    (
        "wrong schema const",
        lambda d: d.update(schema="remediator/plan/v2"),
        r"\$\.schema: expected 'remediator/plan/v1'",
    ),
    (
        "unknown key in an action",
        lambda d: next(a for x in d["decisions"] for a in x["actions"]).update(force=True),
        r"\$\.decisions\[\d+\]\.actions\[0\]: unexpected key 'force'",
    ),
    (
        "not an IP address",
        lambda d: next(iter(d["hosts"].values()))["addresses"].append("web1"),
        r"\$\.hosts\.[^:]+\.addresses\[\d\]: 'web1' is not an IP address",
    ),
]


@pytest.mark.parametrize(("edit", "message"), [(e, m) for _, e, m in HAND_EDITS])
def test_a_hand_edited_plan_fails_in_one_line_naming_file_path_and_version(
    lab_document: dict[str, Any], tmp_path: Path, edit: Edit, message: str
) -> None:
    document = json.loads(json.dumps(lab_document))
    edit(document)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    with pytest.raises(DocumentError, match=message) as caught:
        load_plan(path)
    text = str(caught.value)
    assert text.startswith(f"{path}: $.")
    assert text.endswith(f"(schema {SCHEMA})")
    assert "\n" not in text


def test_the_writer_refuses_a_plan_its_readers_would(lab_document: dict[str, Any]) -> None:
    document = json.loads(json.dumps(lab_document))
    document["decisions"][0]["port"] = -1
    with pytest.raises(DocumentError, match=r"plan \(as written\): \$\.decisions\[0\]\.port"):
        plan_text(document)
