"""Parser cost: work linear in the input, memory a bounded multiple of it, on every format.

No wall-clock time here (bench/parsers measures that). Instead:

* the *work* is the bytes expat scans, counted by a wrapper around every expat parser
  made during the test: expat re-scans an unfinished token (a comment, a processing
  instruction, a start tag) from its start on every feed, so one long token fed in fixed
  chunks is scanned again and again, the quadratic term. Linear work keeps the total a
  small multiple of the file;
* memory is tracemalloc's peak while every report is consumed, per byte of filler added
  to a real file, over the same file without the filler.
"""

from __future__ import annotations

import re
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.parsers import expat

import pytest

from remediator.errors import ScanParseError
from remediator.ingest.reader import read_scan
from tests.corpus import XML_FILES, corpus_path

TOKEN = 4 << 20
"""Length of the one long token at N (the test reads N and 2N): four pyexpat steps."""

SHAPES: dict[str, Callable[[int], bytes]] = {
    "comment": lambda n: b"<!-- " + b"<" * n + b" -->",
    "processing instruction": lambda n: b"<?filler " + b"<" * n + b" ?>",
    "cdata": lambda n: b"<![CDATA[" + b"<" * n + b"]]>",
}
LONG_TAG: Callable[[int], bytes] = lambda n: b'<filler a="' + b"x" * n + b'"/>'  # noqa: E731


def with_payload(original: bytes, payload: bytes) -> tuple[bytes, int]:
    """``original`` with ``payload`` before its root's closing tag; the payload's offset."""
    closing = list(re.finditer(rb"</[A-Za-z_][\w.:-]*\s*>", original))[-1]
    at = closing.start()
    return original[:at] + payload + original[at:], at


PYEXPAT_STEP = 1 << 20
"""pyexpat hands expat at most 1 MiB per call (``MAX_CHUNK_SIZE`` in Modules/pyexpat.c):
one ``Parse`` of a bigger buffer is several feeds, each re-scanning what expat holds."""


class _CountingExpat:
    """An expat parser that counts the bytes it scans: its whole work.

    Each feed scans what it is given plus what expat kept from earlier feeds: the bytes
    from the start of the token it could not finish (``CurrentByteIndex``) to the end
    of what it was fed. pyexpat splits one ``Parse`` into feeds of 1 MiB, and within
    one call the kept token is counted as if it never finished (an upper bound).
    Everything else is forwarded to the real parser.
    """

    def __init__(self, real: Any, work: list[int]) -> None:
        object.__setattr__(self, "_real", real)
        object.__setattr__(self, "_work", work)
        object.__setattr__(self, "_fed", 0)
        work.append(0)

    def Parse(self, data: bytes | str, final: bool = False) -> int:  # noqa: N802
        kept = self._fed - max(self._real.CurrentByteIndex, 0)
        size = len(data.encode() if isinstance(data, str) else data)
        for offset in range(0, size, PYEXPAT_STEP):
            self._work[-1] += kept + offset + min(PYEXPAT_STEP, size - offset)
        object.__setattr__(self, "_fed", self._fed + size)
        return int(self._real.Parse(data, final))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._real, name, value)


