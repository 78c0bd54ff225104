"""``remediator verify``: argument parsing only; the work is imported when it runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from remediator.clitools import lazy

DESCRIPTION = """\
Prove a run: every host's generated testinfra suite (in parallel over the inventory)
and, with --rescan, a rescan of the affected hosts and ports, compared with the run's
original findings by (address, protocol, port, kind), so an nmap rescan can confirm a
Nessus or Qualys finding. Each finding ends as one of:

  resolved  fixed, confirmed by the rescan or the tests
  open      still there (an allowed service: still answering, as it must)
  new       in the rescan, not in the original scan
  excepted  left alone under an active policy exception (its expiry is shown)
  manual    needs a person (patch, certificate, replacement)
  unknown   not judgeable: the host did not answer the rescan, or nothing covers it

The result is written to RUN/verify.json, which `remediator report` reads.
"""

EPILOG = """\
exit codes: 0 every fixable finding resolved, no allowed service broke, nothing
blocking is new; 1 otherwise; 2 bad input; 3 refused (no lab for --rescan).
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``verify`` to the top-level parser."""
    parser = subparsers.add_parser(
        "verify",
        help="prove a run: host tests and a rescan, one state per finding",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("run", metavar="RUN", help="run id (under --runs-dir) or run directory")
    parser.add_argument(
        "--runs-dir",
        type=Path,
        default=Path("runs"),
        help="where run records are (default: ./runs)",
    )
    parser.add_argument(
        "--rescan", action="store_true", help="rescan the affected hosts and ports (lab)"
    )
    parser.add_argument("--no-tests", action="store_true", help="skip the host tests (rescan only)")
    parser.add_argument(
        "--workers", default="auto", metavar="N", help="pytest-xdist workers (default: auto)"
    )
    parser.add_argument("--json", action="store_true", help="print the verification as JSON")
    parser.set_defaults(func=lazy("remediator.verify.command", "run_verify"))
