"""``remediator ingest`` as an admin uses it: summary, inventory mapping, JSON out."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from remediator.cli import main
from tests.corpus import corpus_path

SERVICE_SCAN = "nmap/securecodebox_nmap_service_scan.xml"


def test_summary_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(corpus_path("nmap/libnmap_dionaea_scan.xml"))]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1:] == [
        "  hosts: 1 up of 1",
        "  open services: 16",
        "  findings: 71 (1 critical, 2 high, 3 medium, 0 low, 65 info)",
    ]


def test_inventory_mapping_lists_unmatched_addresses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scan = corpus_path("nmap/securecodebox_nmap_local_network_verbose.xml")
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(
        yaml.safe_dump({"all": {"hosts": {"router": {"ansible_host": "192.168.178.1"}}}})
    )
    target = tmp_path / "findings.json"
    assert main(["ingest", str(scan), "--inventory", str(inventory), "-o", str(target)]) == 0
    out = capsys.readouterr().out
    document = json.loads(target.read_text())
    routed = {f["address"] for f in document["findings"] if f["host"] == "router"}
    assert routed == {"192.168.178.1"}
    unmatched = set(document["unmatched"])
    assert "192.168.178.1" not in unmatched
    # every up host but the router is unmatched, whether or not it had open ports
    assert len(unmatched) == 9
    assert {f["address"] for f in document["findings"]} - routed <= unmatched
    assert f"unmatched addresses ({len(unmatched)}):" in out


def test_json_to_stdout_round_trips_through_ingest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", str(corpus_path(SERVICE_SCAN)), "--json"]) == 0
    first = capsys.readouterr().out
    document = json.loads(first)
    assert document["schema"] == "remediator/findings/v1"
    saved = tmp_path / "findings.json"
    saved.write_text(first)
    assert main(["ingest", str(saved), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    strip = [{k: v for k, v in f.items() if k != "source"} for f in document["findings"]]
    assert [{k: v for k, v in f.items() if k != "source"} for f in again["findings"]] == strip


def test_output_to_a_device_is_refused_and_keeps_the_device(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A device is never replaced, nor written into (``-o /dev/sda`` as root would be a disk)."""
    before = Path("/dev/null").stat()
    assert main(["ingest", str(corpus_path(SERVICE_SCAN)), "-o", "/dev/null"]) == 2
    assert "/dev/null: is a character device; refusing" in capsys.readouterr().err
    after = Path("/dev/null").stat()
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_help_teaches_formats_and_examples() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "remediator.cli", "ingest", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for expected in ("nessus", "openvas-csv", "examples:", "--inventory", "exit codes"):
        assert expected in result.stdout


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "ingest" in capsys.readouterr().out


def test_ingest_reads_through_the_same_boundary_as_plan(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`ingest` applies read_scan's limits: a whole-file format past the size cap is refused.

    The cap is lowered so a real corpus file stands for a multi-GiB report; `plan`
    refuses it through read_scan, and `ingest` must not read it whole either.
    """
    from remediator.ingest import reader

    scan = corpus_path("openvas/defectdojo_openvas_many_vuln.xml")
    monkeypatch.setattr(reader, "MAX_LOADED_BYTES", scan.stat().st_size - 1)
    assert main(["ingest", str(scan)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "too large for a openvas-xml file" in err[0]
