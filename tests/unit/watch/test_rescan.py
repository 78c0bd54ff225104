"""``watch --rescan-command``: verify's own rescan, over every TCP port of the run's addresses.

The "scanner" is a small Python script that copies the accepted nmap XML of the address
family it is asked for to ``{output}`` and logs its argv: the plumbing runs end to end
without sending a packet anywhere.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Collection, Sequence
from pathlib import Path

import pytest

from remediator.cli import main
from remediator.common import providers
from remediator.common.providers import RescanFiles
from remediator.verify.originals import originals_from_plan
from remediator.verify.userscan import rescan_with_command
from remediator.watch.newscan import EVERY_TCP_PORT, watch_scope
from tests.unit.verify.labdata import lab_plan

from .runrecord import accepted_scans, verified_run, with_port

FAKE = """
import json, shutil, sys
v4, v6, log = sys.argv[1:4]
out = sys.argv[sys.argv.index("-oX") + 1]
shutil.copy(v6 if "-6" in sys.argv else v4, out)
with open(log, "a") as f:
    f.write(json.dumps(sys.argv[4:]) + "\\n")
"""


def fake_scanner(folder: Path) -> tuple[str, Path]:
    """The ``--rescan-command`` of the fake scanner, and the log of its argv (a line a run)."""
    v4, v6 = accepted_scans(folder / "accepted")
    script, log = folder / "fake-scanner.py", folder / "scanner.log"
    script.write_text(FAKE, encoding="utf-8")
    words = f"{sys.executable} {script} {v4} {v6} {log}"
    return f"{words} {{v6}} -p {{ports}} -oX {{output}} {{targets}}", log


def test_the_scope_is_every_tcp_port_and_the_udp_ports_the_run_knew() -> None:
    scope = watch_scope(originals_from_plan(lab_plan(), "plan.json"))
    assert len(scope.addresses) == 10
    assert {p for p in scope.ports if p[0] == "tcp"} == EVERY_TCP_PORT
    assert {p for p in scope.ports if p[0] == "udp"} == {("udp", 111), ("udp", 161), ("udp", 11211)}


def test_the_scanner_is_asked_for_every_tcp_port_in_one_argument(tmp_path: Path) -> None:
    command, log = fake_scanner(tmp_path)
    scope = watch_scope(originals_from_plan(lab_plan(), "plan.json"))
    assert len(rescan_with_command(command, scope, tmp_path / "rescan")) == 2
    for words in map(json.loads, log.read_text("utf-8").splitlines()):
        assert words[words.index("-p") + 1] == "T:1-65535,U:111,161,11211"


def test_a_rescan_by_command_reads_back_like_the_accepted_scan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = tmp_path / "runs"
    run = verified_run(runs)
    command, log = fake_scanner(tmp_path)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    argv = ["watch", "--runs-dir", str(runs), "--rescan-command", command, "--json", "-"]
    code = main([*argv, "--rescan-source", "203.0.113.5", "--as-of", "2026-11-25"])
    out, err = capsys.readouterr()
    assert code == 0, err
    document = json.loads(out)
    assert document["scan"] == {
        "source": "rescan",
        "files": [],
        "formats": ["nmap"],
        "scanned_from": ["203.0.113.5"],
    }
    assert document["silent"] == []  # every address of the run answered
    runs_made = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
    outputs = [Path(words[words.index("-oX") + 1]) for words in runs_made]
    assert len(outputs) == 2 and all(p.is_relative_to(tmp_path / "tmp") for p in outputs)
    assert list((tmp_path / "tmp").iterdir()) == []  # watch's scan files went with its folder
    assert not (run / "rescan").exists()  # the run record keeps only verify's own rescan


class FakeProvider:
    """A place reached from a namespace of its own (as the lab is): it "rescans" by copying
    the accepted scans, and keeps what it was asked."""

    def __init__(self, scans: tuple[Path, ...]) -> None:
        self.scans = scans
        self.asked: list[tuple[str, tuple[str, ...], frozenset[tuple[str, int]]]] = []

    def namespace_for(self, hosts: object, where: str) -> str | None:
        return None

    def rescan(
        self,
        namespace: str,
        addresses: Sequence[str],
        ports: Collection[tuple[str, int]],
        folder: Path,
        state_dir: Path | None,
        *,
        kinds: Collection[str] = (),
    ) -> RescanFiles | None:
        self.asked.append((namespace, tuple(addresses), frozenset(ports)))
        folder.mkdir(parents=True, exist_ok=True)
        files = tuple(Path(shutil.copy(scan, folder / scan.name)) for scan in self.scans)
        return RescanFiles(files, ("10.213.0.1", "fd00:213::1"))


def test_rescan_comes_from_the_namespace_the_run_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = tmp_path / "runs"
    run = verified_run(runs)
    info = json.loads((run / "run.json").read_text("utf-8"))
    (run / "run.json").write_text(json.dumps({**info, "network_namespace": "site-ns"}), "utf-8")
    place = FakeProvider(with_port(accepted_scans(tmp_path / "accepted"), tmp_path / "new",
                                   "fd00:213::10", 8765))  # fmt: skip
    monkeypatch.setattr(providers, "_PROVIDERS", [place])
    code = main(["watch", "--runs-dir", str(runs), "--rescan", "--as-of", "2026-11-25"])
    out, err = capsys.readouterr()
    assert code == 1, err
    assert "new       legacy.lab fd00:213::10 tcp/8765 open-port" in out
    [(namespace, addresses, ports)] = place.asked
    assert namespace == "site-ns" and len(addresses) == 10
    assert ports >= EVERY_TCP_PORT
