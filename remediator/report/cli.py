"""``remediator report``: argument parsing only; the work is imported when it runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from remediator.clitools import add_runs_dir, add_verb, lazy_options, options_from
from remediator.report.model import ReportOptions

DESCRIPTION = """\
Write the auditor's evidence of a verified run: evidence.html (one self-contained
page, for screen and print) and evidence.json, with the same state words. Per host and
finding: the scanner's evidence, the verdict and its reason, the policy entry or the
exception and its expiry, what changed (the diff), when, in which window, approved by
whom under which ticket, the snapshot kept, the tests and the rescan; a summary to
attach to an ASV rescan request or dispute; and what remains for a person.
Run `remediator verify RUN` first.
"""

EPILOG = """\
examples:
  remediator report 20261125T221503Z-apply-3f9c2a -o evidence
  remediator report runs/20261125T221503Z-apply-3f9c2a -o /srv/audit/q3 --runs-dir runs

exit codes: 0 written, 2 bad input (no such run, not verified yet, unreadable record).
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``report`` to the top-level parser."""
    parser = add_verb(
        subparsers,
        "report",
        summary="write the evidence (HTML and JSON) of a verified run",
        description=DESCRIPTION,
        epilog=EPILOG,
    )
    parser.add_argument("run", metavar="RUN", help="run id (under --runs-dir) or run directory")
    parser.add_argument(
        "-o", "--output", type=Path, required=True, metavar="DIR", help="directory to write"
    )
    add_runs_dir(parser)
    parser.set_defaults(func=lazy_options("remediator.report.commands", "run_report", _options))


def _options(args: argparse.Namespace) -> ReportOptions:
    return options_from(ReportOptions, args)
