"""A job run elsewhere, imported, verified and reported like remediator's own apply.

The job is the lab project run the way AWX runs it on an execution node: ansible-runner
``transmit`` packs it, ``ansible-runner worker`` runs it (in the controller's namespace,
the one place that reaches the hosts), ``process`` unpacks the returned stream into
runner artifacts. Those artifacts, and the same events as AWX's API would export them,
are each imported and verified with a rescan; then the job's change is rolled back by
the snapshots its play named, and remediator applies the same project itself. Every
record ends with the same host ends and the same per-finding states, and each is
reported.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from remediator.cli import main
from tests.unit.run.jobsources import awx_page, runner_events, streamed_job

from .conftest import LabRun

pytestmark = pytest.mark.lab
HOST = "web.lab"


def test_a_streamed_job_and_its_awx_export_verify_like_a_local_apply(
    lab_run: LabRun, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    project = lab_run.project("imported", "now+4h")
    artifacts = streamed_job(
        project,
        lab_run.inventory,
        tmp_path / "job",
        check=False,
        limit=HOST,
        worker_prefix=("ip", "netns", "exec", lab_run.lab.config.controller_ns),
    )
    assert (artifacts / "status").read_text("utf-8") == "successful"

    code, job = lab_run.cli_json(capsys, "import-job", str(artifacts), "--project", str(project),
                                 "--approved-by", "lab-test", "--ticket", "LAB-19")  # fmt: skip
    assert code == 0, job
    assert {h: r["end"] for h, r in job["hosts"].items()} == {HOST: "applied"}
    assert job["changed"], job
    from_job = verified(lab_run, capsys, job["run"])

    export = tmp_path / "job-events.json"
    export.write_text(json.dumps(awx_page(runner_events(artifacts))), encoding="utf-8")
    code, awx = lab_run.cli_json(capsys, "import-job", str(export), "--project", str(project))
    assert code == 0, awx
    assert awx["changed"] == job["changed"]
    assert verified(lab_run, capsys, awx["run"]) == from_job

    code = main(["rollback", job["run"], "--runs-dir", str(lab_run.base / "runs")])
    out, _ = capsys.readouterr()
    assert code == 0 and f"{HOST}: restored" in out, out  # by the job's own snapshot ids
    code, local = lab_run.cli_json(capsys, "apply", str(project), "--window", "now+1h",
                                   "--limit", HOST, "--batch", "100%", "--no-approval")  # fmt: skip
    assert code == 0, local
    assert local["changed"] == job["changed"]
    assert verified(lab_run, capsys, local["run"]) == from_job


def verified(lab_run: LabRun, capsys: pytest.CaptureFixture[str], run: str) -> dict[str, str]:
    """``verify --rescan`` of the run, then its report; each finding's state."""
    runs = ["--runs-dir", str(lab_run.base / "runs")]
    code = main(["verify", run, "--rescan", "-l", HOST, "--json", *runs,
                 "--lab-state-dir", str(lab_run.lab.config.state_dir)])  # fmt: skip
    out, err = capsys.readouterr()
    result = json.loads(out)
    assert code == 0, [o for o in result["outcomes"] if o["state"] != "resolved"]
    states = {finding_key(o): o["state"] for o in result["outcomes"]}
    assert "resolved" in states.values()
    code = main(["report", run, "-o", str(lab_run.base / f"evidence-{run}"), *runs])
    out, err = capsys.readouterr()
    assert code == 0, err
    return states


def finding_key(outcome: dict[str, Any]) -> str:
    return f"{outcome['address']}/{outcome['protocol']}/{outcome['port']}/{outcome['check_id']}"
