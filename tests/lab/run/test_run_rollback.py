"""A failing batch is restored to its snapshots, byte for byte; later batches untouched.

"Restored" only means something if the batch had changed the hosts first. The test
looks at each host of the batch at the moment apply starts its rollback (a wrapper
around the real ``rollback``, nothing else replaced): legacy's files, ruleset and units
then differ from their state before the apply, as the run says it changed them, and the
snapshot tool later says it put back no path the comparison missed. mail, whose TLS
change failed, was put back by the play's rescue: its restore report names what had
changed. Only then does it check that everything is as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from remediator.run.ansible.target import Target
from remediator.run.apply import orchestrate as apply
from remediator.run.apply import rollback
from remediator.run.apply.rollback import RestoreResult
from remediator.run.records.record import RunRecord

from .conftest import LabRun
from .hoststate import (
    assert_restored,
    restore_problems,
    snapshot_of,
    volatile,
)

pytestmark = pytest.mark.lab
HOSTS = ("legacy.lab", "mail.lab", "web.lab")  # batches of 2: legacy+mail, then web
BATCH = ("legacy.lab", "mail.lab")
ROLLBACK_LABEL = "batch-01-rollback"


def test_a_failing_batch_is_restored_and_later_batches_are_untouched(
    lab_run: LabRun, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project, dry = lab_run.reviewed(capsys)
    # Dovecot's own checker rejects the configuration: the TLS change on mail fails.
    broken = lab_run.lab.ssh(
        "mail",
        "sh",
        "-c",
        "echo 'ssl_min_protocol = ' > /etc/dovecot/conf.d/99-broken.conf"
        " && echo 'this is not dovecot syntax' >> /etc/dovecot/conf.d/99-broken.conf",
    )
    assert broken.returncode == 0, broken.stderr
    before = {h: snapshot_of(lab_run.lab, h) for h in HOSTS}
    changed = changes_seen_at_rollback(lab_run, before, monkeypatch)
    code, summary = lab_run.cli_json(
        capsys,
        "apply",
        str(project),
        "--window",
        "now+1h",
        "--batch",
        "2",
        "--dry-run-id",
        dry["run"],
        "--limit",
        ":".join(HOSTS),
        "--approved-by",
        "lab-test",
        "--ticket",
        "LAB-7",
    )
    assert code == 1, summary
    ends = {h: r["end"] for h, r in summary["hosts"].items()}
    assert ends == {
        "legacy.lab": "rolled_back",
        "mail.lab": "rolled_back",
        "web.lab": "not_started",
    }
    assert [b["status"] for b in summary["batches"]] == ["rolled_back", "not_started"]
    assert_the_batch_had_changed(lab_run, summary, changed)
    assert_restored(lab_run.lab, HOSTS, before)


def changes_seen_at_rollback(
    lab_run: LabRun, before: dict[str, dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> dict[str, dict[str, Any]]:
    """Filled, when apply rolls hosts back, with how each differs from ``before`` then."""
    seen: dict[str, dict[str, Any]] = {}
    real = rollback.rollback

    def look_then_roll_back(
        target: Target, record: RunRecord, hosts: Sequence[str], snapshot_id: str, label: str
    ) -> dict[str, RestoreResult]:
        for host in hosts:
            seen[host] = restore_problems(lab_run.lab, host, before[host])
        return real(target, record, hosts, snapshot_id, label)

    monkeypatch.setattr(apply, "rollback", look_then_roll_back)
    return seen


def assert_the_batch_had_changed(
    lab_run: LabRun, summary: dict[str, Any], seen: dict[str, dict[str, Any]]
) -> None:
    """Both hosts of the batch had changed before they were put back.

    legacy's changes all succeeded: the run records its changed findings, and when apply
    rolled the batch back legacy's files, ruleset and units differed from before; the
    paths the restore then put back are among those (so none is one the comparison
    below cannot see). mail's TLS change failed and the play's rescue restored it at
    once, before apply's rollback: its restore report names the files it put back (the
    firewall's, the TLS backups), which its firewall change had written.
    """
    record = lab_run.records("apply")[-1]
    legacy_keys = [key for host, key in summary["changed"] if host == "legacy.lab"]
    assert legacy_keys, f"the run recorded no change on legacy: {summary['changed']}"
    assert sorted(seen) == sorted(BATCH), seen
    legacy = seen["legacy.lab"]
    assert {"files", "firewall", "units"} <= set(legacy), f"legacy at rollback: {legacy}"
    missed = put_back(record, "legacy.lab", ROLLBACK_LABEL) - set(legacy["files"])
    assert not missed, f"legacy: restored paths the host state did not see change: {missed}"
    mail = put_back(record, "mail.lab", "batch-01")
    assert mail, "the rescue put nothing back on mail: its changes had changed nothing"


def put_back(record: Path, host: str, label: str) -> set[str]:
    """Paths (relative to /) the restore of ``label`` put back on ``host``, volatile ones
    left out, as the snapshot tool reported them into the run record."""
    name = f"snapshots/{host}/restored-by-{label}.json"
    report = RunRecord(record, record.name).read(name)["result"]
    assert report["changed"], (name, report)
    return {p.lstrip("/") for p in report["paths"] if not volatile(p.lstrip("/"))}
