"""Ingest benchmark: remediator's nmap reader against python-libnmap and a bare XML pass.

Run from anywhere with the project's interpreter::

    .venv/bin/python bench/ingest/run.py [--hosts 65536] [--repeat 3]

It writes a synthetic ``nmap -sV`` XML of HOSTS hosts x 5 open ports (and one a quarter
that size) under ``bench/out/`` (git-ignored), then runs each contender in a fresh
process REPEAT times and prints, per contender, the best wall time, the CPU time of
that run and the highest peak RSS:

* ``remediator read_scan``: the reader alone, every HostReport consumed;
* ``remediator ingest CLI``: ``remediator ingest FILE --json -o bench/out/findings.json``,
  the reader plus JSON serialisation of every finding (skipped when the CLI is missing);
* ``libnmap``: ``NmapParser.parse_fromfile`` (reads the whole file, builds a tree);
* ``bare iterparse``: ``xml.etree.ElementTree.iterparse`` with ``elem.clear()``, the
  floor any Python XML reader stands on (C tree builder, no defusedxml);
* ``defusedxml no-op pass``: the file fed through ``xmlsafe.stream_elements`` (defusedxml's
  expat parser) into handlers that do nothing: the floor of remediator's own safe path.

The remediator CLI writes to a scratch file under ``bench/out/``, never ``-o /dev/null``:
the CLI writes a temp file next to its target and renames it over the target.

Peak RSS and CPU time come from ``os.wait4`` for that one child. The quarter-size file
is read by remediator too, to show that memory does not grow with the number of hosts.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
OUT = REPO / "bench" / "out"
PORTS_PER_HOST = 5

READ_SCAN = """
import sys
from pathlib import Path
from remediator.ingest.reader import read_scan
hosts = findings = 0
for report in read_scan(Path(sys.argv[1])):
    hosts += 1
    findings += len(report.findings)
print(hosts, findings)
"""

LIBNMAP = """
import sys
from libnmap.parser import NmapParser
report = NmapParser.parse_fromfile(sys.argv[1])
print(len(report.hosts), sum(len(host.services) for host in report.hosts))
"""

NOOP = """
import sys
from pathlib import Path
from remediator.ingest.xmlsafe import stream_elements
class Nothing:
    def start(self, name, attrs): pass
    def end(self, name): pass
    def text(self, data): pass
chunks = sum(1 for _ in stream_elements(Path(sys.argv[1]), sys.argv[1], Nothing()))
print(chunks)
"""

BARE = """
import sys
from xml.etree.ElementTree import iterparse
elements = 0
for _event, element in iterparse(sys.argv[1]):
    elements += 1
    element.clear()
print(elements)
"""


@dataclass(frozen=True)
class Run:
    """One contender on one file: best wall time, that run's CPU time, highest peak RSS."""

    name: str
    hosts: int
    wall: float
    cpu: float
    rss_mib: float
    output: str


def run_child(argv: list[str]) -> tuple[float, float, float, str]:
    """Run ``argv`` once; its wall time, CPU time, peak RSS (MiB) and output."""
    began = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=REPO)
    assert child.stdout is not None
    output = child.stdout.read().decode(errors="replace").strip()
    child.stdout.close()
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - began
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"{argv[:4]} failed with {child.returncode}:\n{output[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, output


def measure(name: str, argv: list[str], hosts: int, repeat: int) -> Run:
    """The fastest of ``repeat`` fresh-process runs (the machine may be busy)."""
    runs = [run_child(argv) for _ in range(repeat)]
    wall, cpu, _rss, output = min(runs)
    return Run(name, hosts, wall, cpu, max(run[2] for run in runs), output)


def scan_file(hosts: int) -> Path:
    """The synthetic scan of ``hosts`` hosts, generated once."""
    path = OUT / f"nmap-sV-{hosts}.xml"
    if not path.is_file():
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), str(path), str(hosts)], check=True
        )
    return path


def remediator_program() -> Path:
    """The installed ``remediator`` console script of this venv."""
    program = Path(sys.executable).parent / "remediator"
    if not program.is_file():
        sys.exit(f"{program} not found: install the project (pip install -e .) first")
    return program


