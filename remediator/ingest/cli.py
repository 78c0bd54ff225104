"""``remediator ingest``: argument parsing only; the work is in :mod:`.commands`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from remediator.clitools import add_verb, lazy_options, options_from
from remediator.ingest.model import IngestOptions
from remediator.ingest.registry import FAMILIES, FORMATS

DESCRIPTION = """\
Read scan reports into remediator's findings model.

The format is detected from each file's content (not its name). Every open port
becomes a 'port-open' finding; everything the scanner said about it becomes a
finding with a stable key (address, protocol, port, check_id), so a later rescan
can be compared key by key. With --inventory, each scanned address is mapped to
its Ansible inventory host by address only: ansible_host, remediator_addresses, or
what the controller's resolver gives for the name Ansible connects to. Addresses that
match no host are listed, never dropped, with the names the scan reported for them as
hints: a name from a scan never picks a host (whoever runs the machine writes it).
"""

EPILOG = """\
formats read:
{formats}

examples:
  remediator ingest scan.xml
  remediator ingest q3.nessus --inventory inventory/hosts.yml
  remediator ingest scan.xml openvas.csv -o findings.json
  remediator ingest export.csv --format qualys --json | jq '.findings[0]'
  nmap -sV -oX - 192.0.2.0/24 | remediator ingest - -o findings.json

exit codes: 0 read (even if it found problems), 2 unreadable or unknown input.
"""


Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``ingest`` to the top-level parser."""
    formats = "\n".join(f"  {f.name:<12} {f.description}" for f in FORMATS)
    parser = add_verb(
        subparsers,
        "ingest",
        summary="read scan reports (nmap, Nessus, OpenVAS, Qualys, ...) into findings",
        description=DESCRIPTION,
        epilog=EPILOG.format(formats=formats),
    )
    parser.add_argument(
        "scans",
        nargs="+",
        type=Path,
        metavar="SCAN",
        help="scan report files ('-': standard input)",
    )
    parser.add_argument(
        "--format",
        default="auto",
        choices=("auto", *FAMILIES),
        help="the scanner that wrote the files (default: detect from content)",
    )
    parser.add_argument(
        "-i", "--inventory", type=Path, help="Ansible inventory to map addresses to hosts"
    )
    parser.add_argument(
        "--json", action="store_true", help="print findings JSON instead of a summary"
    )
    parser.add_argument(
        "-o", "--output", type=Path, help="write findings JSON to this file ('-': standard output)"
    )
    parser.set_defaults(func=lazy_options("remediator.ingest.commands", "run_ingest", _options))


def _options(args: argparse.Namespace) -> IngestOptions:
    return options_from(IngestOptions, args, scans=tuple(args.scans))
