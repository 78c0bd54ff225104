"""``remediator report``: argument parsing only; the work is imported when it runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from remediator.clitools import add_runs_dir, add_verb, lazy_options, options_from
from remediator.errors import InputError
from remediator.report.model import ReportOptions

DESCRIPTION = """\
Write the auditor's evidence of a verified run: evidence.html (one self-contained
page, for screen and print) and evidence.json, with the same state words. Per host and
finding: the scanner's evidence, the verdict and its reason, the policy entry or the
exception and its expiry, what changed (the diff), when, in which window, approved by
whom under which ticket, the snapshot kept, the tests and the rescan; a summary to
attach to an ASV rescan request or dispute; and what remains for a person.
Run `remediator verify RUN` first.

The bundle also holds manifest.json: the sha256 of each of its files, and the sha256 of
the previous run's manifest in the same runs directory (evidence.json carries it as
run.previous_manifest); the run record keeps the same bytes as evidence-manifest.json,
so the runs directory holds a chain. `--verify DIR` checks a bundle offline against its
manifest; with --runs-dir also that it is the manifest its run keeps there, and that
directory's whole chain. (Not signed.)

For each finding under a policy exception (or one whose exception expired) and each
finding only a person can fix, the bundle also holds dispute/<host>-<proto>-<port>-<n>.html
and .pdf: the page an admin hands the ASV to dispute the finding or document a
compensating control, listed in dispute/index.html. --no-dispute skips them.
"""

EPILOG = """\
examples:
  remediator report 20261125T221503Z-apply-3f9c2a -o evidence
  remediator report runs/20261125T221503Z-apply-3f9c2a -o /srv/audit/q3 --runs-dir runs
  remediator report --verify /srv/audit/q3
  remediator report --verify /srv/audit/q3 --runs-dir runs

exit codes: 0 written (with --verify: intact), 1 with --verify: a file altered, missing
or not in the manifest, a manifest that fails its schema, or a broken chain (named),
2 bad input (no such run, not verified yet, unreadable record, RUN or -o missing).
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``report`` to the top-level parser."""
    parser = add_verb(
        subparsers,
        "report",
        summary="write the evidence (HTML and JSON) of a verified run, or verify a bundle",
        description=DESCRIPTION,
        epilog=EPILOG,
    )
    parser.add_argument(
        "run", metavar="RUN", nargs="?", help="run id (under --runs-dir) or run directory"
    )
    parser.add_argument(
        "-o", "--output", type=Path, metavar="DIR", help="directory to write (required with RUN)"
    )
    parser.add_argument(
        "--verify",
        type=Path,
        metavar="DIR",
        help="check the bundle at DIR against its manifest.json instead of writing one",
    )
    parser.add_argument(
        "--no-dispute",
        dest="dispute",
        action="store_false",
        help="skip the ASV dispute pages (dispute/: HTML and PDF per excepted or manual finding)",
    )
    add_runs_dir(parser)
    parser.set_defaults(
        runs_dir=None,
        func=lazy_options("remediator.report.commands", "run_report", _options),
    )


def _options(args: argparse.Namespace) -> ReportOptions:
    """The options; a usage error (exit 2) for RUN with --verify, or RUN/-o missing without."""
    if args.verify is not None and (args.run is not None or args.output is not None):
        raise InputError("report: --verify DIR takes no RUN and no -o")
    if args.verify is None and (args.run is None or args.output is None):
        raise InputError("report: give RUN and -o DIR (or --verify DIR)")
    chain = args.runs_dir is not None
    runs_dir = args.runs_dir if chain else Path("runs")
    return options_from(ReportOptions, args, runs_dir=runs_dir, chain=chain)
