"""``remediator dry-run``, ``apply`` and ``rollback``: argparse wiring over :mod:`.commands`."""

from __future__ import annotations

import argparse
from pathlib import Path

from remediator.run.commands import apply_command, dry_run_command, rollback_command
from remediator.run.model import ApplyOptions, Common
from remediator.run.records.record import DEFAULT_RUNS_DIR

DRY_RUN = """\
Preview a generated project: its own playbook in check mode with diffs, read per host
and finding. Each finding is 'would_change' (with the diff), 'compliant' or 'unknown'
(check mode cannot tell, and why); package removals are flagged as irreversible. Nothing
is changed, so a dry-run may run outside the maintenance window. The run is recorded
under runs/<id>/ (ansible-runner's artifacts, the plan, the preview); give its id to
'apply --dry-run-id' to apply exactly what was reviewed.
"""

APPLY = """\
Apply a generated project inside a maintenance window, a batch of hosts at a time.
Before contacting any host the window is checked (outside it: exit 3 and when it next
opens). Each batch snapshots its hosts, changes them, verifies them (the play's own
checks, then a new management connection, the allowed services and the batch's
testinfra suites from here); a failed batch is restored from its snapshots and later
batches are not started. A batch that cannot finish before the window closes is not
started. Ctrl-C leaves every host of the running batch applied-and-verified or restored.
"""

ROLLBACK = """\
Restore the hosts of an apply (or one of them) to the snapshots that apply took.
"""

WINDOW_HELP = (
    "'START/END' (ISO 8601 with offsets), 'DAYS HH:MM-HH:MM ZONE' (DAYS: daily, Mon, "
    "Mon,Thu, Mon-Fri) or 'now+DURATION' (e.g. now+2h)"
)

EXITS = """\
exit codes: 0 ok, 1 a batch failed and was rolled back (or a host is not restored),
2 bad input, 3 refused (outside the window, window closing, project changed since the
dry-run, another apply running), 4 could not run ansible, 130 interrupted (hosts settled).
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``dry-run``, ``apply`` and ``rollback`` to the top-level parser."""
    formatter = argparse.RawDescriptionHelpFormatter
    dry = subparsers.add_parser(
        "dry-run",
        help="preview a project per host and finding",
        description=DRY_RUN,
        epilog=EXITS,
        formatter_class=formatter,
    )
    _common(dry)
    dry.add_argument("--limit", metavar="HOSTS", help="only these hosts (Ansible pattern)")
    dry.set_defaults(func=_dry_run)

    apply = subparsers.add_parser(
        "apply",
        help="apply a project in a maintenance window",
        description=APPLY,
        epilog=EXITS,
        formatter_class=formatter,
    )
    _common(apply)
    apply.add_argument("--window", required=True, metavar="SPEC", help=WINDOW_HELP)
    apply.add_argument(
        "--batch",
        metavar="N|N%",
        help="hosts per batch (default: the project's serial, 1 then 25%%)",
    )
    apply.add_argument(
        "--max-fail",
        metavar="N%",
        help="failed hosts a batch tolerates before it is rolled back (default 0%%)",
    )
    apply.add_argument("--approved-by", metavar="WHO", help="who approved the change (recorded)")
    apply.add_argument("--ticket", metavar="ID", help="the change ticket (recorded)")
    apply.add_argument(
        "--dry-run-id",
        metavar="RUN",
        help="the reviewed dry-run (id or path); refused if the project changed",
    )
    apply.add_argument(
        "--limit", metavar="HOSTS", help="only these hosts (must match the dry-run's limit)"
    )
    apply.set_defaults(func=_apply)

    back = subparsers.add_parser(
        "rollback",
        help="restore an apply's hosts to their snapshots",
        description=ROLLBACK,
        epilog=EXITS,
        formatter_class=formatter,
    )
    back.add_argument("run", metavar="RUN", help="the apply's run id or run directory")
    back.add_argument("--host", metavar="H", help="only this host")
    back.add_argument(
        "--runs-dir",
        type=Path,
        default=DEFAULT_RUNS_DIR,
        metavar="D",
        help="where run records are (default: ./runs)",
    )
    back.add_argument("--json", action="store_true", help="print JSON for machines")
    back.set_defaults(func=_rollback)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "project", type=Path, metavar="PROJECT", help="a project from `remediator generate`"
    )
    parser.add_argument(
        "--inventory",
        type=Path,
        metavar="I",
        help="the inventory to run against (default: PROJECT/inventory.yml)",
    )
    parser.add_argument(
        "--plan",
        type=Path,
        metavar="PLAN",
        help="the plan the project came from, kept in the run record "
        "(default: plan.json in or beside PROJECT when its hash matches)",
    )
    parser.add_argument(
        "--findings",
        type=Path,
        metavar="FILE",
        help="the findings JSON behind the plan, kept in the run record",
    )
    parser.add_argument("--json", action="store_true", help="print JSON for machines")
    parser.add_argument(
        "--runs-dir",
        type=Path,
        default=DEFAULT_RUNS_DIR,
        metavar="D",
        help="where run records go (default: ./runs)",
    )


def _common_of(args: argparse.Namespace) -> Common:
    return Common(args.project, args.inventory, args.runs_dir, args.json, args.plan, args.findings)


def _dry_run(args: argparse.Namespace) -> int:
    return dry_run_command(_common_of(args), args.limit)


def _apply(args: argparse.Namespace) -> int:
    options = ApplyOptions(
        args.window,
        args.batch,
        args.max_fail,
        args.approved_by,
        args.ticket,
        args.dry_run_id,
        args.limit,
    )
    return apply_command(_common_of(args), options)


def _rollback(args: argparse.Namespace) -> int:
    return rollback_command(args.run, args.host, args.runs_dir, args.json)
