"""``remediator verify``: argument parsing only; the work is imported when it runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from remediator.clitools import add_runs_dir, add_verb, iso_day, lazy_options, options_from
from remediator.verify.model import VerifyOptions

DESCRIPTION = """\
Prove a run: every host's generated testinfra suite (in parallel over the inventory)
and, with --rescan, a rescan of the affected hosts and ports, compared with the run's
original findings by (address, protocol, port, kind), so an nmap rescan can confirm a
Nessus or Qualys finding. Each finding ends as one of:

  resolved  fixed, confirmed by the rescan or the tests
  kept      an allowed service still answering, as the policy wants (never a failure)
  open      should be gone and is not (or an allowed service broke, or its exception
            expired: "exception expired on ...")
  new       in the rescan, not in the original scan
  excepted  left alone under a policy exception still valid on the day verify runs
            (--as-of; its expiry is shown)
  manual    needs a person (patch, certificate, replacement)
  unknown   not judgeable: the host did not answer the rescan, or nothing covers it

The rescan runs nmap from the lab's controller when the run was against the lab.
Anywhere else give your scanner with --rescan-command, a command line (never run
through a shell) with placeholders filled per address family:
  {targets} the affected addresses (an argument each)   {output} the file to write
  {ports}   the affected ports, nmap style (T:22,443,U:161)   {v6} -6 in the IPv6 run
e.g. --rescan-command 'nmap -sS -sU -sV -Pn --script ssl-enum-ciphers,ssl-cert {v6}
-p {ports} -oX {output} {targets}'. Its output is read like any scan (any format
`remediator ingest` knows).

The result is written to RUN/verify.json, which `remediator report` reads.
"""

EPILOG = """\
examples:
  remediator verify 20261125T221503Z-apply-3f9c2a --rescan
  remediator verify RUN --rescan-command 'nmap -sS -sV -Pn {v6} -p {ports} -oX {output} {targets}'
  remediator verify RUN --no-tests --rescan -l web --junit verify-junit.xml

exit codes: 0 every fixable finding resolved, nothing open (kept never fails), no
allowed service broke, nothing blocking is new; 1 otherwise; 2 bad input; 3 refused
(no lab for --rescan).
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``verify`` to the top-level parser."""
    parser = add_verb(
        subparsers,
        "verify",
        summary="prove a run: host tests and a rescan, one state per finding",
        description=DESCRIPTION,
        epilog=EPILOG,
    )
    parser.add_argument("run", metavar="RUN", help="run id (under --runs-dir) or run directory")
    add_runs_dir(parser)
    parser.add_argument(
        "--rescan", action="store_true", help="rescan the affected hosts and ports (lab)"
    )
    parser.add_argument(
        "--lab-state-dir",
        type=Path,
        metavar="DIR",
        help="the lab's --state-dir (default: found by the run's controller namespace)",
    )
    parser.add_argument(
        "--rescan-command",
        metavar="CMD",
        help="outside the lab: the scanner to rescan with, a template with {targets}, "
        "{output}, {ports} and {v6} (implies --rescan; see above)",
    )
    parser.add_argument(
        "--rescan-source",
        action="append",
        default=[],
        metavar="ADDR",
        help="the scanner's own address (repeatable): a restricted port that allows it "
        "is expected to answer",
    )
    parser.add_argument("--no-tests", action="store_true", help="skip the host tests (rescan only)")
    parser.add_argument(
        "--workers", default="auto", metavar="N", help="pytest-xdist workers (default: auto)"
    )
    parser.add_argument("--json", action="store_true", help="print the verification as JSON")
    parser.add_argument(
        "-l",
        "--limit",
        metavar="PATTERN",
        help="only these hosts' tests and findings: an Ansible host pattern over the plan's "
        "hosts and groups (verify.json then covers only them)",
    )
    parser.add_argument(
        "--junit",
        metavar="FILE",
        help="also write JUnit XML for CI, one test case per finding ('-': standard output)",
    )
    parser.add_argument(
        "--as-of",
        type=iso_day,
        default=None,
        metavar="DATE",
        help="re-judge the plan's exceptions on this day (YYYY-MM-DD; default today)",
    )
    parser.set_defaults(func=lazy_options("remediator.verify.commands", "run_verify", _options))


def _options(args: argparse.Namespace) -> VerifyOptions:
    return options_from(VerifyOptions, args, rescan_source=tuple(args.rescan_source))
