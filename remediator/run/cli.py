"""``remediator dry-run``, ``apply`` and ``rollback``: argparse wiring over :mod:`.commands`."""

from __future__ import annotations

import argparse
from pathlib import Path

from remediator.clitools import add_verb, options_from
from remediator.run.commands import apply_command, dry_run_command, rollback_command
from remediator.run.model import ApplyOptions, Common, RollbackOptions
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
It needs who approved it and the change ticket (--approved-by, --ticket), or an explicit
--no-approval, which the run record and the evidence state; without either nothing runs.
Before contacting any host the window is checked (outside it: exit 3 and when it next
opens). Each batch snapshots its hosts, changes them, verifies them (the play's own
checks, then a new management connection, the allowed services and the batch's
testinfra suites from here); a failed batch is restored from its snapshots and later
batches are not started. A batch that cannot finish before the window closes is not
started. Ctrl-C leaves every host of the running batch applied-and-verified or restored.
"""

ROLLBACK = """\
Restore the hosts of an apply (all, or those --host or -l names) to the snapshots that
apply took.
"""

WINDOW_HELP = (
    "'START/END' (ISO 8601 with offsets), 'DAYS HH:MM-HH:MM ZONE' (DAYS: daily, Mon, "
    "Mon,Thu, Mon-Fri) or 'now+DURATION' (e.g. now+2h)"
)

DRY_RUN_EPILOG = """\
examples:
  remediator dry-run fix-q3
  remediator dry-run fix-q3 -i inventory/prod.yml -l 'web:&dmz' --json
  remediator dry-run fix-q3 --plan plan.json --findings findings.json

exit codes: 0 previewed (even when there is work to do), 2 bad input (not a project,
a limit that matches no host), 4 could not run ansible or could not preview every host
(a host unreachable, a task failed: the record is kept), 130 interrupted.
"""

APPLY_EPILOG = """\
examples:
  remediator apply fix-q3 --window 'Sat 22:00-02:00 Europe/Berlin' --dry-run-id RUN \\
      --approved-by alice --ticket CHG-42
  remediator apply fix-q3 --window now+2h -l web --approved-by alice --ticket CHG-42
  remediator apply fix-q3 -i lab.yml --window now+4h --batch 25% --no-approval

exit codes: 0 ok, 1 a batch failed and was rolled back (or a host is not restored),
2 bad input (no --approved-by and --ticket and no --no-approval, or --no-approval with
either), 3 refused (outside the window, window closing, project changed since the
dry-run, another apply running), 4 could not run ansible, 130 interrupted (hosts settled).
"""

ROLLBACK_EPILOG = """\
examples:
  remediator rollback 20261125T221503Z-apply-3f9c2a
  remediator rollback runs/20261125T221503Z-apply-3f9c2a -l web --json
  remediator rollback 20261125T221503Z-apply-3f9c2a --host web1

exit codes: 0 every host restored (or had no snapshot to restore), 1 a host is not
restored, 2 bad input (no such apply, a host or limit that took no snapshot),
3 refused (another run holds the hosts), 4 could not run ansible, 130 interrupted.
"""

LIMIT_HELP = "only these hosts: an Ansible host pattern (groups, wildcards, !, &, ':' or ',')"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``dry-run``, ``apply`` and ``rollback`` to the top-level parser."""
    _register_dry_run(subparsers)
    _register_apply(subparsers)
    _register_rollback(subparsers)


def _register_dry_run(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dry = add_verb(
        subparsers,
        "dry-run",
        summary="preview a project per host and finding",
        description=DRY_RUN,
        epilog=DRY_RUN_EPILOG,
    )
    _common(dry)
    dry.add_argument("-l", "--limit", metavar="PATTERN", help=LIMIT_HELP)
    dry.set_defaults(func=_dry_run)


def _register_apply(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    apply = add_verb(
        subparsers,
        "apply",
        summary="apply a project in a maintenance window",
        description=APPLY,
        epilog=APPLY_EPILOG,
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
    apply.add_argument(
        "--approved-by", metavar="WHO", help="who approved the change (required, recorded)"
    )
    apply.add_argument("--ticket", metavar="ID", help="the change ticket (required, recorded)")
    apply.add_argument(
        "--no-approval",
        action="store_true",
        help="apply without --approved-by and --ticket; the run record and the evidence "
        "then state it was applied WITHOUT approval",
    )
    apply.add_argument(
        "--dry-run-id",
        metavar="RUN",
        help="the reviewed dry-run (id or path); refused if the project changed",
    )
    apply.add_argument(
        "-l", "--limit", metavar="PATTERN", help=LIMIT_HELP + "; within the dry-run's hosts"
    )
    apply.set_defaults(func=_apply)


def _register_rollback(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    back = add_verb(
        subparsers,
        "rollback",
        summary="restore an apply's hosts to their snapshots",
        description=ROLLBACK,
        epilog=ROLLBACK_EPILOG,
    )
    back.add_argument("run", metavar="RUN", help="the apply's run id or run directory")
    back.add_argument("--host", metavar="H", help="only this host")
    back.add_argument("-l", "--limit", metavar="PATTERN", help=LIMIT_HELP)
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
        "-i",
        "--inventory",
        type=Path,
        metavar="INVENTORY",
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
    return options_from(Common, args)


def _dry_run(args: argparse.Namespace) -> int:
    return dry_run_command(_common_of(args), args.limit)


def _apply(args: argparse.Namespace) -> int:
    return apply_command(_common_of(args), options_from(ApplyOptions, args))


def _rollback(args: argparse.Namespace) -> int:
    return rollback_command(options_from(RollbackOptions, args))
