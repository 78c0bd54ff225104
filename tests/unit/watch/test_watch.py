"""``remediator watch``: a new scan against the accepted state of a verified run.

The run record and every new scan are real files (see ``runrecord.py``): the shipped lab
nmap XML, planned and verified the way ``plan`` and ``verify`` do it, and new scans derived
from that XML the way a later scan would read.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from remediator.cli import main
from remediator.common.documents import schema
from remediator.ingest.inventory import load_inventory
from tests.unit.verify.labdata import SCANS, without_ports

from .runrecord import (
    HOSTILE_SCAN,
    INVENTORY,
    LEGACY,
    RUN_ID,
    TELNET_GONE,
    accepted_scans,
    verified_run,
    with_port,
)

ALARM_WORDS = ("new", "reopened", "expired", "expiring")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A runs directory holding one verified run (shared: watch only reads it)."""
    runs = tmp_path_factory.mktemp("watch") / "runs"
    verified_run(runs)
    return runs


@pytest.fixture(scope="module")
def accepted(runs: Path) -> tuple[Path, ...]:
    """The scan files verify accepted."""
    return accepted_scans(runs.parent / "accepted")


def watch(
    capsys: pytest.CaptureFixture[str], runs: Path, *argv: str, scans: tuple[Path, ...] = ()
) -> tuple[int, dict[str, Any], str]:
    """Run ``remediator watch`` with ``--json -``: the exit code, the document, stderr."""
    words = ["watch", "--runs-dir", str(runs), "--json", "-", *argv]
    for scan in scans:
        words += ["--scan", str(scan)]
    code = main(words)
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else {}, err


def of(document: dict[str, Any], drift: str) -> set[tuple[str | None, str, str, int]]:
    return {
        (i["host"], i["address"], i["protocol"], i["port"])
        for i in document["items"]
        if i["drift"] == drift
    }


def test_the_scan_verify_accepted_has_nothing_to_report(
    capsys: pytest.CaptureFixture[str], runs: Path, accepted: tuple[Path, ...]
) -> None:
    code, document, summary = watch(capsys, runs, "--as-of", "2026-11-25", scans=accepted)
    assert code == 0, summary
    assert document["clean"] is True and document["run"] == RUN_ID
    assert all(document["counts"][word] == 0 for word in ALARM_WORDS)
    assert document["counts"]["still_open"] > 0  # what verify left open is known, no alarm
    assert document["verified_on"] == "2026-11-25"
    assert summary.rstrip().endswith("nothing to report")


def test_a_port_opened_by_hand_is_a_new_exposure_named_by_host_and_port(
    capsys: pytest.CaptureFixture[str], runs: Path, accepted: tuple[Path, ...], tmp_path: Path
) -> None:
    scans = with_port(accepted, tmp_path, LEGACY[0], 8765)
    code, document, summary = watch(capsys, runs, "--as-of", "2026-11-25", scans=scans)
    assert code == 1
    assert of(document, "new") == {("legacy.lab", "10.213.0.10", "tcp", 8765)}
    assert [w for w in ALARM_WORDS if document["counts"][w]] == ["new"]
    assert "new       legacy.lab 10.213.0.10 tcp/8765 open-port" in summary


def test_a_resolved_finding_seen_again_is_reopened_and_kept_services_stay_quiet(
    capsys: pytest.CaptureFixture[str], runs: Path
) -> None:
    """The original scan again: telnet, resolved at verify, is back on both addresses;
    the allowed services of web and mail answer as they did and are not reported."""
    code, document, _ = watch(capsys, runs, "--as-of", "2026-11-25", scans=SCANS)
    assert code == 1
    assert of(document, "reopened") == {(h, a, "tcp", 23) for h, a in _legacy()}
    assert document["counts"]["new"] == 0
    assert not [i for i in document["items"] if i["accepted"] == "kept"]
    assert document["counts"]["unchanged"] > 60  # the kept services among them


def test_an_exception_expired_since_verify_is_reported_open(
    capsys: pytest.CaptureFixture[str], runs: Path, accepted: tuple[Path, ...]
) -> None:
    code, document, summary = watch(capsys, runs, "--as-of", "2027-07-01", scans=accepted)
    assert code == 1
    clean = {("clean.lab", a, "tcp", 443) for a in ("10.213.0.14", "fd00:213::14")}
    assert of(document, "expired") == clean
    expired = [i for i in document["items"] if i["drift"] == "expired"]
    assert {i["kind"] for i in expired} == {"certificate"}
    assert all("exception expired on 2027-06-30" in i["reason"] for i in expired)
    assert {(i["accepted"], i["expires"], i["days_left"]) for i in expired} == {
        ("excepted", "2027-06-30", -1)
    }
    assert "expired   clean.lab 10.213.0.14 tcp/443 certificate" in summary


