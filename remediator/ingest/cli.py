"""``remediator ingest``: read scans, summarise them, optionally write findings JSON."""

from __future__ import annotations

import argparse
import io
import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from remediator.common.files import replacing
from remediator.common.text import shown
from remediator.ingest import resolve
from remediator.ingest.findingset import HostMatcher
from remediator.ingest.inventory import load_inventory
from remediator.ingest.jsonio import SCHEMA, finding_to_dict
from remediator.ingest.reader import choose_format, read_scan
from remediator.ingest.registry import FAMILIES, FORMATS
from remediator.ingest.summary import FileTally, unmatched_text

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

exit codes: 0 read (even if it found problems), 2 unreadable or unknown input.
"""


Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``ingest`` to the top-level parser."""
    formats = "\n".join(f"  {f.name:<12} {f.description}" for f in FORMATS)
    parser = subparsers.add_parser(
        "ingest",
        help="read scan reports (nmap, Nessus, OpenVAS, Qualys, ...) into findings",
        description=DESCRIPTION,
        epilog=EPILOG.format(formats=formats),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("scans", nargs="+", type=Path, metavar="SCAN", help="scan report files")
    parser.add_argument(
        "--format",
        default="auto",
        choices=("auto", *FAMILIES),
        help="the scanner that wrote the files (default: detect from content)",
    )
    parser.add_argument(
        "--inventory", type=Path, help="Ansible inventory to map addresses to hosts"
    )
    parser.add_argument(
        "--json", action="store_true", help="print findings JSON instead of a summary"
    )
    parser.add_argument("-o", "--output", type=Path, help="write findings JSON to this file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Stream every scan once: tally for the summary, findings to JSON when asked."""
    for scan in args.scans:  # fail on a bad file before writing anything
        choose_format(scan, args.format)
    inventory = (
        load_inventory(args.inventory, resolver=resolve.system_resolver) if args.inventory else None
    )
    matcher = HostMatcher(inventory)
    tallies: list[FileTally] = []
    with _json_sink(args) as sink:
        first = True
        for scan in args.scans:
            scan_format = choose_format(scan, args.format)
            tally = FileTally(str(scan), scan_format.name)
            tallies.append(tally)
            for report in read_scan(scan, args.format):
                tally.add(report)
                host = matcher(report.host)
                if sink is None:
                    continue
                for finding in report.findings:
                    sink.write("\n" if first else ",\n")
                    sink.write(json.dumps(finding_to_dict(finding, host), ensure_ascii=False))
                    first = False
        if sink is not None:
            sink.write(f'\n], "unmatched": {json.dumps(list(matcher.unmatched))}}}\n')
    if not args.json:
        _print_summary(tallies, matcher, args)
    return 0


@contextmanager
def _json_sink(args: argparse.Namespace) -> Iterator[IO[str] | None]:
    """Where the findings stream: a file that replaces ``-o`` only when all went well.

    ``--json`` alone spools to an anonymous temp file first, so a scan that fails halfway
    prints nothing rather than half a document. ``-o`` goes through the one file writer,
    which refuses to replace anything but a regular file (a device, FIFO, symlink or
    directory is an input error) and leaves no temp file on any way out.
    """
    if not args.json and args.output is None:
        yield None
        return
    if args.output is not None and str(args.output) != "-":
        with replacing(args.output) as raw, _text(raw) as stream:
            stream.write(f'{{"schema": "{SCHEMA}", "findings": [')
            yield stream
        return
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        spool.write(f'{{"schema": "{SCHEMA}", "findings": [')
        yield spool
        spool.seek(0)
        shutil.copyfileobj(spool, sys.stdout)


@contextmanager
def _text(raw: IO[bytes]) -> Iterator[IO[str]]:
    """UTF-8 text over ``raw``, flushed but not closed (the writer closes and renames it)."""
    stream = io.TextIOWrapper(raw, encoding="utf-8", write_through=False)
    try:
        yield stream
        stream.flush()
    finally:
        stream.detach()


def _print_summary(
    tallies: list[FileTally], matcher: HostMatcher, args: argparse.Namespace
) -> None:
    for tally in tallies:
        print("\n".join(tally.lines()))
    if args.inventory is not None:
        shown_list = ", ".join(unmatched_text(a, matcher.hint(a)) for a in matcher.unmatched)
        print(f"unmatched addresses ({len(matcher.unmatched)}): {shown_list or 'none'}")
    if args.output is not None:
        print(f"findings written to {shown(args.output)}")
