"""CVE findings on cache's memcached, through the whole run: plan, dry-run, apply, verify.

Two findings name memcached's CVEs on 11211, as a version-based scanner reports them (the
lab's nmap has no CVE database, so they are added to the real scan's findings document):
CVE-2023-46852/46853, which Debian's own changelog of the installed build already names
(a backport), and the lab's fictitious CVE-2099-99001, which only the lab repository's
``+lab1`` build names. The plan patches both. The dry-run predicts the backport compliant
and the upgrade a change; the apply upgrades memcached to ``+lab1`` inside the window,
keeps the Debian build, and its proof has the changelog test failing before and passing
after for the upgrade only. verify resolves both by the host's tests (the rescan cannot
see CVEs). The record keeps each verdict with its changelog lines (the upgrade's as the
new package's changelog reads after it), the report writes an ASV dispute page for each
(a scanner reading versions keeps flagging both), and a second dry-run finds nothing
left to change.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from remediator.cli import main
from remediator.lab import repo

from .conftest import LabRun
from .sshlab import plan_from_findings, scan_port
from .test_harden_revert import run_json
from .test_harden_sshd import sshd_project

pytestmark = pytest.mark.lab
LAB_RESET_HOSTS = ("cache",)
HOST = "cache"
NMAP = ("nmap", "-n", "-Pn", "-sS", "-sV", "-p", "22,11211")
BACKPORTED = ("CVE-2023-46852", "CVE-2023-46853")


def with_cve_findings(lab_run: LabRun, scans: list[Path], target: Path) -> Path:
    """The scans' findings, plus the two CVE findings on memcached's port (one per CVE
    set, over IPv4), in the findings document's own format."""
    code = main(["ingest", *map(str, scans), "--inventory", str(lab_run.inventory),
                 "-o", str(target)])  # fmt: skip
    assert code == 0
    document: dict[str, Any] = json.loads(target.read_text("utf-8"))
    address = lab_run.lab.address(HOST)
    (port,) = [
        f
        for f in document["findings"]
        if f["address"] == address and f["port"] == 11211 and f["check_id"] == "port-open"
    ]
    for check, cves in (("backported", BACKPORTED), ("lab-build", (repo.LAB_CVE,))):
        finding = dict(port)
        finding.update(
            check_id=f"lab:memcached-{check}",
            title=f"memcached 1.6.18 is vulnerable ({', '.join(cves)})",
            severity=7.5,
            severity_label="high",
            scanner_severity="high",
            cves=list(cves),
            source={**port["source"], "format": "json", "scanner": "lab"},
        )
        document["findings"].append(finding)
    target.write_text(json.dumps(document), encoding="utf-8")
    return target


def memcached_for_anyone(groups: dict[str, Any]) -> None:
    """The lab policy, with cache's memcached kept (it is disabled there otherwise)."""
    groups[HOST]["allow"].append(
        {"service": "memcached", "sources": ["any"], "justification": "lab", "owner": "lab"}
    )


