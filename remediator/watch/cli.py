"""``remediator watch``: argument parsing only; the work is imported when it runs."""

from __future__ import annotations

import argparse
import ipaddress
from pathlib import Path

from remediator.clitools import add_runs_dir, add_verb, iso_day, lazy_options, options_from
from remediator.watch.model import WatchOptions

DESCRIPTION = """\
Between quarterly scans: compare a new scan with the accepted state of a verified run
(what `remediator verify` recorded in RUN/verify.json) and say what changed. Nothing is
changed on any host, nor in the run record.

  new         an open port, or a weakness that fails an ASV scan (CVSS 4.0 or more),
              on no finding the run knew
  reopened    resolved at verify, reported again
  expired     excepted at verify, its exception has expired since (--as-of) and the
              scan does not show the finding gone
  expiring    excepted, the exception ends within --expiring-within days
  still_open  verify already left it unresolved and it is still there (listed, no alarm)
  noted       new, below what fails an ASV scan (listed, no alarm)

A kept service still answering and a finding under a valid exception are fine.
Findings are matched by (address, protocol, port, kind), the classifier's
scanner-neutral kind, so a Nessus or Qualys scan can be watched against an nmap-verified
run. Hosts are named by the run's inventory only, never by a name in the scan.

The new scan is either --scan FILE (any format `remediator ingest` reads; repeat for
IPv4 and IPv6 files), or --rescan: verify's own rescan (nmap from the lab's controller
for a lab run, else --rescan-command, as for verify) of the run's addresses over every
TCP port and the UDP ports the run knew. A port restricted to sources that include the
scanner's own address (--rescan-source) answers by design and is never called reopened
(a weakness behind it, TLS 1.0 say, still is).

RUN defaults to the newest run under --runs-dir that has a verify.json.
"""

EPILOG = """\
examples:
  remediator watch --scan interim.xml --scan interim.v6.xml    (the newest verified run)
  remediator watch 20261125T221503Z-apply-3f9c2a --rescan --json - --html watch.html
  remediator watch --rescan-command 'nmap -sS -sV -Pn {v6} -p {ports} -oX {output} {targets}' \\
      --rescan-source 203.0.113.5 --json /var/lib/remediator/watch.json
  remediator watch --scan asv.nessus --as-of 2027-06-01 --expiring-within 45

exit codes: 0 nothing to report; 1 something new, reopened, expired or expiring
(still_open and noted never fail); 2 bad input (no such run, not verified, no scan
given, an unreadable scan); 3 refused (--rescan of a run made outside the lab without
--rescan-command); 4 the scanner could not run.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``watch`` to the top-level parser."""
    parser = add_verb(
        subparsers,
        "watch",
        summary="between scans: new exposures, reopened findings, exceptions running out",
        description=DESCRIPTION,
        epilog=EPILOG,
    )
    parser.add_argument(
        "run",
        metavar="RUN",
        nargs="?",
        help="run id (under --runs-dir) or run directory (default: the newest verified run)",
    )
    add_runs_dir(parser)
    parser.add_argument(
        "--scan",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="the new scan, any format ingest reads (repeatable; '-': standard input)",
    )
    parser.add_argument(
        "--rescan",
        action="store_true",
        help="rescan the run's addresses as verify --rescan does, over every TCP port",
    )
    parser.add_argument(
        "--rescan-command",
        metavar="CMD",
        help="outside the lab: the scanner to rescan with, as for verify (implies --rescan)",
    )
    parser.add_argument(
        "--rescan-source",
        action="append",
        default=[],
        type=_address,
        metavar="ADDR",
        help="the scanner's own address (repeatable): a port restricted to allow it answers "
        "by design, so it is never called reopened",
    )
    parser.add_argument(
        "--lab-state-dir",
        type=Path,
        metavar="DIR",
        help="the lab's --state-dir (default: found by the run's controller namespace)",
    )
    parser.add_argument(
        "--expiring-within",
        type=int,
        default=30,
        metavar="DAYS",
        help="report exceptions ending within DAYS of --as-of (default: 30)",
    )
    parser.add_argument(
        "--as-of",
        type=iso_day,
        default=None,
        metavar="DATE",
        help="judge exceptions on this day (YYYY-MM-DD; default today)",
    )
    parser.add_argument(
        "--json", metavar="FILE", help="write the remediator/watch/v1 document ('-': stdout)"
    )
    parser.add_argument("--html", type=Path, metavar="FILE", help="write the page for people")
    parser.set_defaults(func=lazy_options("remediator.watch.commands", "run_watch", _options))


def _address(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an IP address") from None


def _options(args: argparse.Namespace) -> WatchOptions:
    return options_from(
        WatchOptions,
        args,
        scan=tuple(args.scan),
        rescan_source=tuple(args.rescan_source),
    )
