"""The evidence bundle is tamper-evident: a manifest of sha256 digests, chained run to run.

Without a manifest an evidence.html edited after the fact reads like the real one; these
tests write a real run's bundle through ``remediator report``, then alter it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from remediator.cli import main
from remediator.common.documents import read_document
from tests.unit.report.runfixture import hand_edit, write_run

SECOND = "20261126T101500Z-apply-def456"


def report(run: Path, out: Path) -> None:
    """The bundle without its dispute pages: these tests are about the manifest's mechanics
    (test_dispute_cli.py shows the pages listed in it), and printing PDFs takes seconds."""
    assert main(["report", str(run), "-o", str(out), "--no-dispute"]) == 0


def verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(["report", "--verify", *args])
    return code, capsys.readouterr().out.strip().splitlines()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    out = tmp_path / "evidence"
    report(write_run(tmp_path / "runs"), out)
    return out


def second_run(runs: Path) -> Path:
    """A copy of the first run under a later id, as the next apply would be."""
    run = shutil.copytree(runs / "20261125T101500Z-apply-abc123", runs / SECOND)
    (run / "evidence-manifest.json").unlink()
    hand_edit(run / "run.json", ("id",), SECOND)
    return run


def test_a_written_bundle_verifies(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = read_document(bundle / "manifest.json", "manifest")
    assert manifest["schema"] == "remediator/manifest/v1"
    assert manifest["run"] == "20261125T101500Z-apply-abc123"
    assert manifest["previous"] is None
    assert manifest["files"] == {
        "evidence.html": sha256(bundle / "evidence.html"),
        "evidence.json": sha256(bundle / "evidence.json"),
    }
    run_copy = bundle.parent / "runs" / "20261125T101500Z-apply-abc123" / "evidence-manifest.json"
    assert run_copy.read_bytes() == (bundle / "manifest.json").read_bytes()
    evidence = json.loads((bundle / "evidence.json").read_text("utf-8"))
    assert evidence["run"]["previous_manifest"] is None
    assert verify(capsys, str(bundle)) == (0, ["intact: 2 files"])


def test_one_changed_byte_is_named(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = bundle / "evidence.html"
    data = bytearray(page.read_bytes())
    data[100] ^= 1
    page.write_bytes(bytes(data))
    code, lines = verify(capsys, str(bundle))
    assert code == 1 and len(lines) == 1 and str(page) in lines[0] and "altered" in lines[0]


def test_a_missing_file_is_named(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (bundle / "evidence.json").unlink()
    code, lines = verify(capsys, str(bundle))
    assert code == 1 and len(lines) == 1 and "missing" in lines[0]
    assert str(bundle / "evidence.json") in lines[0]


def test_an_extra_file_is_named(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extra = bundle / "sub" / "waiver.html"
    extra.parent.mkdir()
    extra.write_text("<p>approved</p>")
    code, lines = verify(capsys, str(bundle))
    assert code == 1 and len(lines) == 1 and str(extra) in lines[0]


def test_a_manifest_that_fails_its_schema_is_named(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hand_edit(bundle / "manifest.json", ("files", "../outside"), "0" * 64)
    code, lines = verify(capsys, str(bundle))
    assert code == 1 and len(lines) == 1
    assert str(bundle / "manifest.json") in lines[0] and "remediator/manifest/v1" in lines[0]


def test_runs_chain_and_an_edited_link_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = tmp_path / "runs"
    first = write_run(runs)
    report(first, tmp_path / "q1")
    second = second_run(runs)
    report(second, tmp_path / "q2")
    link = first / "evidence-manifest.json"
    manifest = read_document(tmp_path / "q2" / "manifest.json", "manifest")
    assert manifest["previous"] == sha256(link)
    evidence = json.loads((tmp_path / "q2" / "evidence.json").read_text("utf-8"))
    assert evidence["run"]["previous_manifest"] == sha256(link)
    code, lines = verify(capsys, str(tmp_path / "q2"), "--runs-dir", str(runs))
    assert (code, lines) == (0, ["intact: 2 files, run record of 6 files, chain of 2 runs"])

    hand_edit(link, ("files", "evidence.html"), "0" * 64)
    code, lines = verify(capsys, str(tmp_path / "q2"), "--runs-dir", str(runs))
    assert code == 1 and len(lines) == 1 and str(link) in lines[0]
    assert verify(capsys, str(tmp_path / "q2")) == (0, ["intact: 2 files"])


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert main(["report"]) == 2
    assert main(["report", "some-run"]) == 2
    assert main(["report", "some-run", "--verify", str(tmp_path)]) == 2
    assert main(["report", "--verify", str(tmp_path / "absent")]) == 2


def test_a_recomputed_manifest_is_caught_only_by_the_chain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = tmp_path / "runs"
    bundle = tmp_path / "q1"
    report(write_run(runs), bundle)
    page = bundle / "evidence.html"
    page.write_text(page.read_text("utf-8").replace("resolved", "RESOLVED", 1), "utf-8")
    hand_edit(bundle / "manifest.json", ("files", "evidence.html"), sha256(page))
    assert verify(capsys, str(bundle)) == (0, ["intact: 2 files"])
    code, lines = verify(capsys, str(bundle), "--runs-dir", str(runs))
    assert code == 1 and len(lines) == 1 and str(bundle / "manifest.json") in lines[0]


RUN_ID = "20261125T101500Z-apply-abc123"


def test_the_manifest_lists_the_run_record(
    tmp_path: Path, bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "runs" / RUN_ID
    record = read_document(bundle / "manifest.json", "manifest")["record"]
    assert record == {
        name: sha256(run / name)
        for name in (
            "findings.json",
            "plan.json",
            "run.json",
            "snapshots/legacy.lab/taken.json",
            "summary.json",
            "verify.json",
        )
    }
    code, lines = verify(capsys, str(bundle), "--runs-dir", str(tmp_path / "runs"))
    assert (code, lines) == (0, ["intact: 2 files, run record of 6 files, chain of 1 runs"])


@pytest.mark.parametrize("name", ["verify.json", "snapshots/legacy.lab/taken.json"])
def test_an_altered_record_file_is_named_with_the_runs_dir(
    tmp_path: Path, bundle: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    path = tmp_path / "runs" / RUN_ID / name
    path.write_bytes(path.read_bytes().replace(b"{", b"{ ", 1))
    code, lines = verify(capsys, str(bundle), "--runs-dir", str(tmp_path / "runs"))
    assert code == 1 and lines == [f"altered: {path}"]
    assert verify(capsys, str(bundle)) == (0, ["intact: 2 files"])


def test_a_missing_record_file_is_named(
    tmp_path: Path, bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "runs" / RUN_ID / "summary.json"
    path.unlink()
    code, lines = verify(capsys, str(bundle), "--runs-dir", str(tmp_path / "runs"))
    assert code == 1 and lines == [f"missing: {path}"]


def test_files_added_to_the_record_later_and_ansible_artifacts_are_not_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ansible-runner's data dir is bulk (a file per job event) and stays out; a file
    written after the report (a rollback's restored-by) is not an alteration."""
    run = write_run(tmp_path / "runs")
    events = run / "ansible" / "artifacts" / "x" / "job_events"
    events.mkdir(parents=True)
    (events / "1-abc.json").write_text("{}")
    report(run, tmp_path / "q1")
    record = read_document(tmp_path / "q1" / "manifest.json", "manifest")["record"]
    assert not any(name.startswith("ansible/") or "manifest" in name for name in record)
    (run / "snapshots" / "legacy.lab" / "restored-by-rollback.json").write_text("{}")
    code, _ = verify(capsys, str(tmp_path / "q1"), "--runs-dir", str(tmp_path / "runs"))
    assert code == 0


def test_a_bundle_inside_its_run_directory_is_not_its_own_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = write_run(tmp_path / "runs")
    report(run, run / "evidence")
    report(run, run / "evidence")
    record = read_document(run / "evidence" / "manifest.json", "manifest")["record"]
    assert not any(name.startswith("evidence/") for name in record)
    code, _ = verify(capsys, str(run / "evidence"), "--runs-dir", str(tmp_path / "runs"))
    assert code == 0


def test_an_old_manifest_without_record_still_verifies(
    tmp_path: Path, bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Manifests written before the record was listed stay valid remediator/manifest/v1."""
    for manifest in (
        bundle / "manifest.json",
        tmp_path / "runs" / RUN_ID / "evidence-manifest.json",
    ):
        document = json.loads(manifest.read_text("utf-8"))
        del document["record"]
        manifest.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", "utf-8")
    assert verify(capsys, str(bundle)) == (0, ["intact: 2 files"])
    code, lines = verify(capsys, str(bundle), "--runs-dir", str(tmp_path / "runs"))
    assert (code, lines) == (
        0,
        ["intact: 2 files, run record not in the manifest, chain of 1 runs"],
    )
