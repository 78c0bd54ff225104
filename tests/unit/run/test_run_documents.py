"""run.json, dry-run.json and summary.json: each round-trips through its schema, and a
hand-edited one with a wrong field is refused naming the file, the JSON path and the version."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from remediator.common.documents import DocumentError, schema
from remediator.errors import InputError
from remediator.run.ansible.events import Diff
from remediator.run.apply.postcheck import Check
from remediator.run.apply.rollback import Restore, RestoreResult
from remediator.run.preview.dryrun import RECORD, DryRun, load_dry_run, write_dry_run
from remediator.run.preview.verdicts import FindingPreview, HostPreview, Status
from remediator.run.records.approval import Approval
from remediator.run.records.outcome import (
    SUMMARY,
    ApplyReport,
    HostEnd,
    HostEnding,
    HostResult,
    note_rollback,
    read_summary,
    summary_document,
)
from remediator.run.records.record import RUN_FILE, ApplyTerms, RunInfo, RunRecord
from tests.unit.report.runfixture import hand_edit

RUN_ID = "20261125T100000Z-apply-abcdef"
TELNET = "10.213.0.10/tcp/23/nmap:telnet"

TERMS = ApplyTerms(
    window="now+2h",
    window_closes="2026-11-25T12:00:00+00:00",
    approval=Approval("alice", "CHG-42", waived=False),
    batch=(1, "50%"),
    max_fail_percent=0,
    scan_warning=None,
)

PREVIEW = HostPreview(
    "legacy.lab",
    (
        FindingPreview(
            TELNET,
            Status.WOULD_CHANGE,
            ("disable inetd telnet",),
            ("remediate_telnet : disable",),
            (Diff("/etc/inetd.conf", "-telnet stream tcp\n"),),
            "",
            irreversible=False,
        ),
        FindingPreview("10.213.0.10/tcp/21/nmap:ftp", Status.UNKNOWN, (), why="unreachable"),
    ),
    manual=(("10.213.0.10/tcp/443/ssl-cert", "replace the certificate"),),
    problem="",
)


def info(kind: str = "apply", terms: ApplyTerms | None = TERMS) -> RunInfo:
    return RunInfo(
        id=RUN_ID,
        kind=kind,
        created="2026-11-25T10:00:00+00:00",
        project="/srv/project",
        inventory="/srv/inventory.yml",
        network_namespace=None,
        limit="legacy.lab",
        manifest_sha256="a" * 64,
        plan_sha256="b" * 64,
        plan_file="/srv/plan.json",
        findings_file=None,
        terms=terms,
    )


def dry_run() -> DryRun:
    return DryRun(
        "20261125T095000Z-dry-run-123456",
        "2026-11-25T09:50:00+00:00",
        "/srv/project",
        "/srv/inventory.yml",
        None,
        12.5,
        "a" * 64,
        "b" * 64,
        {"playbooks/remediate.yml": "c" * 64},
        (PREVIEW,),
    )


@pytest.mark.parametrize("run_info", [info(), info("dry-run", None)], ids=["apply", "dry-run"])
def test_run_info_round_trips(tmp_path: Path, run_info: RunInfo) -> None:
    record = RunRecord(tmp_path, RUN_ID)
    written = record.write_info(run_info)
    assert schema("run").problem(json.loads(written.read_text("utf-8"))) is None
    assert record.info() == run_info


def test_run_info_keeps_the_keys_it_always_wrote(tmp_path: Path) -> None:
    record = RunRecord(tmp_path, RUN_ID)
    record.write_info(info())
    document = json.loads((tmp_path / RUN_FILE).read_text("utf-8"))
    assert list(document) == sorted(document)  # key-sorted, as before
    assert document["schema"] == "remediator/run/v1"
    assert document["batch"] == [1, "50%"] and document["approved_by"] == "alice"
    assert document["ticket"] == "CHG-42"  # approval now needs a ticket (issue 17)
    assert document["approval"] == {"approved_by": "alice", "ticket": "CHG-42", "waived": False}
    record.write_info(info("dry-run", None))
    assert "window" not in json.loads((tmp_path / RUN_FILE).read_text("utf-8"))


def test_a_waived_approval_round_trips_and_says_so(tmp_path: Path) -> None:
    record = RunRecord(tmp_path, RUN_ID)
    waived = dataclasses.replace(TERMS, approval=Approval(None, None, waived=True))
    record.write_info(info(terms=waived))
    document = json.loads((tmp_path / RUN_FILE).read_text("utf-8"))
    assert document["approval"] == {"approved_by": None, "ticket": None, "waived": True}
    assert (document["approved_by"], document["ticket"]) == (None, None)
    assert record.info().terms == waived


@pytest.mark.parametrize(
    "approval",
    [
        {"approved_by": "alice", "ticket": None, "waived": True},
        {"approved_by": "alice", "ticket": None, "waived": False},
        {"approved_by": " ", "ticket": "CHG-1", "waived": False},
        {"approved_by": "alice", "ticket": "CHG-1\nforged line", "waived": False},
        {"approved_by": "a" * 201, "ticket": "CHG-1", "waived": False},
        {"approved_by": "alice", "ticket": "CHG-1"},
    ],
    ids=["waived-with-approver", "no-ticket", "blank", "two-lines", "too-long", "no-waived"],
)
def test_a_hand_edited_approval_is_refused(tmp_path: Path, approval: dict[str, object]) -> None:
    record = RunRecord(tmp_path, RUN_ID)
    record.write_info(info())
    hand_edit(tmp_path / RUN_FILE, ("approval",), approval)
    with pytest.raises(DocumentError, match=r"\$\.approval.*\(schema remediator/run/v1\)"):
        record.info()


@pytest.mark.parametrize(
    ("flat", "approval"),
    [
        ({"approved_by": "alice", "ticket": None}, Approval("alice", None, waived=False)),
        ({"approved_by": None, "ticket": None}, None),
        ({}, None),
    ],
    ids=["free-text", "nulls", "absent"],
)
def test_a_record_from_before_approval_was_required_still_reads(
    tmp_path: Path, flat: dict[str, object], approval: Approval | None
) -> None:
    """Older run.json documents hold only the free-text keys, or none: read, never a waiver."""
    old = {"schema": "remediator/run/v1", "id": RUN_ID, "kind": "apply", "window": "now+2h"}
    (tmp_path / RUN_FILE).write_text(json.dumps({**old, **flat}), encoding="utf-8")
    terms = RunRecord(tmp_path, RUN_ID).info().terms
    assert terms is not None and terms.approval == approval


def test_a_hand_edited_run_record_names_file_path_and_version(tmp_path: Path) -> None:
    record = RunRecord(tmp_path, RUN_ID)
    record.write_info(info())
    hand_edit(tmp_path / RUN_FILE, ("inventory",), ["a", "b"])
    with pytest.raises(DocumentError) as caught:
        record.info()
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / RUN_FILE}: $.inventory: ")
    assert message.endswith("(schema remediator/run/v1)")
    hand_edit(tmp_path / RUN_FILE, ("inventory",), "/srv/inventory.yml")
    hand_edit(tmp_path / RUN_FILE, ("kind",), "deploy")
    with pytest.raises(DocumentError, match=r"run\.json: \$\.kind: .*\(schema remediator/run/v1\)"):
        record.info()


def test_a_run_record_missing_its_project_is_a_clear_error(tmp_path: Path) -> None:
    bare = RunInfo(RUN_ID, "apply")
    with pytest.raises(InputError, match="names no project and inventory"):
        bare.ran_against(tmp_path / RUN_FILE)
    assert info().ran_against(tmp_path) == (Path("/srv/project"), Path("/srv/inventory.yml"))


def test_dry_run_round_trips(tmp_path: Path) -> None:
    record = RunRecord(tmp_path, "20261125T095000Z-dry-run-123456")
    write_dry_run(tmp_path / RECORD, dry_run())
    written = json.loads((tmp_path / RECORD).read_text("utf-8"))
    assert schema("dry-run").problem(written) is None
    assert written["totals"] == {"would_change": 1, "compliant": 0, "unknown": 1}
    assert load_dry_run(record) == dry_run()


def test_a_hand_edited_dry_run_names_file_path_and_version(tmp_path: Path) -> None:
    record = RunRecord(tmp_path, "20261125T095000Z-dry-run-123456")
    write_dry_run(tmp_path / RECORD, dry_run())
    hand_edit(tmp_path / RECORD, ("hosts",), [{"host": "x", "findings": [{"key": "k"}]}])
    with pytest.raises(
        DocumentError,
        match=r"dry-run\.json: \$\.hosts\[0\]\.findings\[0\]: 'status' is required "
        r"\(schema remediator/dry-run/v1\)",
    ):
        load_dry_run(record)


def apply_report(record: RunRecord) -> ApplyReport:
    report = ApplyReport(record, dry_run(), TERMS.to_json())
    check = Check("legacy.lab", "ping", "ansible reaches the host", passed=True)
    report.hosts["legacy.lab"] = HostResult("legacy.lab", HostEnd.APPLIED, 1, "", (check,))
    report.hosts["web.lab"] = HostResult("web.lab", HostEnd.NOT_STARTED, 2, "window closed")
    report.add_batch(1, ["legacy.lab"], 30.04, "applied")
    report.add_batch(2, ["web.lab"], 0.0, "not_started")
    report.changed.add(("legacy.lab", TELNET))
    report.findings["legacy.lab"] = PREVIEW
    report.stopped = "batch 2/2 not started: the window closes"
    return report


def test_summary_round_trips(tmp_path: Path) -> None:
    record = RunRecord(tmp_path, RUN_ID)
    report = apply_report(record)
    report.finish()
    document = json.loads((tmp_path / SUMMARY).read_text("utf-8"))
    assert schema("summary").problem(document) is None
    assert document == {**report.to_json(), "updated": document["updated"]}
    summary = read_summary(tmp_path)
    assert summary is not None
    assert (summary.run, summary.status, summary.stopped) == (RUN_ID, "stopped", report.stopped)
    assert summary.terms == TERMS and summary.dry_run == dry_run().run_id
    assert summary.hosts == {
        "legacy.lab": HostEnding("legacy.lab", "applied", 1, ""),
        "web.lab": HostEnding("web.lab", "not_started", 2, "window closed"),
    }
    assert summary.changed == {("legacy.lab", TELNET)}
    assert summary.findings == (PREVIEW,)
    assert read_summary(tmp_path / "elsewhere") is None


def test_a_rollback_keeps_the_summary_valid(tmp_path: Path) -> None:
    record = RunRecord(tmp_path, RUN_ID)
    apply_report(record).finish()
    before = json.loads((tmp_path / SUMMARY).read_text("utf-8"))
    results = {
        "legacy.lab": RestoreResult("legacy.lab", Restore.RESTORED, "restored 3 files"),
        "mail.lab": RestoreResult("mail.lab", Restore.UNREACHABLE, "timed out"),
    }
    note_rollback(record, summary_document(record), results, "rollback-x")
    after = json.loads((tmp_path / SUMMARY).read_text("utf-8"))
    assert {k: v for k, v in after.items() if k != "hosts"} == {
        k: v for k, v in before.items() if k != "hosts"
    }
    assert after["hosts"]["legacy.lab"]["end"] == "rolled_back"
    assert after["hosts"]["mail.lab"] == {
        "host": "mail.lab",
        "detail": "rollback-x: unreachable (timed out)",
    }
    summary = read_summary(tmp_path)
    assert summary is not None and summary.hosts["mail.lab"].end is None


def test_a_rollback_of_a_run_without_a_summary_starts_one(tmp_path: Path) -> None:
    record = RunRecord(tmp_path, RUN_ID)
    results = {"web.lab": RestoreResult("web.lab", Restore.RESTORED, "ok")}
    note_rollback(record, summary_document(record), results, "rollback-y")
    assert json.loads((tmp_path / SUMMARY).read_text("utf-8")) == {
        "hosts": {
            "web.lab": {
                "host": "web.lab",
                "end": "rolled_back",
                "detail": "rollback-y: restored (ok)",
            }
        }
    }


def test_a_hand_edited_summary_names_file_path_and_version(tmp_path: Path) -> None:
    apply_report(RunRecord(tmp_path, RUN_ID)).finish()
    hand_edit(tmp_path / SUMMARY, ("hosts", "web.lab", "end"), "done")
    with pytest.raises(
        DocumentError,
        match=r"summary\.json: \$\.hosts\['web\.lab'\]\.end: .*\(schema remediator/apply/v1\)",
    ):
        read_summary(tmp_path)