def test_an_expired_exception_over_a_finding_now_gone_is_not_reported(
    capsys: pytest.CaptureFixture[str], runs: Path, accepted: tuple[Path, ...], tmp_path: Path
) -> None:
    """The certificate's port no longer answers: nothing left for the exception to cover."""
    scans = []
    for scan in accepted:
        text = scan.read_text("utf-8")
        for address in ("10.213.0.14", "fd00:213::14"):
            if f'<address addr="{address}"' in text:
                text = without_ports(text, address, {("tcp", 443)})
        (tmp_path / scan.name).write_text(text, encoding="utf-8")
        scans.append(tmp_path / scan.name)
    code, document, _ = watch(capsys, runs, "--as-of", "2027-07-01", scans=tuple(scans))
    assert code == 0
    assert document["counts"]["expired"] == 0


@pytest.mark.parametrize(
    "case",
    [
        ("2027-06-01", 30, 29),
        ("2027-06-01", 29, 29),  # exactly N days left is within N days
        ("2027-06-01", 28, None),
        ("2026-11-25", 30, None),
        ("2027-06-30", 0, 0),  # the last valid day
    ],
)
def test_an_exception_ending_within_n_days_is_reported_and_not_beyond(
    capsys: pytest.CaptureFixture[str],
    runs: Path,
    accepted: tuple[Path, ...],
    case: tuple[str, int, int | None],
) -> None:
    """(--as-of, --expiring-within, the days left reported or None for no report)"""
    as_of, within, days_left = case
    argv = ("--as-of", as_of, "--expiring-within", str(within))
    code, document, _ = watch(capsys, runs, *argv, scans=accepted)
    expiring = [i for i in document["items"] if i["drift"] == "expiring"]
    if days_left is None:
        assert code == 0 and expiring == []
        return
    assert code == 1
    assert {(i["host"], i["port"], i["expires"], i["days_left"]) for i in expiring} == {
        ("clean.lab", 443, "2027-06-30", days_left)
    }
    assert len(expiring) == 2  # IPv4 and IPv6


def test_hostile_scan_text_chooses_no_host_and_stays_text_in_the_page(
    capsys: pytest.CaptureFixture[str], runs: Path, tmp_path: Path
) -> None:
    page = tmp_path / "out" / "watch.html"
    code, document, summary = watch(
        capsys, runs, "--as-of", "2026-11-25", "--html", str(page), scans=(HOSTILE_SCAN,)
    )
    assert code == 1
    assert of(document, "new") == {
        ("legacy.lab", "10.213.0.10", "tcp", 4444),  # by address, though it says web.lab
        (None, "10.213.0.99", "tcp", 5555),  # in no inventory, though it says legacy.lab
    }
    assert document["counts"]["unjudged"] > 100  # every other host: not in this scan
    named = {i["host"] for i in document["items"]} | {s["host"] for s in document["silent"]}
    assert named - {None} <= {h.name for h in load_inventory(INVENTORY).hosts}
    assert "(not in the inventory) 10.213.0.99 tcp/5555" in summary
    html = page.read_text("utf-8")
    assert "<script" not in html and "<img" not in html and "198.51.100.7/x.png" in html
    assert "&lt;script&gt;alert(" in html
    assert "{{ lookup(&#39;pipe&#39;" in html and "login: &lt;script&gt;" in html  # text
    assert "../../etc/passwd" in html
    assert "default-src 'none'" in html  # and a browser would fetch nothing anyway
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["out", "watch.html"]
    assert not Path("/tmp/pwned").exists()


def test_the_json_matches_its_schema_in_a_file_and_on_standard_output(
    capsys: pytest.CaptureFixture[str], runs: Path, tmp_path: Path
) -> None:
    code, document, summary = watch(capsys, runs, "--as-of", "2026-11-25", scans=SCANS)
    assert code == 1 and summary.rstrip().endswith("2 to look at")  # on stderr, beside JSON
    assert schema("watch").problem(document) is None
    assert document["schema"] == "remediator/watch/v1"
    target = tmp_path / "state" / "watch.json"
    words = ["watch", RUN_ID, "--runs-dir", str(runs), "--json", str(target)]
    assert main([*words, "--scan", str(SCANS[0]), "--as-of", "2026-11-25"]) == 1
    written = json.loads(target.read_text("utf-8"))
    assert schema("watch").problem(written) is None
    assert written["scan"] == {
        "source": "file",
        "files": [str(SCANS[0])],
        "formats": ["nmap"],
        "scanned_from": [],
    }
    assert "reopened  legacy.lab 10.213.0.10 tcp/23" in capsys.readouterr().out


