"""``import-job``: a job run elsewhere, through ansible-runner's stream, made a run record.

The jobs are real: the lab plan's project made local (fakeproject.py) streamed through
``transmit``, ``worker`` and ``process`` as AWX sends it to an execution node
(jobsources.py). Each imported record is compared with what remediator's own dry-run or
apply of the same project records: the same hosts, findings, statuses and ends.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from remediator.run.project import Project

from .conftest import Cli
from .fakeproject import FakeProject, build
from .jobsources import awx_page, runner_events, streamed_job

pytestmark = pytest.mark.slow

HOSTS = ("legacy.lab", "web.lab")
APPROVED = ("--approved-by", "alice", "--ticket", "CHG-42")
Fake = Callable[..., FakeProject]


def statuses(hosts: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    return {(h["host"], f["key"]): f["status"] for h in hosts for f in h["findings"]}


def job_of(fake: FakeProject, base: Path, *, check: bool) -> Path:
    return streamed_job(fake.root, fake.root / "inventory.yml", base, check=check)


def test_a_streamed_check_job_imports_as_the_dry_run_remediator_would_record(
    cli: Cli, make_fake: Fake, tmp_path: Path
) -> None:
    fake = make_fake(*HOSTS)
    code, local = cli.json("dry-run", str(fake.root))
    assert code == 0
    artifacts = job_of(fake, tmp_path / "job", check=True)
    code, imported = cli.json("import-job", str(artifacts), "--project", str(fake.root))
    assert code == 0, imported
    assert statuses(imported["hosts"]) == statuses(local["hosts"])
    assert sum(1 for s in statuses(local["hosts"]).values() if s == "would_change") > 5
    info = cli.run_json(imported["run"], "run.json")
    assert info["kind"] == "dry-run"
    assert info["imported"]["kind"] == "ansible-runner artifacts"
    assert info["imported"]["status"] == "successful" and info["imported"]["rc"] == 0
    assert info["manifest_sha256"] == local["manifest_sha256"]
    # the record keeps the job's events, named by their order, never by the job
    kept = sorted((cli.runs / imported["run"] / "ansible/artifacts/imported/job_events").iterdir())
    assert len(kept) == info["imported"]["events"] == len(runner_events(artifacts))

    # the same events as AWX's API returns them: the same preview
    export = tmp_path / "job-42-events.json"
    export.write_text(json.dumps(awx_page(runner_events(artifacts))), encoding="utf-8")
    code, from_awx = cli.json("import-job", str(export), "--project", str(fake.root))
    assert code == 0, from_awx
    assert statuses(from_awx["hosts"]) == statuses(local["hosts"])
    assert cli.run_json(from_awx["run"], "run.json")["imported"]["kind"] == "AWX job events"


def test_a_streamed_real_job_imports_as_the_apply_it_was(
    cli: Cli, make_fake: Fake, lab_project: Project, tmp_path: Path
) -> None:
    """web.lab's firewall fails: the play restores it. The same project applied by
    remediator on twin hosts, in the project's own batches (legacy.lab, then web.lab, as
    the job's serial ran them), ends the same way, host by host and finding by finding."""
    fake = make_fake(*HOSTS)
    fake.mark("web.lab", "REJECT")
    artifacts = job_of(fake, tmp_path / "job", check=False)
    applied = fake.state("legacy.lab")
    assert applied != {"config": b"original\n"}
    assert fake.state("web.lab") == {"config": b"original\n"}
    code, imported = cli.json("import-job", str(artifacts), "--project", str(fake.root), *APPROVED)
    assert code == 1, imported  # as an apply that left a host rolled back
    ends = {h: r["end"] for h, r in imported["hosts"].items()}
    assert ends == {"legacy.lab": "applied", "web.lab": "rolled_back"}
    assert "firewall" in imported["hosts"]["web.lab"]["detail"]
    assert imported["dry_run"] is None and imported["approval"]["ticket"] == "CHG-42"

    twin = build(tmp_path / "twin", lab_project, HOSTS)  # the same project, fresh hosts
    twin.mark("web.lab", "REJECT")
    code, local = cli.json("apply", str(twin.root), *APPROVED, "--window", "now+1h")
    assert code == 1
    assert {h: r["end"] for h, r in local["hosts"].items()} == ends
    assert imported["changed"] == local["changed"] and imported["changed"]
    assert [(p["host"], p["key"], p["applied"]) for p in imported["proof"]] == [
        (p["host"], p["key"], p["applied"]) for p in local["proof"]
    ]

    # the hosts' snapshots are named as the job's play named them: rollback finds them
    info = cli.run_json(imported["run"], "run.json")
    assert set(info["imported"]["snapshots"]) == set(HOSTS)
    code, out, err = cli("rollback", imported["run"], "--host", "legacy.lab")
    assert code == 0, err
    assert "legacy.lab: restored" in out
    assert fake.state("legacy.lab") == {"config": b"original\n"}


def test_a_job_of_an_edited_copy_is_refused(cli: Cli, make_fake: Fake, tmp_path: Path) -> None:
    fake = make_fake("legacy.lab")
    copy = tmp_path / "edited"
    shutil.copytree(fake.root, copy)
    tasks = copy / "roles" / "firewall" / "tasks" / "main.yml"
    tasks.write_text(tasks.read_text("utf-8") + "\n# one more line\n", encoding="utf-8")
    artifacts = streamed_job(copy, copy / "inventory.yml", tmp_path / "job", check=True)
    code, _, err = cli("import-job", str(artifacts), "--project", str(fake.root))
    assert code == 3
    assert "edited files: roles/firewall/tasks/main.yml" in err
    assert not cli.runs.exists() or not any(cli.runs.iterdir())  # refused: nothing written