@pytest.fixture
def expat_work(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The bytes each expat parser created during the test scanned, one entry per parser."""
    work: list[int] = []
    real_create = expat.ParserCreate

    def counting_create(*args: Any, **kwargs: Any) -> Any:
        return _CountingExpat(real_create(*args, **kwargs), work)

    monkeypatch.setattr(expat, "ParserCreate", counting_create)
    return work


def consume(path: Path) -> str:
    """Read every report of ``path``; the one-line problem when it is refused."""
    try:
        for _report in read_scan(path):
            pass
    except ScanParseError as exc:
        return exc.problem
    return ""


def expat_work_for(tmp_path: Path, scan_format: str, payload: bytes, work: list[int]) -> int:
    """Bytes scanned by every expat parser while ``payload`` in a real file is read."""
    data, _at = with_payload(corpus_path(XML_FILES[scan_format]).read_bytes(), payload)
    path = tmp_path / f"payload_{len(payload)}.xml"
    path.write_bytes(data)
    work.clear()
    problem = consume(path)
    assert "Traceback" not in problem
    assert work, "no expat parser was used"
    return sum(work)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("scan_format", sorted(XML_FILES))
def test_one_long_token_costs_linear_work(
    tmp_path: Path, scan_format: str, shape: str, expat_work: list[int]
) -> None:
    """Twice the token, at most 2.2 times the work (a quadratic reader does 4 times)."""
    single = expat_work_for(tmp_path, scan_format, SHAPES[shape](TOKEN), expat_work)
    double = expat_work_for(tmp_path, scan_format, SHAPES[shape](2 * TOKEN), expat_work)
    assert double <= 2.2 * single, (
        f"{scan_format}: a {shape} of {2 * TOKEN >> 20} MiB costs {double / single:.2f} times "
        f"the work of one of {TOKEN >> 20} MiB"
    )


@pytest.mark.timeout(120)
@pytest.mark.parametrize("scan_format", sorted(XML_FILES))
def test_one_long_tag_costs_bounded_work(
    tmp_path: Path, scan_format: str, expat_work: list[int]
) -> None:
    """A tag may be 16 MiB; pyexpat's 1 MiB steps bound its work to a few times its length."""
    payload = LONG_TAG(8 * TOKEN)
    work = expat_work_for(tmp_path, scan_format, payload, expat_work)
    assert work <= 10 * len(payload), f"{scan_format}: {work / len(payload):.1f} times the tag"


def traced_peak(path: Path) -> tuple[int, str]:
    """tracemalloc's peak (bytes) while every report of ``path`` is consumed."""
    tracemalloc.start()
    try:
        problem = consume(path)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, problem


FILLER = 2 << 20
MAX_COST_PER_FILLER_BYTE = 6
"""16 MiB of filler may cost about 100 MB: six bytes of memory per byte of filler."""


def openvas_filler(where: str) -> Callable[[bytes], bytes]:
    def add(original: bytes) -> bytes:
        if where == "between results":
            at = original.index(b"<result ")
        else:  # inside one result, among its own children
            at = original.index(b"<nvt ", original.index(b"<result "))
        return original[:at] + b"<x/>" * (FILLER // 4) + original[at:]

    return add


def json_filler(key: str) -> Callable[[bytes], bytes]:
    """A key holding FILLER bytes of empty lists, last in the top-level object."""

    def add(original: bytes) -> bytes:
        at = original.rindex(b"}")
        filler = b"[]," * (FILLER // 3)
        return original[:at] + b', "' + key.encode() + b'": [' + filler + b"[]]" + original[at:]

    return add


MEMORY_CASES: dict[str, tuple[str, Callable[[bytes], bytes]]] = {
    "openvas <x/> between results": (
        "openvas/defectdojo_openvas_many_vuln.xml",
        openvas_filler("between results"),
    ),
    "openvas <x/> inside a result": (
        "openvas/defectdojo_openvas_many_vuln.xml",
        openvas_filler("inside a result"),
    ),
    "sslyze [] filler": ("other/securecodebox_sslyze_tls_v1_0_badssl.json", json_filler("x")),
    "masscan [] filler in a record": (
        "other/defectdojo_masscan_many_vuln.json",
        json_filler("x"),
    ),
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", sorted(MEMORY_CASES))
def test_filler_costs_bounded_memory_per_byte(tmp_path: Path, case: str) -> None:
    relative, add_filler = MEMORY_CASES[case]
    original = corpus_path(relative).read_bytes()
    plain = tmp_path / f"plain{Path(relative).suffix}"
    plain.write_bytes(original)
    filled = tmp_path / f"filled{Path(relative).suffix}"
    filled.write_bytes(add_filler(original))
    base, problem = traced_peak(plain)
    assert problem == ""
    peak, problem = traced_peak(filled)
    assert "not a scan format" not in problem
    per_byte = (peak - base) / FILLER
    assert per_byte <= MAX_COST_PER_FILLER_BYTE, f"{case}: {per_byte:.1f} bytes per filler byte"


@pytest.mark.timeout(120)
def test_plain_json_filler_costs_bounded_memory_per_byte(tmp_path: Path) -> None:
    source = tmp_path / "scan.json"
    from remediator.cli import main

    assert main(["ingest", str(corpus_path(XML_FILES["nessus"])), "-o", str(source)]) == 0
    original = source.read_bytes()
    base, problem = traced_peak(source)
    assert problem == ""
    filled = tmp_path / "filled.json"
    filled.write_bytes(json_filler("x")(original))
    peak, problem = traced_peak(filled)
    assert "not a scan format" not in problem
    per_byte = (peak - base) / FILLER
    assert per_byte <= MAX_COST_PER_FILLER_BYTE, f"plain JSON: {per_byte:.1f} bytes per filler byte"
