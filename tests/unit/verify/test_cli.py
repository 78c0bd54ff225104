"""``remediator verify`` and ``remediator report`` as registered commands, on real records."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from remediator.classify.plan_document import load_plan
from remediator.errors import RefusedError
from remediator.generate.project import Options, build_project
from remediator.generate.roles import load_roles
from remediator.generate.writer import write_project
from remediator.lab import state as lab_state
from remediator.lab.config import LabConfig
from remediator.lab.provider import lab_of, nmap_commands
from remediator.report import cli as report_cli
from remediator.verify import cli as verify_cli
from remediator.verify.originals import originals_from_plan
from remediator.verify.scope import scope_of
from tests.unit.report.runfixture import write_run
from tests.unit.verify.labdata import EXAMPLES, lab_plan


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="remediator")
    subparsers = top.add_subparsers(dest="command")
    verify_cli.register(subparsers)
    report_cli.register(subparsers)
    return top


def call(*argv: str) -> int:
    args = parser().parse_args(argv)
    code: int = args.func(args)
    return code


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """A run record of the lab plan whose project was generated for real."""
    run = write_run(tmp_path)
    plan_path = run / "plan.json"
    options = Options(generated_at=datetime(2026, 11, 25, 10, 0, tzinfo=UTC), lab=True)
    write_project(build_project(load_plan(plan_path), options, load_roles()), tmp_path / "proj")
    info = json.loads((run / "run.json").read_text("utf-8"))
    info.update(project=str(tmp_path / "proj"), inventory=str(EXAMPLES / "lab-inventory.yml"))
    info["network_namespace"] = None
    (run / "run.json").write_text(json.dumps(info), encoding="utf-8")
    return run


def test_verify_without_evidence_leaves_fixes_unknown_and_fails(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert call("verify", str(run_dir), "--no-tests") == 1
    written = json.loads((run_dir / "verify.json").read_text("utf-8"))
    assert written["fixable"]["unknown"] == 65 and written["fixable"]["resolved"] == 0
    assert not written["rescanned"] and not written["passed"]
    out = capsys.readouterr().out
    assert (
        "0 resolved, 0 kept, 0 open, 0 new, 2 excepted, 10 manual, 0 pending_reboot, 137 unknown"
        in out
    )
    assert "verification did not pass" in out


def test_verify_re_judges_exceptions_on_its_own_day(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The plan called the certificate exception active; on a day after its expiry verify
    no longer does (no rescan here, so nothing shows it still there: a person's work)."""
    assert call("verify", str(run_dir), "--no-tests", "--json", "--as-of", "2027-06-30") == 1
    assert json.loads(capsys.readouterr().out)["counts"]["excepted"] == 2
    assert call("verify", str(run_dir), "--no-tests", "--json", "--as-of", "2027-07-01") == 1
    document = json.loads(capsys.readouterr().out)
    assert document["counts"]["excepted"] == 0
    certs = [o for o in document["outcomes"] if o["check_id"] == "nmap:ssl-cert"
             and o["host"] == "clean.lab"]  # fmt: skip
    assert len(certs) == 2 and {o["role"] for o in certs} == {"manual"}
    assert all(o["reason"].startswith("exception expired on 2027-06-30; ") for o in certs)
    assert document["judged_on"] == "2027-07-01"  # the record says which day it judged
    written = json.loads((run_dir / "verify.json").read_text("utf-8"))
    assert written["judged_on"] == "2027-07-01"


def test_rescan_outside_the_lab_is_refused(run_dir: Path) -> None:
    with pytest.raises(RefusedError, match="lab controller"):
        call("verify", str(run_dir), "--no-tests", "--rescan")


def test_report_writes_both_files(run_dir: Path, tmp_path: Path) -> None:
    assert call("report", str(run_dir), "-o", str(tmp_path / "evidence")) == 0
    document = json.loads((tmp_path / "evidence" / "evidence.json").read_text("utf-8"))
    assert document["schema"] == "remediator/evidence/v1"
    assert (tmp_path / "evidence" / "evidence.html").read_text("utf-8").startswith("<!DOCTYPE")


def test_lab_rescan_targets_the_affected_lab_ports_only() -> None:
    originals = originals_from_plan(lab_plan(), "plan.json")
    scope = scope_of(originals)
    assert len(scope.addresses) == 10
    commands = nmap_commands(LabConfig(), scope, Path("/tmp/rescan"))
    assert [path.name for _, path in commands] == [
        "rescan-v4-tcp.xml", "rescan-v4-udp.xml", "rescan-v6-tcp.xml", "rescan-v6-udp.xml"
    ]  # fmt: skip
    (v4tcp, _), (v4udp, _), (v6tcp, _), _ = commands
    assert v4tcp[:5] == ["ip", "netns", "exec", "rmlab-ctl", "nmap"]
    tcp = v4tcp[v4tcp.index("-p") + 1]
    assert tcp == "T:7,21-23,25,80,110,111,143,443,587,993,995,3306,6379,8443,11211"
    assert v4udp[v4udp.index("-p") + 1] == "U:111,161,11211"
    assert "-sU" not in v4tcp and "-sS" in v4tcp and "--version-light" not in v4tcp
    assert "-sS" not in v4udp and "-sU" in v4udp and "--version-light" in v4udp
    assert "-6" in v6tcp and v6tcp[-5:] == [f"fd00:213::{n}" for n in range(10, 15)]
    with pytest.raises(RefusedError, match="non-lab"):
        nmap_commands(LabConfig(), replace(scope, addresses=("192.0.2.1",)), Path("/tmp/x"))


def test_the_rescan_comes_from_the_run_s_own_lab(tmp_path: Path) -> None:
    config = LabConfig(prefix="rmt9", state_dir=tmp_path / "lab-slot9")
    lab_state.save(lab_state.LabState(config, {}))
    assert lab_of(config.controller_ns, config.state_dir).config.prefix == "rmt9"
    with pytest.raises(RefusedError, match=r"rmlab-ctl\) is not up; running labs: rmt9-ctl"):
        lab_of("rmlab-ctl", config.state_dir)
    with pytest.raises(RefusedError, match="running labs: none"):
        lab_of("rmt9-ctl", tmp_path / "nothing-here")
