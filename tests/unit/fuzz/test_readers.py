"""No traceback from any scan: every reader, fed mutated real files, ends in hosts or one line.

Each format is forced onto every input (as ``--format`` would), so a reader also meets
files its sniffer would have sent elsewhere; auto-detection is fuzzed as a whole too.
The contract is the one ``read_scan`` promises: reports, or a ScanParseError whose
message is a single line naming the file. Anything else escaping is a crash.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remediator.errors import InputError, ScanParseError
from remediator.ingest import reader
from remediator.ingest.findingset import load_findings
from remediator.ingest.model import HostReport
from remediator.ingest.registry import FORMATS, ScanFormat
from tests.unit.fuzz.mutations import Blob, blobs, fuzz_settings, hostile_bytes, time_limit
from tests.unit.fuzz.seeds import every_seed, seeds_for

PER_FORMAT = 120
"""Examples per format in CI (13 formats, 1560 in all)."""


@pytest.fixture(scope="module")
def scan_file() -> Iterator[Path]:
    """One file each example overwrites (hypothesis examples cannot use tmp_path)."""
    with tempfile.TemporaryDirectory(prefix="remediator-fuzz-") as folder:
        yield Path(folder) / "scan"


def assert_one_line(error: InputError, path: Path) -> None:
    message = str(error)
    assert message.startswith(f"{path}: "), message
    assert "\n" not in message and "\r" not in message, repr(message)


def read_as(scan_format: ScanFormat, path: Path) -> list[HostReport]:
    """``read_scan`` with its format forced: the real boundary, any reader behind it."""
    with mock.patch.object(reader, "choose_format", return_value=scan_format):
        return list(reader.read_scan(path))


@pytest.mark.timeout(time_limit(120))
@pytest.mark.parametrize("scan_format", FORMATS, ids=lambda f: f.name)
def test_each_reader_ends_in_reports_or_one_line(scan_format: ScanFormat, scan_file: Path) -> None:
    seeds = seeds_for(scan_format.name)

    @fuzz_settings(PER_FORMAT)
    @given(blob=blobs(hostile_bytes(seeds, every_seed())))
    def reads_or_refuses(blob: Blob) -> None:
        data = blob.payload()
        scan_file.write_bytes(data)
        try:
            reports = read_as(scan_format, scan_file)
        except ScanParseError as error:
            assert_one_line(error, scan_file)
            return
        for report in reports:
            assert isinstance(report, HostReport)

    reads_or_refuses()


@pytest.mark.timeout(time_limit(120))
@fuzz_settings(300)
@given(blob=blobs(hostile_bytes(every_seed())))
def test_detection_and_loading_end_in_findings_or_one_line(blob: Blob) -> None:
    """What ``ingest``, ``plan`` and ``policy init`` do first: detect, read, map hosts."""
    data = blob.payload()
    with tempfile.TemporaryDirectory(prefix="remediator-fuzz-") as folder:
        path = Path(folder) / "scan"
        path.write_bytes(data)
        try:
            load_findings([path])
        except InputError as error:
            assert_one_line(error, path)


@pytest.mark.timeout(time_limit(60))
@fuzz_settings(200)
@given(blob=blobs(st.binary(max_size=4096)))
def test_random_bytes_end_in_findings_or_one_line(blob: Blob) -> None:
    data = blob.payload()
    with tempfile.TemporaryDirectory(prefix="remediator-fuzz-") as folder:
        path = Path(folder) / "scan"
        path.write_bytes(data)
        try:
            load_findings([path])
        except InputError as error:
            assert_one_line(error, path)
