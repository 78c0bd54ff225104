"""Parser cost benchmark: time and memory at N and 2N bytes, pathological and real shapes.

Run from anywhere with the project's interpreter::

    .venv/bin/python bench/parsers/run.py [--repeat 3] [--scale 1.0]

For every shape it writes the file at N and at 2N bytes under ``bench/out/parsers/``
(git-ignored) and reads each with ``remediator.ingest.read_scan`` in a fresh process,
REPEAT times. The child times the read alone (CPU seconds, ``time.process_time`` around it:
on a machine shared with other jobs, wall time measures the neighbours) and its peak RSS
growth over the read (``VmHWM`` after the read minus ``VmRSS`` before it, both from
``/proc/self/status``: ``ru_maxrss`` would carry the parent's size across the exec).
Per shape it prints:

* ``2N/N time``: the best time at 2N over the best at N. Linear work gives 2; the target
  is at most 2.2. A quadratic parser gives 4;
* ``N MiB/`` and ``2N MiB/``: peak RSS growth per MiB of input at N and 2N. For filler
  the target is at most 6 (16 MB of filler may not cost more than about 100 MB); a
  real-shaped file costs what its reader keeps, and must cost the same per MiB at 2N;
* how the file ended: ``read`` (every report consumed) or ``refused`` (one clean
  ScanParseError, the bounded way to end filler).

Shapes: one long comment, processing instruction and CDATA section of ``<`` in an nmap
file (expat re-scans an unfinished token on every feed); ``<x/>`` filler between two
OpenVAS results; ``[]`` filler in a plain findings JSON document; and real-shaped nmap,
OpenVAS and plain JSON reports. All of it takes a minute or two on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
OUT = REPO / "bench" / "out" / "parsers"
sys.path.insert(0, str(HERE))

import shapes  # noqa: E402  (a sibling module, found through the path set just above)

MIB = 1 << 20
TIME_TARGET = 2.2
MEMORY_TARGET = 6.0

CHILD = """
import sys, time
from pathlib import Path
from remediator.errors import ScanParseError
from remediator.ingest.reader import read_scan
import remediator.ingest.formats.nmap, remediator.ingest.formats.openvas_xml
import remediator.ingest.formats.plain_json
def status(key):
    with open("/proc/self/status") as lines:
        return next(int(line.split()[1]) for line in lines if line.startswith(key))
path = Path(sys.argv[1])
before = status("VmRSS:")
began = time.process_time()
reports, outcome = 0, "read"
try:
    for _report in read_scan(path):
        reports += 1
except ScanParseError as exc:
    outcome = "refused: " + exc.problem[:60]
elapsed = time.process_time() - began
after = status("VmHWM:")
print(elapsed, (after - before) / 1024, reports, outcome, sep="\\t")
"""


@dataclass(frozen=True)
class Shape:
    """One kind of file, written at a given size by ``write``."""

    name: str
    size: int
    write: Callable[[int, Path], bytes]
    suffix: str = ".xml"
    filler: bool = True
    """Pathological: held to MEMORY_TARGET per MiB. A real-shaped file's cost is what its
    reader keeps (OpenVAS and plain JSON group every finding by host before the first
    comes out), so it is held to staying the same per MiB at N and 2N instead."""


@dataclass(frozen=True)
class Reading:
    """One file read REPEAT times: best time, highest RSS growth, outcome."""

    size: int
    seconds: float
    growth_mib: float
    outcome: str


def shape_list(scale: float) -> list[Shape]:
    """Every shape at its N (MiB before scaling): under MAX_RUN at 2N for the tokens."""

    def n(mib: float) -> int:
        return int(mib * scale * MIB)

    return [
        Shape("nmap comment of '<'", n(6), shapes.nmap_with(shapes.comment)),
        Shape("nmap processing instruction", n(6), shapes.nmap_with(shapes.processing_instruction)),
        Shape("nmap CDATA of '<'", n(6), shapes.nmap_with(shapes.cdata)),
        Shape("OpenVAS <x/> between results", n(4), shapes.openvas_filler),
        Shape("plain JSON [] filler", n(8), shapes.json_filler, ".json"),
        Shape("nmap real-shaped", n(16), shapes.nmap_scan, filler=False),
        Shape("OpenVAS real-shaped", n(8), shapes.openvas_large, filler=False),
        Shape("plain JSON real-shaped", n(8), shapes.json_large, ".json", filler=False),
    ]


def read_once(path: Path) -> tuple[float, float, str]:
    """Read ``path`` in a fresh process: seconds, RSS growth (MiB), outcome."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        check=False,
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode != 0:
        sys.exit(f"reading {path} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    seconds, growth, reports, outcome = done.stdout.strip().split("\t")
    if outcome == "read" and int(reports) == 0:
        sys.exit(f"{path}: read, but no report came out; the timing would mean nothing")
    return float(seconds), float(growth), outcome


def measure(shape: Shape, size: int, repeat: int) -> Reading:
    """Write ``shape`` at ``size`` and read it ``repeat`` times."""
    data = shape.write(size, OUT)
    slug = "".join(c if c.isalnum() else "-" for c in shape.name).strip("-")
    path = OUT / f"{slug}-{size}{shape.suffix}"
    path.write_bytes(data)
    length = len(data)
    del data
    runs = [read_once(path) for _ in range(repeat)]
    path.unlink()
    return Reading(
        length, min(r[0] for r in runs), max(r[1] for r in runs), runs[0][2].split(":")[0]
    )


def row(shape: Shape, small: Reading, large: Reading) -> tuple[str, bool]:
    """One table line and whether the shape met its targets."""
    ratio = large.seconds / small.seconds
    per_small = small.growth_mib / (small.size / MIB)
    per_large = large.growth_mib / (large.size / MIB)
    if shape.filler:
        memory_met = max(per_small, per_large) <= MEMORY_TARGET
    else:
        memory_met = per_large <= per_small * 1.15 + 0.5
    met = ratio <= TIME_TARGET and memory_met
    outcome = small.outcome if small.outcome == large.outcome else "differs"
    line = (
        f"{shape.name:<30} {small.size / MIB:>6.1f} {small.seconds:>7.3f} {large.seconds:>7.3f}"
        f" {ratio:>6.2f} {per_small:>7.2f} {per_large:>7.2f}"
        f"  {outcome:<8} {'met' if met else 'MISSED'}"
    )
    return line, met


def main() -> int:
    """Measure every shape at N and 2N and print the ratios against their targets."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="reads per file (best time kept)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every N by this")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    print(
        f"python {sys.version.split()[0]}; best of {args.repeat}; CPU seconds of the read; "
        f"targets: 2N/N time <= {TIME_TARGET}; peak RSS growth per MiB of input <= "
        f"{MEMORY_TARGET} for filler, the same at N and 2N (+15%) for real-shaped files"
    )
    print(
        f"{'shape':<30} {'N MiB':>6} {'N s':>7} {'2N s':>7} {'2N/N':>6} "
        f"{'N MiB/':>7} {'2N MiB/':>7}  outcome  verdict"
    )
    all_met = True
    for shape in shape_list(args.scale):
        small = measure(shape, shape.size, args.repeat)
        large = measure(shape, 2 * shape.size, args.repeat)
        line, met = row(shape, small, large)
        all_met = all_met and met
        print(line, flush=True)
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