def contenders(scan: Path) -> list[tuple[str, list[str]]]:
    """Name and command line of every contender for ``scan``."""
    python, program = sys.executable, str(remediator_program())
    return [
        ("remediator ingest", [program, "ingest", str(scan)]),
        ("remediator ingest -o JSON", [program, "ingest", str(scan), "-o", str(OUT / "f.json")]),
        ("remediator read_scan", [python, "-c", READ_SCAN, str(scan)]),
        ("libnmap parse_fromfile", [python, "-c", LIBNMAP, str(scan)]),
        ("bare iterparse", [python, "-c", BARE, str(scan)]),
        ("defusedxml no-op pass", [python, "-c", NOOP, str(scan)]),
    ]


def check_counts(run: Run) -> None:
    """The reader must have read every host and every port, or the timing means nothing."""
    if run.name == "remediator read_scan":
        expected = f"{run.hosts} {run.hosts * PORTS_PER_HOST}"
        if run.output != expected:
            sys.exit(f"remediator read {run.output!r}, expected {expected!r}")
    if run.name.startswith("remediator ingest"):
        expected = f"hosts: {run.hosts} up of {run.hosts}"
        if (
            expected not in run.output
            or f"open services: {run.hosts * PORTS_PER_HOST}" not in run.output
        ):
            sys.exit(f"remediator ingest printed {run.output!r}, expected {expected!r}")


def table(runs: list[Run]) -> str:
    """The results as a fixed-width table."""
    lines = [f"{'contender':<24} {'hosts':>7} {'wall s':>8} {'CPU s':>8} {'peak RSS MiB':>13}"]
    lines += [
        f"{r.name:<24} {r.hosts:>7} {r.wall:>8.2f} {r.cpu:>8.2f} {r.rss_mib:>13.1f}" for r in runs
    ]
    return "\n".join(lines)


def verdicts(by_name: dict[str, Run], quarter: Run) -> list[str]:
    """The ratios the targets are stated in, each with its target and outcome."""
    ours, lib, bare = (
        by_name["remediator ingest"],
        by_name["libnmap parse_fromfile"],
        by_name["bare iterparse"],
    )

    def line(label: str, value: float, target: str = "", met: bool = True) -> str:
        verdict = ("met" if met else "MISSED") if target else ""
        return f"{label:<50} {value:>6.2f}  target {target or '-':<8} {verdict}".rstrip()

    speed = lib.wall / ours.wall
    memory = ours.rss_mib / lib.rss_mib
    floor = ours.wall / bare.wall
    reader = by_name["remediator read_scan"]
    growth = reader.rss_mib / quarter.rss_mib
    export = by_name["remediator ingest -o JSON"]
    return [
        line("libnmap wall / remediator ingest wall", speed, ">= 3", speed >= 3),
        line("remediator ingest peak RSS / libnmap peak RSS", memory, "<= 0.10", memory <= 0.10),
        line("remediator ingest wall / bare iterparse wall", floor, "<= 2", floor <= 2),
        line(
            f"read_scan RSS {reader.hosts} / {quarter.hosts} hosts", growth, "< 1.1", growth < 1.1
        ),
        line("libnmap wall / remediator ingest -o JSON wall", lib.wall / export.wall),
        line("remediator ingest -o JSON wall / bare iterparse", export.wall / bare.wall),
        line(
            "read_scan wall / defusedxml no-op pass wall",
            reader.wall / by_name["defusedxml no-op pass"].wall,
        ),
    ]


def main() -> int:
    """Generate the scans, run every contender, print the table and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=65_536, help="hosts in the big scan")
    parser.add_argument("--repeat", type=int, default=3, help="runs per contender (best kept)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    full, small = scan_file(args.hosts), scan_file(args.hosts // 4)
    print(
        f"scan: {full.relative_to(REPO)} ({full.stat().st_size / 2**20:.0f} MiB, "
        f"{args.hosts} hosts x {PORTS_PER_HOST} open ports); python {sys.version.split()[0]}"
    )
    runs = [measure(name, argv, args.hosts, args.repeat) for name, argv in contenders(full)]
    quarter = measure(
        "remediator read_scan",
        [sys.executable, "-c", READ_SCAN, str(small)],
        args.hosts // 4,
        args.repeat,
    )
    for run in (*runs, quarter):
        check_counts(run)
    (OUT / "f.json").unlink(missing_ok=True)
    print(table([*runs, quarter]))
    print()
    print("\n".join(verdicts({run.name: run for run in runs}, quarter)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