def installed(lab_run: LabRun) -> str:
    done = lab_run.lab.ssh(HOST, "dpkg-query", "-W", "-f", "'${Version}'", "memcached")
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_cve_findings_are_backported_or_upgraded_in_the_window(
    lab_run: LabRun, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lab = lab_run.lab
    built = repo.build(lab.config, "lab1", lambda _line: None)
    repo.serve(lab.config, built)
    repo.point(lab.config)
    try:
        run_and_check(lab_run, capsys, tmp_path, built)
    finally:
        repo.stop(lab.config)


def run_and_check(
    lab_run: LabRun, capsys: pytest.CaptureFixture[str], tmp_path: Path, built: repo.Repo
) -> None:
    lab = lab_run.lab
    findings = with_cve_findings(lab_run, scan_port(lab, HOST, tmp_path, NMAP), tmp_path / "f.json")
    capsys.readouterr()  # ingest's own words, not the dry-run's JSON
    plan = plan_from_findings(lab, findings, lab_run.inventory, tmp_path, memcached_for_anyone)
    decisions = json.loads(plan.read_text("utf-8"))["decisions"]
    patched = {
        d["check_id"]: f"{d['address']}/tcp/11211/{d['check_id']}"
        for d in decisions
        if [a["type"] for a in d["actions"]] == ["patch"]
    }
    assert set(patched) == {"lab:memcached-backported", "lab:memcached-lab-build"}, decisions
    backport, upgrade = patched["lab:memcached-backported"], patched["lab:memcached-lab-build"]
    assert installed(lab_run) == built.original

    project = sshd_project(plan, tmp_path / "project")
    runs = tmp_path / "runs"
    common = ["--inventory", str(lab_run.inventory), "--runs-dir", str(runs), "--json"]
    code, dry = run_json(capsys, ["dry-run", str(project), *common])
    assert code == 0, dry
    predicted = {f["key"]: f["status"] for h in dry["hosts"] for f in h["findings"]}
    assert (predicted[backport], predicted[upgrade]) == ("compliant", "would_change"), predicted

    code, summary = run_json(capsys, ["apply", str(project), "--window", "now+1h",
                                      "--batch", "100%", "--dry-run-id", dry["run"],
                                      "--approved-by", "lab-test", "--ticket", "LAB-18",
                                      "--plan", str(plan), *common])  # fmt: skip
    assert code == 0, summary
    proof = {p["key"]: p for p in summary["proof"]}
    assert any(c["passed"] is False for c in proof[upgrade]["before"]), proof[upgrade]
    assert all(c["passed"] for c in proof[upgrade]["after"]), proof[upgrade]
    assert all(c["passed"] for c in proof[backport]["before"]), proof[backport]
    assert not proof[backport]["mismatch"] and not proof[upgrade]["mismatch"]
    assert installed(lab_run) == built.offered
    kept = lab.ssh(HOST, "ls", "/var/backups/remediator-patch")
    assert built.original.split(":")[-1] in kept.stdout.replace("%3a", ":"), kept.stdout

    record = sorted(runs.glob("*-apply-*"))[-1]
    code = main(["verify", str(record), "--runs-dir", str(runs), "-l", f"{HOST}.lab"])
    capsys.readouterr()
    verified = json.loads((record / "verify.json").read_text("utf-8"))
    states = {
        o["address"] + "/tcp/11211/" + o["check_id"]: o["state"] for o in verified["outcomes"]
    }
    assert (states[backport], states[upgrade]) == ("resolved", "resolved"), verified["outcomes"]
    assert code == 0, verified["counts"]

    verdicts = {
        v["key"]: v for v in json.loads((record / "summary.json").read_text("utf-8"))["patch"]
    }
    assert verdicts[backport]["state"] == "backported", verdicts
    assert any("CVE-2023-46852" in line for line in verdicts[backport]["cves"]["CVE-2023-46852"])
    # After the upgrade the idempotence pass read the new changelog: what the host now holds.
    assert (verdicts[upgrade]["state"], verdicts[upgrade]["installed_version"]) == (
        "backported",
        built.offered,
    )
    evidence = tmp_path / "evidence"
    code = main(["report", str(record), "-o", str(evidence), "--runs-dir", str(runs)])
    capsys.readouterr()
    assert code == 0
    pages = [p.read_text("utf-8") for p in (evidence / "dispute").glob("*.html")]
    disputes = [
        p for p in pages if "The distribution&#39;s fix" in p or "The distribution's fix" in p
    ]
    assert len(disputes) == 2, [p[:200] for p in pages]
    assert any("CVE-2023-46852" in p and "memcached" in p for p in disputes)
    assert any(repo.LAB_CVE in p and built.offered in p for p in disputes)

    code, again = run_json(capsys, ["dry-run", str(project), *common])
    assert code == 0, again
    second = {f["key"]: f["status"] for h in again["hosts"] for f in h["findings"]}
    assert (second[backport], second[upgrade]) == ("compliant", "compliant"), second
