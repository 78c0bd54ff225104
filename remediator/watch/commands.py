"""``remediator watch [RUN] --scan FILE | --rescan``: what changed since the run was verified.

Reads the accepted state (:mod:`remediator.watch.accepted`), gets the new scan
(:mod:`remediator.watch.newscan`), judges it (:mod:`remediator.watch.judge`) and writes the
answer: the summary on standard output (standard error when the JSON goes there), the JSON
document and the HTML page when asked. Exit 0 nothing to report, 1 anything new, reopened,
expired or expiring. Nothing is written into the run record and nothing runs on a host.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from remediator.errors import InputError
from remediator.watch.accepted import accepted_state
from remediator.watch.judge import judge, silent_addresses
from remediator.watch.model import WatchOptions, WatchReport
from remediator.watch.newscan import new_scan
from remediator.watch.render import STDOUT, summary_text, write_html, write_json


def run_watch(asked: WatchOptions) -> int:
    """The ``watch`` handler: 0 nothing to report, 1 something to look at."""
    check_options(asked)
    now = datetime.now(UTC)
    on = asked.as_of or now.date()
    accepted = accepted_state(asked.run, asked.runs_dir, on)
    rescan, facts = new_scan(asked, accepted)
    judged = judge(accepted.verification, accepted.originals, rescan, on, asked.expiring_within)
    report = WatchReport(
        run_id=accepted.record.id,
        verified_on=accepted.verification.judged_on,
        as_of=on.isoformat(),
        expiring_within=asked.expiring_within,
        checked_at=now.isoformat(timespec="seconds"),
        scan=facts,
        items=judged.items,
        unchanged=judged.unchanged,
        unjudged=judged.unjudged,
        silent=silent_addresses(accepted.verification, rescan),
    )
    if asked.json is not None:
        write_json(report, asked.json)
    if asked.html is not None:
        write_html(report, asked.html)
    summary = sys.stderr if asked.json == STDOUT else sys.stdout
    summary.write(summary_text(report))
    return 0 if report.clean else 1


def check_options(asked: WatchOptions) -> None:
    """InputError (exit 2) for a scan asked twice or not at all, or a negative day count."""
    rescan = asked.rescan or asked.rescan_command is not None
    if asked.scan and rescan:
        raise InputError("watch: give --scan FILE or --rescan, not both")
    if not asked.scan and not rescan:
        raise InputError("watch: give the new scan: --scan FILE, or --rescan")
    if asked.expiring_within < 0:
        raise InputError(f"--expiring-within {asked.expiring_within}: a number of days, 0 or more")
