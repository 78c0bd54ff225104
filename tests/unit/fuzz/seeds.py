"""The real files the fuzz suite mutates, grouped by the format that reads them.

Scan seeds are the shared corpus (``tests/corpus.py``), each filed under the format
remediator detects for it. The corpus holds no file in remediator's own plain JSON or
CSV, so those seeds are written here by remediator's own writer from corpus findings: the
same bytes ``remediator ingest --json`` would produce, and the CSV columns of
docs/formats.md.
"""

from __future__ import annotations

import csv
import io
import json
from functools import cache
from pathlib import Path

from remediator.errors import ScanParseError
from remediator.ingest.findingset import load_findings
from remediator.ingest.jsonio import SCHEMA, finding_to_dict
from remediator.ingest.reader import choose_format
from remediator.ingest.registry import FORMATS
from tests.corpus import corpus_files, corpus_path

PLAIN_FROM = ("nmap/libnmap_dionaea_scan.xml", "openvas/dradis_openvas_report_v7.xml")
"""Corpus scans whose findings become the plain JSON and CSV seeds."""

CSV_COLUMNS = ("address", "protocol", "port", "check_id", "title", "severity", "service")


@cache
def corpus_by_format() -> dict[str, tuple[bytes, ...]]:
    """Every corpus file's bytes under its detected format name ('none' when refused)."""
    groups: dict[str, list[bytes]] = {f.name: [] for f in FORMATS}
    groups["none"] = []
    for path in corpus_files():
        try:
            name = choose_format(path).name
        except ScanParseError:
            name = "none"
        groups[name].append(path.read_bytes())
    groups["json"] = list(_plain_json())
    groups["csv"] = list(_plain_csv())
    return {name: tuple(files) for name, files in groups.items()}


@cache
def every_seed() -> tuple[bytes, ...]:
    """All seeds, each format equally likely however many corpus files it has.

    Picked by file, nmap (14 files) would crowd out masscan or plain JSON (one or two).
    """
    groups = [files for files in corpus_by_format().values() if files]
    most = max(len(files) for files in groups)
    return tuple(files[i % len(files)] for files in groups for i in range(most))


def seeds_for(format_name: str) -> tuple[bytes, ...]:
    """The seeds of one format; every format has at least one."""
    seeds = corpus_by_format()[format_name]
    assert seeds, f"no seed for {format_name}"
    return seeds


def _findings_of(relative: str) -> list[dict[str, object]]:
    found = load_findings([corpus_path(relative)])
    return [finding_to_dict(finding, None) for finding in found.findings]


def _plain_json() -> list[bytes]:
    docs = []
    for relative in PLAIN_FROM:
        doc = {"schema": SCHEMA, "findings": _findings_of(relative), "unmatched": []}
        docs.append(json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"))
    return docs


def _plain_csv() -> list[bytes]:
    docs = []
    for relative in PLAIN_FROM:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for finding in _findings_of(relative):
            writer.writerow(["" if finding.get(c) is None else finding.get(c) for c in CSV_COLUMNS])
        docs.append(out.getvalue().encode("utf-8"))
    return docs


def text_seed(path: Path) -> bytes:
    """A repository file's bytes (the policy and catalog seeds)."""
    return path.read_bytes()