def test_watch_writes_nothing_into_the_run_and_starts_no_process(
    capsys: pytest.CaptureFixture[str],
    runs: Path,
    accepted: tuple[Path, ...],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Nothing runs on a host: with a scan file given, not even a process is started."""
    before = {p: p.stat().st_mtime_ns for p in runs.rglob("*")}

    def no_process(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"watch started a process: {args}")

    monkeypatch.setattr(subprocess.Popen, "__init__", no_process)
    code, _, _ = watch(capsys, runs, "--as-of", "2026-11-25", scans=SCANS)
    assert code == 1
    assert {p: p.stat().st_mtime_ns for p in runs.rglob("*")} == before


def test_run_defaults_to_the_newest_verified_run(
    capsys: pytest.CaptureFixture[str], runs: Path, tmp_path: Path, accepted: tuple[Path, ...]
) -> None:
    mine = tmp_path / "runs"
    shutil.copytree(runs / RUN_ID, mine / RUN_ID)
    newer = mine / "20261201T080000Z-apply-def456"
    shutil.copytree(runs / RUN_ID, newer)
    (newer / "verify.json").unlink()  # applied, never verified
    code, document, _ = watch(capsys, mine, "--as-of", "2026-11-25", scans=accepted)
    assert (code, document["run"]) == (0, RUN_ID)
    shutil.copy(runs / RUN_ID / "verify.json", newer / "verify.json")
    code, document, _ = watch(capsys, mine, "--as-of", "2026-11-25", scans=accepted)
    assert (code, document["run"]) == (0, newer.name)


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (("--as-of", "2026-11-25"), "give the new scan"),
        (("--rescan", "--scan", "x.xml"), "not both"),
        (("--scan", "no-such-scan.xml"), "no-such-scan.xml"),
        (("--expiring-within", "-1", "--scan", "x.xml"), "0 or more"),
        (("20261201T080000Z-apply-nothere", "--scan", "x.xml"), "no run"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], runs: Path, argv: tuple[str, ...], problem: str
) -> None:
    code, _, err = watch(capsys, runs, *argv)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("remediator: error: ") and problem in lines[0]


def test_a_run_not_verified_is_refused(
    capsys: pytest.CaptureFixture[str], runs: Path, tmp_path: Path
) -> None:
    mine = tmp_path / "runs"
    shutil.copytree(runs / RUN_ID, mine / RUN_ID)
    (mine / RUN_ID / "verify.json").unlink()
    code, _, err = watch(capsys, mine, RUN_ID, "--scan", str(SCANS[0]))
    assert code == 2 and "not verified yet" in err
    code, _, err = watch(capsys, mine, "--scan", str(SCANS[0]))
    assert code == 2 and "no verified run under" in err


def test_a_scanner_address_must_be_an_address(
    capsys: pytest.CaptureFixture[str], runs: Path
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["watch", "--runs-dir", str(runs), "--rescan", "--rescan-source", "$(id)"])
    assert stopped.value.code == 2
    assert "is not an IP address" in capsys.readouterr().err


def test_rescan_of_a_run_made_outside_the_lab_needs_a_command(
    capsys: pytest.CaptureFixture[str], runs: Path
) -> None:
    code, _, err = watch(capsys, runs, "--rescan")
    assert code == 3 and "--rescan-command" in err


def test_a_port_restricted_to_the_scanners_own_address_is_never_called_reopened(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, accepted: tuple[Path, ...]
) -> None:
    """web's 8443 is restricted to 198.51.100.0/24: gone from verify's rescan (from the
    lab controller), it answers a scanner inside that range by design. The weaknesses
    behind it (TLS 1.0, its certificate) are no restriction's to excuse: reopened still."""
    web = ("10.213.0.11", "fd00:213::11")
    gone = {**TELNET_GONE, **{a: frozenset({("tcp", 8443)}) for a in web}}
    runs = tmp_path / "runs"
    verified_run(runs, gone=gone)
    code, document, _ = watch(capsys, runs, "--as-of", "2026-11-25", scans=accepted)
    assert code == 1
    assert {(i["address"], i["kind"]) for i in _reopened(document, 8443)} >= {
        (a, "open-port") for a in web
    }
    argv = ("--as-of", "2026-11-25", "--rescan-source", "198.51.100.7")
    code, document, _ = watch(capsys, runs, *argv, scans=accepted)
    assert document["scan"]["scanned_from"] == ["198.51.100.7"]
    kinds = {i["kind"] for i in _reopened(document, 8443)}
    assert "open-port" not in kinds
    assert kinds == {"certificate", "tls-protocol:TLSv1.0", "tls-protocol:TLSv1.1"}


def _reopened(document: dict[str, Any], port: int) -> list[dict[str, Any]]:
    return [i for i in document["items"] if i["drift"] == "reopened" and i["port"] == port]


def _legacy() -> set[tuple[str, str]]:
    return {("legacy.lab", address) for address in LEGACY}
