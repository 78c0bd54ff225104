"""``remediator ingest``: read scans, summarise them, optionally write findings JSON."""

from __future__ import annotations

from remediator.common.text import shown
from remediator.ingest import resolve
from remediator.ingest.findingset import HostMatcher
from remediator.ingest.inventory import load_inventory
from remediator.ingest.jsonio import findings_writer
from remediator.ingest.model import IngestOptions
from remediator.ingest.reader import choose_format, read_scan
from remediator.ingest.spool import display_name
from remediator.ingest.summary import FileTally, unmatched_text


def run_ingest(options: IngestOptions) -> int:
    """Stream every scan once: tally for the summary, findings to JSON when asked."""
    for scan in options.scans:  # fail on a bad file before writing anything
        choose_format(scan, options.format)
    inventory = (
        load_inventory(options.inventory, resolver=resolve.system_resolver)
        if options.inventory
        else None
    )
    matcher = HostMatcher(inventory)
    tallies: list[FileTally] = []
    wanted = options.json or options.output is not None
    with findings_writer(options.output if wanted else None, to_stdout=options.json) as sink:
        for scan in options.scans:
            scan_format = choose_format(scan, options.format)
            tally = FileTally(display_name(scan), scan_format.name)
            tallies.append(tally)
            for report in read_scan(scan, options.format):
                tally.add(report)
                host = matcher(report.host)
                if sink is not None:
                    sink.add(report.findings, host)
        if sink is not None:
            sink.finish(matcher.unmatched)
    if not options.json:
        _print_summary(tallies, matcher, options)
    return 0


def _print_summary(tallies: list[FileTally], matcher: HostMatcher, options: IngestOptions) -> None:
    for tally in tallies:
        print("\n".join(tally.lines()))
    if options.inventory is not None:
        shown_list = ", ".join(unmatched_text(a, matcher.hint(a)) for a in matcher.unmatched)
        print(f"unmatched addresses ({len(matcher.unmatched)}): {shown_list or 'none'}")
    if options.output is not None:
        print(f"findings written to {shown(options.output)}")
