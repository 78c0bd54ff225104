"""``remediator report RUN -o DIR``: load the run's evidence and write both files."""

from __future__ import annotations

import sys

from remediator.common.text import shown
from remediator.report.load import load_evidence
from remediator.report.model import ReportOptions
from remediator.report.render import write_report
from remediator.run.records.record import open_run


def run_report(asked: ReportOptions) -> int:
    """The ``report`` handler: 0 when written (the verdict itself is verify's exit code)."""
    record = open_run(asked.run, asked.runs_dir)
    evidence = load_evidence(record.path)
    json_path, html_path = write_report(evidence, asked.output)
    for line in evidence.summary_lines():
        sys.stdout.write(f"{shown(line)}\n")
    sys.stdout.write(f"evidence: {shown(html_path)}\n          {shown(json_path)}\n")
    return 0
