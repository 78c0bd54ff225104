"""``remediator dry-run``, ``apply``, ``rollback`` and ``import-job``: argparse wiring."""

from __future__ import annotations

import argparse
from pathlib import Path

from remediator.clitools import add_verb, options_from
from remediator.run.commands import apply_command, dry_run_command, rollback_command
from remediator.run.imported.command import import_job_command
from remediator.run.model import ApplyOptions, Common, ImportOptions, RollbackOptions
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
  remediator dry-run fix-q3 -i dmz.yml --execution-node ops@dmz-runner.example

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

IMPORT_JOB = """\
Make a run record of a job that ran the project elsewhere: on AWX / Automation
Controller, an execution node, or a plain ansible-runner. SOURCE is that job's events:
an ansible-runner artifacts directory (artifacts/<ident>/ with job_events/, status and
rc, or the private data dir holding one), or an AWX job's events as its API returns
them (GET /api/v2/jobs/N/job_events/, one page, a list of pages or a list of events;
AWX deletes runner artifacts after a job, its events remain). The project's playbook
names its manifest's sha256 in an event: a job of another project, or of an edited copy,
is refused. A check-mode job becomes a dry-run record, a real one an apply record that
'verify' and 'report' take like any run. Nothing is run and no host is contacted.
"""

IMPORT_JOB_EPILOG = """\
examples:
  remediator import-job job-42-events.json --project fix-q3 --approved-by alice --ticket CHG-42
  remediator import-job /runner/artifacts/7f3c --project fix-q3 -i inventory/prod.yml
  remediator import-job check-41-events.json --project fix-q3 --json

  # AWX: save a job's events (every page), then import them
  curl -s -H "Authorization: Bearer $TOKEN" \\
      "https://awx.example/api/v2/jobs/42/job_events/?page_size=200&page=1" > job-42-events.json

exit codes: 0 imported, 1 the job left a host failed (the record is kept),
2 bad input (not job events, a project edited since it was generated, a job that
reached none of the project's hosts), 3 refused (the job ran another project or an
edited copy of it), 4 an imported check-mode job could not preview every host.
"""

LIMIT_HELP = "only these hosts: an Ansible host pattern (groups, wildcards, !, &, ':' or ',')"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``dry-run``, ``apply``, ``rollback`` and ``import-job`` to the top-level parser."""
    _register_dry_run(subparsers)
    _register_apply(subparsers)
    _register_rollback(subparsers)
    _register_import_job(subparsers)


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
    _execution_node(dry)
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
    _execution_node(back, "(default: the one the run used)")
    back.set_defaults(func=_rollback)


def _register_import_job(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    job = add_verb(
        subparsers,
        "import-job",
        summary="make a run record of a job run on AWX or elsewhere",
        description=IMPORT_JOB,
        epilog=IMPORT_JOB_EPILOG,
    )
    job.add_argument(
        "source", type=Path, metavar="SOURCE", help="ansible-runner artifacts or AWX job events"
    )
    _common(job, project_option=True)
    job.add_argument(
        "--dry-run-id",
        metavar="RUN",
        help="the dry-run the job carried out (id or path), for the apply's proof",
    )
    job.add_argument("--approved-by", metavar="WHO", help="who approved the job (recorded)")
    job.add_argument("--ticket", metavar="ID", help="the job's change ticket (recorded)")
    job.set_defaults(func=_import_job)


def _execution_node(parser: argparse.ArgumentParser, default: str = "") -> None:
    parser.add_argument(
        "--execution-node",
        metavar="[USER@]HOST",
        help="run Ansible on this machine, which reaches the hosts: the project is streamed "
        "to 'ansible-runner worker' there over SSH (its ansible-core and ansible-runner "
        "must match this controller's) and the events come back into the run record"
        + (f" {default}" if default else ""),
    )


def _common(parser: argparse.ArgumentParser, *, project_option: bool = False) -> None:
    project_help = "a project from `remediator generate`"
    if project_option:
        parser.add_argument(
            "--project", type=Path, required=True, metavar="PROJECT", help=project_help
        )
    else:
        parser.add_argument("project", type=Path, metavar="PROJECT", help=project_help)
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
    """The shared options; ``--execution-node`` only where the command takes it."""
    return options_from(Common, args, execution_node=getattr(args, "execution_node", None))


def _dry_run(args: argparse.Namespace) -> int:
    return dry_run_command(_common_of(args), args.limit)


def _apply(args: argparse.Namespace) -> int:
    return apply_command(_common_of(args), options_from(ApplyOptions, args))


def _rollback(args: argparse.Namespace) -> int:
    return rollback_command(options_from(RollbackOptions, args))


def _import_job(args: argparse.Namespace) -> int:
    common = _common_of(args)
    return import_job_command(
        ImportOptions(args.source, common, args.dry_run_id, args.approved_by, args.ticket)
    )
