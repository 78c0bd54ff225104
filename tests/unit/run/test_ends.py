"""How a host of a batch ends when its restore could not reach it, and when an apply failed."""

from __future__ import annotations

import json
from pathlib import Path

from remediator.run.ansible.events import task_results
from remediator.run.apply.ends import restored_end, snapshot_taken
from remediator.run.apply.rollback import Restore, RestoreResult
from remediator.run.preview.dryrun import DryRun
from remediator.run.records.outcome import ApplyReport, HostEnd, HostResult
from remediator.run.records.record import RunRecord

from .eventfiles import events


def test_a_snapshot_counts_as_taken_only_when_its_task_ran() -> None:
    applied = task_results(events("fake-apply-rescue"))
    assert snapshot_taken("legacy.lab", applied) and snapshot_taken("web.lab", applied)
    checked = task_results(events("lab-check"))  # check mode: the take task is skipped
    assert not snapshot_taken("legacy.lab", checked)
    assert not snapshot_taken("mail.lab", applied)  # no event at all


def test_an_unreachable_restore_leaves_the_host_to_its_timer() -> None:
    end, detail = restored_end(RestoreResult("web.lab", Restore.UNREACHABLE, "timed out"), 1800)
    assert end is HostEnd.PENDING_REVERT and "at most 1800 s" in detail
    end, _ = restored_end(RestoreResult("web.lab", Restore.NO_SNAPSHOT, "none"), 1800)
    assert end is HostEnd.UNTOUCHED


def test_a_failed_batch_fails_the_apply_even_with_every_host_untouched(tmp_path: Path) -> None:
    """Hosts unreachable before their snapshot end untouched; the apply still failed."""
    dry = DryRun("d", "now", "p", "i", None, 1.0, "m", "s", {}, ())
    report = ApplyReport(RunRecord(tmp_path, "20261125T100000Z-apply-abcdef"), dry, {})
    report.hosts["web.lab"] = HostResult("web.lab", HostEnd.UNTOUCHED, 1, "unreachable")
    report.add_batch(1, ["web.lab"], 3.0, "applied")
    assert not report.failed
    report.batches[0]["status"] = "rolled_back"
    assert report.failed
    report.finish()
    assert json.loads((tmp_path / "summary.json").read_text())["status"] == "failed"
