"""``remediator report RUN -o DIR``: load the run's evidence and write the bundle;
``remediator report --verify DIR``: check a bundle (and a runs directory's chain) offline."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from remediator.common.text import shown
from remediator.errors import InputError
from remediator.report.dispute.build import load_package
from remediator.report.dispute.render import clear_pages, write_package
from remediator.report.load import load_evidence
from remediator.report.manifest import (
    TamperedError,
    manifest_of,
    previous_digest,
    verify_bundle,
    verify_chain,
    verify_link,
    write_manifest,
)
from remediator.report.model import Evidence, ReportOptions
from remediator.report.render import write_report
from remediator.run.records.record import open_run


def run_report(asked: ReportOptions) -> int:
    """The ``report`` handler: 0 when written (the verdict itself is verify's exit code);
    with ``--verify``, 0 intact and 1 tampered."""
    if asked.verify is not None:
        return verify_report(asked.verify, asked.runs_dir if asked.chain else None)
    if asked.run is None or asked.output is None:
        raise InputError("report: give RUN and -o DIR (or --verify DIR)")
    record = open_run(asked.run, asked.runs_dir)
    previous = previous_digest(record.path)
    evidence = load_evidence(record.path)
    evidence = replace(evidence, run=replace(evidence.run, previous_manifest=previous))
    json_path, html_path = write_report(evidence, asked.output)
    dispute, dispute_line = _dispute(record.path, evidence, asked.output, asked.dispute)
    files = (html_path, json_path, *dispute)
    manifest = manifest_of(evidence.run.run_id, asked.output, files, previous)
    manifest_path = write_manifest(record.path, asked.output, manifest)
    for line in evidence.summary_lines():
        sys.stdout.write(f"{shown(line)}\n")
    sys.stdout.write(
        f"evidence: {shown(html_path)}\n          {shown(json_path)}\n"
        f"          {shown(manifest_path)}\n"
    )
    sys.stdout.write(dispute_line)
    return 0


def _dispute(
    run_dir: Path, evidence: Evidence, output: Path, wanted: bool
) -> tuple[tuple[Path, ...], str]:
    """The ASV dispute pages written into the bundle and the line that names them; with
    ``--no-dispute`` none, and an earlier report's pages removed (the manifest must list
    every file of the bundle, and a stale page must not read as current)."""
    if not wanted:
        clear_pages(output)
        return (), ""
    package = load_package(run_dir, evidence)
    written = write_package(package, output)
    if not written:
        return (), ""
    return (
        written,
        f"dispute:  {shown(written[-1])} ({len(package.cases)} findings, HTML and PDF)\n",
    )


def verify_report(bundle: Path, runs_dir: Path | None) -> int:
    """One line: ``intact: N files`` (0), or the first altered, missing or extra file or
    broken link (1)."""
    if not bundle.is_dir():
        raise InputError(f"{bundle}: no such folder")
    try:
        files = verify_bundle(bundle)
        links = None
        if runs_dir is not None:
            verify_link(bundle, runs_dir)
            links = verify_chain(runs_dir)
    except TamperedError as exc:
        sys.stdout.write(f"{shown(str(exc))}\n")
        return 1
    chained = "" if links is None else f", chain of {links} runs"
    sys.stdout.write(f"intact: {files} files{chained}\n")
    return 0
