"""A failing batch is restored to its snapshots, byte for byte; later batches untouched."""

from __future__ import annotations

import pytest

from .conftest import LabRun
from .hoststate import assert_restored, snapshot_of

pytestmark = pytest.mark.lab
HOSTS = ("legacy.lab", "mail.lab", "web.lab")  # batches of 2: legacy+mail, then web


def test_a_failing_batch_is_restored_and_later_batches_are_untouched(
    lab_run: LabRun, capsys: pytest.CaptureFixture[str]
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
    )
    assert code == 1, summary
    ends = {h: r["end"] for h, r in summary["hosts"].items()}
    assert ends == {
        "legacy.lab": "rolled_back",
        "mail.lab": "rolled_back",
        "web.lab": "not_started",
    }
    assert [b["status"] for b in summary["batches"]] == ["rolled_back", "not_started"]
    assert_restored(lab_run.lab, HOSTS, before)
